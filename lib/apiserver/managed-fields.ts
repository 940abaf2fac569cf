/**
 * The managedFields entry the API server's field manager writes before mutating admission (apimachinery
 * pkg/util/managedfields/internal/fieldmanager.go, structured-merge-diff typed/compare.go and
 * fieldpath/serialize.go): the set of fields present in the object but not in an empty object of its type.
 * List-map items are keyed by their `x-kubernetes-list-map-keys`, set items by value, atomic lists are leaves.
 * Derived from the algorithm; byte-exactness for every kind is not verified (docs/admission-path.md).
 */
import type { JsonObject, JsonValue } from './context';
import { goJson } from './go-json';
import type { FieldSpec, FieldType, SchemaTable } from './schema-table';

export interface ManagedFieldsEntry extends JsonObject {
  manager: string;
  operation: string;
  apiVersion: string;
  time: string;
  fieldsType: 'FieldsV1';
  fieldsV1: JsonObject;
}

const METADATA_EXCLUDED = new Set([
  'name',
  'namespace',
  'creationTimestamp',
  'selfLink',
  'uid',
  'generation',
  'managedFields',
  'resourceVersion',
]);

/** The field set of `obj` (typed-encoded) relative to `empty` (the encoding of an empty object of its type). */
export function fieldSet(
  obj: JsonObject,
  empty: JsonObject,
  typeName: string | undefined,
  table: SchemaTable | undefined,
): JsonObject {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(obj)) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status') continue;
    let value = v;
    if (k === 'metadata' && isObject(v)) {
      value = Object.fromEntries(Object.entries(v).filter(([mk]) => !METADATA_EXCLUDED.has(mk)));
    }
    const spec = typeName ? table?.type(typeName)?.p[k] : undefined;
    const node = nodeOf(value, fieldType(spec), empty[k], table);
    if (node) out[`f:${k}`] = node;
  }
  return sortNode(out);
}

function fieldType(spec: FieldSpec | undefined): FieldType | undefined {
  if (spec === undefined) return undefined;
  return typeof spec === 'object' && 't' in spec ? spec.t : (spec as FieldType);
}

/** The node of a value; undefined when it adds nothing (present as is in the empty object, without children). */
function nodeOf(
  v: JsonValue,
  t: FieldType | undefined,
  inEmpty: JsonValue | undefined,
  table: SchemaTable | undefined,
): JsonObject | undefined {
  const recorded = inEmpty === undefined;
  const children: JsonObject = {};
  if (Array.isArray(v) && t && typeof t === 'object' && 'a' in t && (t.lt === 'map' || t.lt === 'set')) {
    for (const item of v) {
      if (t.lt === 'set') {
        children[`v:${goJson(item)}`] = {};
        continue;
      }
      if (!isObject(item)) continue;
      const keys: JsonObject = {};
      for (const k of t.lk ?? []) if (item[k] !== undefined) keys[k] = item[k];
      children[`k:${goJson(keys)}`] = nodeOf(item, t.a, undefined, table) ?? {};
    }
  } else if (isObject(v) && !(t === 'any')) {
    const itemType = t && typeof t === 'object' && 'm' in t ? t.m : undefined;
    const def = typeof t === 'string' && t.startsWith('@') ? table?.type(t.slice(1)) : undefined;
    const empty = isObject(inEmpty) ? inEmpty : {};
    for (const k in v) {
      const node = nodeOf(v[k], itemType ?? fieldType(def?.p[k]), recorded ? undefined : empty[k], table);
      if (node) children[`f:${k}`] = node;
    }
  }
  let any = false;
  // eslint-disable-next-line @typescript-eslint/no-unused-vars -- only whether there is a member matters, without building the key list
  for (const _ in children) {
    any = true;
    break;
  }
  if (!any) return recorded ? {} : undefined;
  if (recorded) children['.'] = {};
  return sortNode(children);
}

/** Children in fieldpath order: "." first, then fields, keys, values, indexes, each by byte order. */
function sortNode(n: JsonObject): JsonObject {
  const keys = Object.keys(n);
  if (keys.length < 2) return n;
  keys.sort(compareKeys);
  const out: JsonObject = {};
  for (const k of keys) out[k] = n[k];
  return out;
}

const RANK: Record<string, number> = { '.': 0, f: 1, k: 2, v: 3, i: 4 };

function compareKeys(a: string, b: string): number {
  const d = (RANK[a[0]] ?? 5) - (RANK[b[0]] ?? 5);
  return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
