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

const METADATA_EXCLUDED = new Set(['name', 'namespace', 'creationTimestamp', 'selfLink', 'uid', 'generation', 'managedFields', 'resourceVersion']);

/** The field set of `obj` (typed-encoded) relative to `empty` (the encoding of an empty object of its type). */
export function fieldSet(obj: JsonObject, empty: JsonObject, typeName: string | undefined, table: SchemaTable | undefined): JsonObject {
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
function nodeOf(v: JsonValue, t: FieldType | undefined, inEmpty: JsonValue | undefined, table: SchemaTable | undefined): JsonObject | undefined {
  const recorded = inEmpty === undefined;
  let children: JsonObject = {};
  if (Array.isArray(v) && t && typeof t === 'object' && 'a' in t && (t.lt === 'map' || t.lt === 'set')) {
    for (const item of v) {
      if (t.lt === 'set') {
        children[`v:${goJson(item)}`] = {};
        continue;
      }
      if (!isObject(item)) continue;
      const keys = Object.fromEntries((t.lk ?? []).filter((k) => item[k] !== undefined).sort().map((k) => [k, item[k]]));
      children[`k:${goJson(keys)}`] = nodeOf(item, t.a, undefined, table) ?? {};
    }
  } else if (isObject(v) && !(t === 'any')) {
    const itemType = t && typeof t === 'object' && 'm' in t ? t.m : undefined;
    const def = typeof t === 'string' && t.startsWith('@') ? table?.type(t.slice(1)) : undefined;
    const empty = isObject(inEmpty) ? inEmpty : {};
    for (const [k, x] of Object.entries(v)) {
      const node = nodeOf(x, itemType ?? fieldType(def?.p[k]), recorded ? undefined : empty[k], table);
      if (node) children[`f:${k}`] = node;
    }
  }
  children = sortNode(children);
  if (Object.keys(children).length === 0) return recorded ? {} : undefined;
  return recorded ? { '.': {}, ...children } : children;
}

/** Children in fieldpath order: "." first, then fields, keys, values, indexes, each by byte order. */
function sortNode(n: JsonObject): JsonObject {
  const rank = (k: string): number => (k === '.' ? 0 : k.startsWith('f:') ? 1 : k.startsWith('k:') ? 2 : k.startsWith('v:') ? 3 : 4);
  const keys = Object.keys(n).sort((a, b) => rank(a) - rank(b) || Buffer.compare(Buffer.from(a), Buffer.from(b)));
  return Object.fromEntries(keys.map((k) => [k, n[k]]));
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
