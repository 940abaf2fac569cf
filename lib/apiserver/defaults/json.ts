/**
 * Small accessors for editing decoded objects in place: the defaulting, PrepareForCreate and plugin rules
 * all read "the object at this key, if it is one" and write "this value, unless one is set".
 */
import type { JsonObject, JsonValue } from '../context';

export function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The object at `key`, or undefined when absent or not an object. */
export function child(obj: JsonObject, key: string): JsonObject | undefined {
  const v = obj[key];
  return isObject(v) ? v : undefined;
}

/** The object at `key`, created (as `{}`) when absent or null. */
export function ensureChild(obj: JsonObject, key: string): JsonObject {
  const v = obj[key];
  if (isObject(v)) return v;
  const created: JsonObject = {};
  obj[key] = created;
  return created;
}

/** The objects of the array at `key` (non-objects skipped), or none. */
export function children(obj: JsonObject, key: string): JsonObject[] {
  const v = obj[key];
  return Array.isArray(v) ? v.filter(isObject) : [];
}

/** Follows `path` through nested objects. */
export function at(obj: JsonObject, ...path: string[]): JsonObject | undefined {
  let cur: JsonObject | undefined = obj;
  for (const key of path) {
    if (cur === undefined) return undefined;
    cur = child(cur, key);
  }
  return cur;
}

/** An absent optional field as Go sees it after decoding: absent, null or "" (a nil pointer or an empty string). */
export function isUnset(v: JsonValue | undefined): boolean {
  return v === undefined || v === null || v === '';
}

/** Sets `obj[key] = value` when the field is absent/null/"" (a nil pointer or empty string in Go). */
export function setDefault(obj: JsonObject, key: string, value: JsonValue): void {
  if (isUnset(obj[key])) obj[key] = value;
}

/** Sets when the field is absent, null, "" or 0 (non-pointer ints whose zero means "unset"). */
export function setDefaultIfZero(obj: JsonObject, key: string, value: JsonValue): void {
  if (isUnset(obj[key]) || obj[key] === 0) obj[key] = value;
}

/** True when the value is an empty list/map or unset: Go's `len(x) == 0`. */
export function isEmpty(v: JsonValue | undefined): boolean {
  if (isUnset(v)) return true;
  if (Array.isArray(v)) return v.length === 0;
  if (isObject(v)) return Object.keys(v).length === 0;
  return false;
}

export function str(v: JsonValue | undefined): string {
  return typeof v === 'string' ? v : '';
}
