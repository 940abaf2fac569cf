import type { GroupVersionKind, GroupVersionResource } from './admission-review';

/**
 * One resource type as API discovery describes it: group ("" for the core group), version, kind, the plural used in
 * URLs (`resource`) and its scope. The one resource shape: the built-in table, the resolver, the cluster's discovery,
 * the audit, the API-server stage and webhook matching derive theirs from it.
 */
export interface ResourceType extends GroupVersionKind, GroupVersionResource {
  namespaced: boolean;
}

/** A resource as far as its names go (no kind): enough to write its apiVersion and its REST path. */
export type ResourceNames = Omit<ResourceType, 'kind'>;
