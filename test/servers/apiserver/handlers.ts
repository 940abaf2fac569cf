/**
 * The REST verbs on resources: list, get, create, update, patch and delete, against the object store, with
 * the real server's validation of bodies against the URL and its Status errors.
 */
import { randomBytes } from 'node:crypto';
import type { KubeObject } from '../../../lib/manifests';
import { matchesFields, parseFieldSelector } from './field-selector';
import { matchesLabels, parseLabelSelector, SelectorError } from './label-selector';
import type { ListSnapshots } from './list-snapshots';
import type { ObjectStore } from './object-store';
import type { ServedResource } from './served-resources';
import { applyServerDefaults } from './server-defaults';
import { jsonMergePatch, jsonPatch, PatchError, strategicMergePatch } from './patches';
import { alreadyExists, badRequest, conflict, invalid, notFound, unsupportedMediaType } from './status';

export interface Target {
  served: ServedResource;
  /** Undefined for cluster-scoped resources and for lists across all namespaces. */
  namespace?: string;
  name?: string;
}

const apiVersionOf = (r: ServedResource): string => (r.group === '' ? r.version : `${r.group}/${r.version}`);

/**
 * The object as served at the requested version. Conversion is a rename of apiVersion (as for CRDs with no
 * conversion webhook). Items of built-in lists carry no apiVersion/kind, exactly like kube-apiserver's typed lists.
 */
function present(obj: KubeObject, r: ServedResource, inList: boolean): KubeObject {
  if (inList && !r.custom) {
    const { apiVersion: _a, kind: _k, ...rest } = obj;
    return rest as KubeObject;
  }
  return { ...obj, apiVersion: apiVersionOf(r), kind: r.kind };
}

/**
 * A list, or with `metadataOnly` its meta.k8s.io/v1 PartialObjectMetadataList (each item's metadata only, as
 * kube-apiserver answers `Accept: application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1`).
 */
export function listObjects(
  store: ObjectStore,
  snapshots: ListSnapshots,
  t: Target,
  query: URLSearchParams,
  metadataOnly = false,
): object {
  let labels;
  let fields;
  try {
    labels = parseLabelSelector(query.get('labelSelector') ?? '');
    fields = parseFieldSelector(query.get('fieldSelector') ?? '', t.served.resource);
  } catch (err) {
    if (err instanceof SelectorError) throw badRequest(err.message);
    throw err;
  }
  const limitText = query.get('limit');
  const asked = limitText === null ? undefined : Number(limitText);
  if (asked !== undefined && (!Number.isInteger(asked) || asked < 0))
    throw badRequest(`limit: Invalid value: "${limitText}": must be a non-negative integer`);
  const token = query.get('continue') || undefined;
  const rv = query.get('resourceVersion') || undefined;
  if (token && rv) throw badRequest('specifying resource version is not allowed when using continue');
  // resourceVersion=0 ("any version") is served from the watch cache, which ignores limit: the whole list comes back.
  const limit = rv === '0' ? undefined : asked;
  const filtered = labels.length > 0 || fields.length > 0;
  const page = snapshots.page({
    listKey: [
      t.served.group,
      t.served.kind,
      t.namespace ?? '',
      query.get('labelSelector') ?? '',
      query.get('fieldSelector') ?? '',
    ].join('\n'),
    limit,
    token,
    countRemaining: !filtered,
    currentRv: store.resourceVersion,
    matching: () => {
      const all = store.list(t.served.group, t.served.kind, t.namespace);
      return filtered
        ? all.filter((o) => matchesLabels(labels, o.metadata?.labels) && matchesFields(fields, o, t.served.resource))
        : all;
    },
  });
  const metadata = {
    resourceVersion: page.resourceVersion,
    ...(page.continue ? { continue: page.continue } : {}),
    ...(page.remainingItemCount !== undefined ? { remainingItemCount: page.remainingItemCount } : {}),
  };
  if (metadataOnly)
    return {
      kind: 'PartialObjectMetadataList',
      apiVersion: 'meta.k8s.io/v1',
      metadata,
      items: page.items.map((o) => ({
        kind: 'PartialObjectMetadata',
        apiVersion: 'meta.k8s.io/v1',
        metadata: o.metadata,
      })),
    };
  return {
    kind: `${t.served.kind}List`,
    apiVersion: apiVersionOf(t.served),
    metadata,
    items: page.items.map((o) => present(o, t.served, true)),
  };
}

export function getObject(store: ObjectStore, t: Target): KubeObject {
  const found = store.get(t.served.group, t.served.kind, t.namespace ?? '', t.name!);
  if (!found) throw notFound(t.served.group, t.served.resource, t.name!);
  return present(found, t.served, false);
}

