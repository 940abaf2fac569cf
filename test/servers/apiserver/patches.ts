/**
 * The three PATCH formats kube-apiserver applies without server-side apply: JSON patch (RFC 6902), JSON merge patch
 * (RFC 7386) and strategic merge patch. The strategic one is a subset: lists of objects merge by the merge keys of
 * the fields built-in types declare most (containers by name, ports by containerPort, ...), `finalizers` merges as a
 * set, and the directives kubectl apply emits ($patch, $setElementOrder, $retainKeys, $deleteFromPrimitiveList) are
 * honoured. Other lists are replaced whole, as merge patch would.
 */

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

/**
 * RFC 6902, written apart from the plugin's applier (lib/kube/json-patch.ts) so that a bug there is not mirrored
 * here: each operation rebuilds the document along its path instead of changing it in place. Covers what kubectl
 * sends (add, remove, replace, move, copy, test on members and indexes); "-" appends; no negative indexes.
 */
export function jsonPatch(target: Json, patch: Json): Json {
  if (!Array.isArray(patch)) throw new PatchError('a JSON patch must be an array of operations');
  let doc = structuredClone(target);
  for (const op of patch) {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string')
      fail('an operation needs op and path');
    const o = op as { op: string; path: string; from?: unknown; value?: Json };
    const path = tokens(o.path);
    const from = (): string[] => (typeof o.from === 'string' ? tokens(o.from) : fail(`${o.op} needs from`));
    if (o.op === 'add') doc = rebuild(doc, path, (c, k) => put(c, k, structuredClone(o.value), true));
    else if (o.op === 'remove') doc = rebuild(doc, path, (c, k) => take(c, k));
    else if (o.op === 'replace') doc = rebuild(doc, path, (c, k) => put(take(c, k), k, structuredClone(o.value), true));
    else if (o.op === 'move' || o.op === 'copy') {
      const src = from();
      const value = structuredClone(valueAt(doc, src));
      if (o.op === 'move') doc = rebuild(doc, src, (c, k) => take(c, k));
      doc = rebuild(doc, path, (c, k) => put(c, k, value, true));
    } else if (o.op === 'test') {
      if (!sameJson(valueAt(doc, path), o.value)) fail(`test failed at ${o.path}`);
    } else fail(`unsupported operation ${o.op}`);
  }
  return doc;
}

function fail(reason: string): never {
  throw new PatchError(`the JSON patch could not be applied: ${reason}`);
}

function tokens(p: string): string[] {
  if (p === '') return [];
  if (!p.startsWith('/')) fail(`"${p}" is not a JSON pointer`);
  return p
    .slice(1)
    .split('/')
    .map((t) => t.replaceAll('~1', '/').replaceAll('~0', '~'));
}

function index(c: Json[], k: string, forAdd: boolean): number {
  if (forAdd && k === '-') return c.length;
  if (!/^(0|[1-9][0-9]*)$/.test(k) || Number(k) > c.length || (!forAdd && Number(k) === c.length))
    fail(`index ${k} is out of range`);
  return Number(k);
}

function valueAt(doc: Json, path: string[]): Json {
  return path.reduce<Json>((cur, k) => {
    if (Array.isArray(cur)) return cur[index(cur, k, false)];
    if (isObject(cur) && Object.hasOwn(cur, k)) return cur[k];
    return fail(`path /${path.join('/')} does not exist`);
  }, doc);
}

/** A copy of `doc` whose container at path[..-1] is replaced by what `change` makes of it and the last token. */
function rebuild(
  doc: Json,
  path: string[],
  change: (container: JsonObject | Json[], key: string) => JsonObject | Json[],
): Json {
  if (path.length === 0) fail('the root cannot be patched this way');
  const [k, ...rest] = path;
  if (!Array.isArray(doc) && !isObject(doc)) fail(`/${k} is not inside an object or array`);
  if (rest.length === 0) return change(doc as JsonObject | Json[], k);
  const child = valueAt(doc, [k]);
  const next = rebuild(child, rest, change);
  return put(doc as JsonObject | Json[], k, next, false);
}

function put(c: JsonObject | Json[], k: string, v: Json, insertInArray: boolean): JsonObject | Json[] {
  if (Array.isArray(c)) {
    const i = index(c, k, insertInArray);
    return insertInArray ? [...c.slice(0, i), v, ...c.slice(i)] : c.map((x, j) => (j === i ? v : x));
  }
  return { ...c, [k]: v };
}

function take(c: JsonObject | Json[], k: string): JsonObject | Json[] {
  if (Array.isArray(c)) {
    const i = index(c, k, false);
    return c.filter((_, j) => j !== i);
  }
  if (!Object.hasOwn(c, k)) fail(`member ${k} does not exist`);
  const { [k]: _gone, ...rest } = c;
  return rest;
}

function sameJson(a: Json, b: Json): boolean {
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => sameJson(x, b[i]));
  if (isObject(a))
    return (
      isObject(b) &&
      Object.keys(a).length === Object.keys(b).length &&
      Object.keys(a).every((k) => Object.hasOwn(b, k) && sameJson(a[k], b[k]))
    );
  return a === b;
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
  if (patch.some((p) => isObject(p) && p.$patch === 'replace'))
    return patch.filter((p) => !(isObject(p) && p.$patch === 'replace'));
  const out: Json[] = Array.isArray(original) ? [...original] : [];
  for (const item of patch) {
    if (!isObject(item) || item[key] === undefined)
      throw new PatchError(`map in list "${key}" lacks its merge key: ${JSON.stringify(item)}`);
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
      out[k] = ordered(
        [...current, ...v.filter((x) => !current.includes(x))],
        patch[`${SET_ORDER}${k}`] as Json[] | undefined,
        undefined,
      );
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
      if (!(field in patch) && Array.isArray(out[field]))
        out[field] = ordered(out[field] as Json[], v, MERGE_KEYS[field]);
    }
  }
  if (Array.isArray(patch.$retainKeys)) {
    const keep = new Set(patch.$retainKeys as Json[]);
    for (const k of Object.keys(out)) if (!keep.has(k)) delete out[k];
  }
  return out;
}
