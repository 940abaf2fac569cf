/**
 * The three PATCH formats kube-apiserver applies without server-side apply: JSON patch (RFC 6902), JSON merge patch
 * (RFC 7386) and strategic merge patch. The strategic one is a subset: lists of objects merge by the merge keys of
 * the fields built-in types declare most (containers by name, ports by containerPort, ...), `finalizers` merges as a
 * set, and the directives kubectl apply emits ($patch, $setElementOrder, $retainKeys, $deleteFromPrimitiveList) are
 * honoured. Other lists are replaced whole, as merge patch would.
 */
import { applyPatch } from '../../../lib/kube/json-patch';
import type { JsonPatchOperation } from '../../../lib/kube/admission-review';

type Json = unknown;
type JsonObject = Record<string, Json>;

const isObject = (v: Json): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

export class PatchError extends Error {}

export function jsonMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const out: JsonObject = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = jsonMergePatch(out[k], v);
  }
  return out;
}

export function jsonPatch(target: Json, patch: Json): Json {
  if (!Array.isArray(patch)) throw new PatchError('a JSON patch must be an array of operations');
  try {
    return applyPatch(target, patch as JsonPatchOperation[]);
  } catch (err) {
    throw new PatchError(`the JSON patch could not be applied: ${(err as Error).message}`);
  }
}

/** patchMergeKey of list fields in core and apps types, by field name. */
const MERGE_KEYS: Readonly<Record<string, string>> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  volumes: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  conditions: 'type',
  resourceClaims: 'name',
};
/** Primitive lists with patchStrategy "merge". */
const MERGED_PRIMITIVE_LISTS = new Set(['finalizers']);

const SET_ORDER = '$setElementOrder/';
const DELETE_FROM = '$deleteFromPrimitiveList/';

function ordered(list: Json[], order: Json[] | undefined, key: string | undefined): Json[] {
  if (!order) return list;
  const id = (v: Json): Json => (key && isObject(v) ? v[key] : v);
  const rank = new Map(order.map((o, i) => [id(o), i]));
  return [...list].sort((a, b) => (rank.get(id(a)) ?? order.length) - (rank.get(id(b)) ?? order.length));
}

function mergeList(original: Json, patch: Json[], key: string, order: Json[] | undefined): Json[] {
  if (patch.some((p) => isObject(p) && p.$patch === 'replace')) return patch.filter((p) => !(isObject(p) && p.$patch === 'replace'));
  const out: Json[] = Array.isArray(original) ? [...original] : [];
  for (const item of patch) {
    if (!isObject(item) || item[key] === undefined) throw new PatchError(`map in list "${key}" lacks its merge key: ${JSON.stringify(item)}`);
    const at = out.findIndex((o) => isObject(o) && o[key] === item[key]);
    if (item.$patch === 'delete') {
      if (at >= 0) out.splice(at, 1);
    } else if (at >= 0) {
      out[at] = strategicMergePatch(out[at], item);
    } else {
      out.push(strategicMergePatch(undefined, item));
    }
  }
  return ordered(out, order, key);
}

export function strategicMergePatch(original: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return rest;
  }
  const out: JsonObject = isObject(original) ? { ...original } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith('$')) continue;
    if (v === null || (isObject(v) && v.$patch === 'delete')) {
      delete out[k];
    } else if (Array.isArray(v) && MERGE_KEYS[k] && v.every(isObject)) {
      out[k] = mergeList(out[k], v, MERGE_KEYS[k], patch[`${SET_ORDER}${k}`] as Json[] | undefined);
    } else if (Array.isArray(v) && MERGED_PRIMITIVE_LISTS.has(k)) {
      const current = Array.isArray(out[k]) ? (out[k] as Json[]) : [];
      out[k] = ordered([...current, ...v.filter((x) => !current.includes(x))], patch[`${SET_ORDER}${k}`] as Json[] | undefined, undefined);
    } else {
      out[k] = strategicMergePatch(out[k], v);
    }
  }
  for (const [k, v] of Object.entries(patch)) {
    if (k.startsWith(DELETE_FROM) && Array.isArray(v)) {
      const field = k.slice(DELETE_FROM.length);
      if (Array.isArray(out[field])) out[field] = (out[field] as Json[]).filter((x) => !v.includes(x));
    } else if (k.startsWith(SET_ORDER) && Array.isArray(v)) {
      const field = k.slice(SET_ORDER.length);
      if (!(field in patch) && Array.isArray(out[field])) out[field] = ordered(out[field] as Json[], v, MERGE_KEYS[field]);
    }
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as Json[]);
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }
  return out;
}
