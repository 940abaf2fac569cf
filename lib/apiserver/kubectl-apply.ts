/**
 * What kubectl does to an object before sending it (kubectl pkg/cmd/apply/apply.go, pkg/util/apply.go,
 * cli-runtime pkg/resource builder visitors): the namespace set or removed, generateName refused, the
 * last-applied-configuration annotation, nulls pruned from maps, resourceVersion cleared.
 */
import type { JsonObject, JsonValue } from './context';
import { goJson } from './go-json';

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';

/** `client`: kubectl apply; `server`: kubectl apply --server-side; `create`: kubectl create. */
export type ApplyMode = 'client' | 'server' | 'create';
export const APPLY_MODES: readonly ApplyMode[] = ['client', 'server', 'create'];

export class KubectlError extends Error {}

/** The body kubectl sends for `obj` (a copy). Throws KubectlError where kubectl refuses the object. */
export function kubectlBody(
  obj: JsonObject,
  namespaced: boolean,
  defaultNamespace: string,
  mode: ApplyMode,
): JsonObject {
  // Shallow copies down to metadata: pruneNulls below makes the deep copy that is sent.
  const metadata: JsonObject = isObject(obj.metadata) ? { ...obj.metadata } : {};
  const body: JsonObject = { ...obj, metadata };
  if (namespaced) {
    if (typeof metadata.namespace !== 'string' || metadata.namespace === '') metadata.namespace = defaultNamespace;
  } else {
    delete metadata.namespace;
  }
  const named = typeof metadata.name === 'string' && metadata.name !== '';
  if (!named && mode !== 'create') {
    throw new KubectlError(
      typeof metadata.generateName === 'string' && metadata.generateName !== ''
        ? 'cannot use generate name with apply'
        : 'resource name may not be empty',
    );
  }
  if (mode === 'client') {
    const annotations = isObject(metadata.annotations) ? { ...metadata.annotations } : {};
    delete annotations[LAST_APPLIED];
    const applied: JsonObject = { ...body, metadata: { ...metadata, annotations } };
    metadata.annotations = { ...annotations, [LAST_APPLIED]: goJson(applied) + '\n' };
  }
  const pruned = pruneNulls(body) as JsonObject;
  const meta = pruned.metadata as JsonObject;
  delete meta.resourceVersion;
  return pruned;
}

/** kubectl's pruneNullsFromMap: map entries whose value is null go, recursively; nulls inside lists stay. */
export function pruneNulls(v: JsonValue): JsonValue {
  if (Array.isArray(v)) return v.map((x) => (x !== null && typeof x === 'object' ? pruneNulls(x) : x));
  if (!isObject(v)) return v;
  const out: JsonObject = {};
  for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = pruneNulls(x);
  return out;
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
