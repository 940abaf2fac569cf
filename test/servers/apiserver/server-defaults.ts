/** What the real server adds to some objects when it stores them, which clients read back. */
import type { KubeObject } from '../../../lib/manifests';
import { groupOf } from './object-store';

/** Namespaces get the immutable `kubernetes.io/metadata.name` label and phase Active. */
function defaultNamespace(ns: KubeObject): void {
  const meta = (ns.metadata ??= {});
  meta.labels = { ...(meta.labels ?? {}), 'kubernetes.io/metadata.name': meta.name ?? '' };
  ns.spec ??= { finalizers: ['kubernetes'] };
  ns.status = { phase: 'Active' };
}

/** CRDs are reported Established with their names accepted, which clients wait for before using the new type. */
function defaultCrd(crd: KubeObject): void {
  const spec = (crd.spec ?? {}) as { names?: Record<string, unknown> };
  const status = (crd.status ?? {}) as Record<string, unknown>;
  crd.status = {
    ...status,
    acceptedNames: spec.names ?? {},
    conditions: [
      {
        type: 'NamesAccepted',
        status: 'True',
        reason: 'NoConflicts',
        message: 'no conflicts found',
        lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
      {
        type: 'Established',
        status: 'True',
        reason: 'InitialNamesAccepted',
        message: 'the initial names have been accepted',
        lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      },
    ],
    storedVersions: ((crd.spec as { versions?: Array<{ name?: string; storage?: boolean }> })?.versions ?? [])
      .filter((v) => v.storage)
      .map((v) => v.name),
  };
}

/** Applies the defaults in place; returns the object for chaining. */
export function applyServerDefaults(obj: KubeObject): KubeObject {
  if (obj.kind === 'Namespace' && groupOf(obj.apiVersion) === '') defaultNamespace(obj);
  if (obj.kind === 'CustomResourceDefinition' && groupOf(obj.apiVersion) === 'apiextensions.k8s.io') defaultCrd(obj);
  return obj;
}

export const isCrd = (group: string, kind: string): boolean =>
  group === 'apiextensions.k8s.io' && kind === 'CustomResourceDefinition';