/** Checks a request body against the URL it was sent to and returns it ready to store (in the stored version). */
function bodyFor(t: Target, body: unknown, op: 'create' | 'update'): KubeObject {
  const r = t.served;
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    throw badRequest('the request body must be a JSON object');
  const obj = structuredClone(body) as KubeObject;
  const want = apiVersionOf(r);
  if (obj.apiVersion === undefined || obj.apiVersion === '') obj.apiVersion = want;
  if (obj.kind === undefined || obj.kind === '') obj.kind = r.kind;
  if (obj.apiVersion !== want)
    throw badRequest(
      `the API version in the data (${obj.apiVersion}) does not match the expected API version (${want})`,
    );
  if (obj.kind !== r.kind)
    throw badRequest(
      `the kind in the data (${obj.kind}) does not match the expected kind (${r.kind}) for resource "${r.resource}"`,
    );
  if (typeof obj.metadata !== 'object' || obj.metadata === null) obj.metadata = {};
  const meta = obj.metadata;
  if (r.namespaced) {
    if (meta.namespace !== undefined && meta.namespace !== '' && meta.namespace !== t.namespace) {
      throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
    }
    meta.namespace = t.namespace;
  } else {
    delete meta.namespace;
  }
  if (op === 'create' && !meta.name && typeof meta.generateName === 'string' && meta.generateName) {
    meta.name = meta.generateName + randomBytes(4).toString('hex').slice(0, 5);
  }
  if (op === 'update' && meta.name !== t.name) {
    throw badRequest(`the name of the object (${meta.name ?? ''}) does not match the name on the URL (${t.name})`);
  }
  if (typeof meta.name !== 'string' || meta.name === '') {
    throw invalid(r.kind, r.group, '', 'metadata.name', 'Required value: name or generateName is required');
  }
  if (!/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(meta.name) || meta.name.length > 253) {
    throw invalid(
      r.kind,
      r.group,
      meta.name,
      'metadata.name',
      `Invalid value: "${meta.name}": a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character`,
    );
  }
  return applyServerDefaults(obj);
}

function requireNamespace(store: ObjectStore, t: Target): void {
  if (t.served.namespaced && t.namespace && !store.get('', 'Namespace', '', t.namespace))
    throw notFound('', 'namespaces', t.namespace);
}

export function createObject(
  store: ObjectStore,
  t: Target,
  body: unknown,
  validateCrd: (o: KubeObject) => void,
): KubeObject {
  const obj = bodyFor(t, body, 'create');
  requireNamespace(store, t);
  const name = obj.metadata!.name!;
  if (store.get(t.served.group, t.served.kind, t.namespace ?? '', name))
    throw alreadyExists(t.served.group, t.served.resource, name);
  validateCrd(obj);
  delete obj.metadata!.resourceVersion;
  delete obj.metadata!.uid;
  delete obj.metadata!.creationTimestamp;
  return present(store.put(obj), t.served, false);
}

export function updateObject(
  store: ObjectStore,
  t: Target,
  body: unknown,
  validateCrd: (o: KubeObject) => void,
): KubeObject {
  const obj = bodyFor(t, body, 'update');
  const current = store.get(t.served.group, t.served.kind, t.namespace ?? '', t.name!);
  if (!current) throw notFound(t.served.group, t.served.resource, t.name!);
  const rv = obj.metadata!.resourceVersion;
  if (rv !== undefined && rv !== '' && rv !== current.metadata!.resourceVersion)
    throw conflict(t.served.group, t.served.resource, t.name!);
  validateCrd(obj);
  return present(store.put(obj), t.served, false);
}

export const PATCH_MEDIA_TYPES = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
] as const;

/** PATCH in any of PATCH_MEDIA_TYPES; strategic merge only for built-in types, as on the real server. */
export function patchObject(
  store: ObjectStore,
  t: Target,
  mediaType: string,
  patch: unknown,
  validateCrd: (o: KubeObject) => void,
): KubeObject {
  if (mediaType === 'application/strategic-merge-patch+json' && t.served.custom) {
    throw unsupportedMediaType(
      mediaType,
      ['application/json-patch+json', 'application/merge-patch+json'],
      'strategic merge patch does not apply to custom resources',
    );
  }
  const current = store.get(t.served.group, t.served.kind, t.namespace ?? '', t.name!);
  if (!current) throw notFound(t.served.group, t.served.resource, t.name!);
  const before = present(current, t.served, false);
  let merged: KubeObject;
  try {
    merged = (
      mediaType === 'application/json-patch+json'
        ? jsonPatch(before, patch)
        : mediaType === 'application/merge-patch+json'
          ? jsonMergePatch(before, patch)
          : strategicMergePatch(before, patch)
    ) as KubeObject;
  } catch (err) {
    if (err instanceof PatchError) throw invalid(t.served.kind, t.served.group, t.name!, 'patch', err.message);
    throw err;
  }
  // A resourceVersion in the patch is a precondition; without one the patch applies to whatever is current.
  const rv = merged.metadata?.resourceVersion;
  if (rv !== undefined && rv !== current.metadata!.resourceVersion)
    throw conflict(t.served.group, t.served.resource, t.name!);
  return updateObject(store, t, merged, validateCrd);
}

/** Deleting a Namespace deletes what is in it, at once (a real server gets there through the Terminating phase). */
export function deleteObject(store: ObjectStore, t: Target): KubeObject {
  const gone = store.delete(t.served.group, t.served.kind, t.namespace ?? '', t.name!);
  if (!gone) throw notFound(t.served.group, t.served.resource, t.name!);
  if (t.served.group === '' && t.served.kind === 'Namespace') store.deleteNamespaceContents(t.name!);
  return present(gone, t.served, false);
}
