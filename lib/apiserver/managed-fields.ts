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
  const out: [string, JsonObject][] = [];
  for (const k in obj) {
    if (k === 'apiVersion' || k === 'kind' || k === 'status') continue;
    let value = obj[k];
    if (k === 'metadata' && isObject(value)) {
      const kept: JsonObject = {};
      for (const mk in value) if (!METADATA_EXCLUDED.has(mk)) kept[mk] = value[mk];
      value = kept;
    }
    const spec = typeName ? table?.type(typeName)?.p[k] : undefined;
    const node = nodeOf(value, fieldType(spec), empty[k], table);
    if (node) out.push([`f:${k}`, node]);
  }
  return nodeFrom(out);
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
  const children: [string, JsonObject][] = [];
  if (Array.isArray(v) && t && typeof t === 'object' && 'a' in t && (t.lt === 'map' || t.lt === 'set')) {
    for (const item of v) {
      if (t.lt === 'set') {
        children.push([`v:${goJson(item)}`, {}]);
        continue;
      }
      if (!isObject(item)) continue;
      const keys: JsonObject = {};
      for (const k of t.lk ?? []) if (item[k] !== undefined) keys[k] = item[k];
      children.push([`k:${goJson(keys)}`, nodeOf(item, t.a, undefined, table) ?? {}]);
    }
  } else if (isObject(v) && !(t === 'any')) {
    const itemType = t && typeof t === 'object' && 'm' in t ? t.m : undefined;
    const def = typeof t === 'string' && t.startsWith('@') ? table?.type(t.slice(1)) : undefined;
    const empty = isObject(inEmpty) ? inEmpty : {};
    for (const k in v) {
      const node = nodeOf(v[k], itemType ?? fieldType(def?.p[k]), recorded ? undefined : empty[k], table);
      if (node) children.push([`f:${k}`, node]);
    }
  }
  if (children.length === 0) return recorded ? {} : undefined;
  if (recorded) children.push(['.', {}]);
  return nodeFrom(children);
}

/**
 * The node with its children in fieldpath order: "." first, then fields, keys, values, indexes, each by byte
 * order. (Children are never integer-like keys, so an object keeps the order they are inserted in.)
 */
function nodeFrom(children: [string, JsonObject][]): JsonObject {
  if (children.length > 1) children.sort(compareChildren);
  const out: JsonObject = {};
  for (const [k, node] of children) out[k] = node;
  return out;
}

function rank(c: number): number {
  switch (c) {
    case 0x2e: // .
      return 0;
    case 0x66: // f
      return 1;
    case 0x6b: // k
      return 2;
    case 0x76: // v
      return 3;
    case 0x69: // i
      return 4;
    default:
      return 5;
  }
}

function compareChildren(x: [string, JsonObject], y: [string, JsonObject]): number {
  const a = x[0];
  const b = y[0];
  const d = rank(a.charCodeAt(0)) - rank(b.charCodeAt(0));
  return d !== 0 ? d : a < b ? -1 : a > b ? 1 : 0;
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
