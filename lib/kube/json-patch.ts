import type { JsonPatchOperation } from './admission-review';
import { escapePointerToken, unescapePointerToken } from '../base/json-pointer';

/**
 * RFC 6902 diff from `from` to `to`, in the shape json-patch's `diff` produces for policy-server: objects key
 * by key, arrays index by index (extra elements added at the end, missing ones removed from the end backwards),
 * and `replace` where the JSON types differ. Applying the result to `from` yields `to`.
 */
export function diff(from: unknown, to: unknown): JsonPatchOperation[] {
  const ops: JsonPatchOperation[] = [];
  walk(from, to, '', ops);
  return ops;
}

function walk(a: unknown, b: unknown, path: string, ops: JsonPatchOperation[]): void {
  if (a === b) return;
  if (isObject(a) && isObject(b)) {
    for (const k of Object.keys(a)) {
      if (!Object.prototype.hasOwnProperty.call(b, k))
        ops.push({ op: 'remove', path: `${path}/${escapePointerToken(k)}` });
    }
    for (const k of Object.keys(b)) {
      const p = `${path}/${escapePointerToken(k)}`;
      if (!Object.prototype.hasOwnProperty.call(a, k)) ops.push({ op: 'add', path: p, value: b[k] });
      else walk(a[k], b[k], p, ops);
    }
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const common = Math.min(a.length, b.length);
    for (let i = 0; i < common; i++) walk(a[i], b[i], `${path}/${i}`, ops);
    for (let i = common; i < b.length; i++) ops.push({ op: 'add', path: `${path}/${i}`, value: b[i] });
    for (let i = a.length - 1; i >= common; i--) ops.push({ op: 'remove', path: `${path}/${i}` });
    return;
  }
  if (isScalar(a) && isScalar(b) && a === b) return;
  ops.push({ op: 'replace', path, value: b });
}

/** A patch that cannot be applied: the operation (0-based) and why, in the API server's terms. */
export class JsonPatchError extends Error {
  constructor(
    readonly index: number,
    readonly reason: string,
  ) {
    super(`JSON patch operation ${index}: ${reason}`);
    this.name = 'JsonPatchError';
  }
}

/**
 * Applies a patch to a deep copy of `doc` the way the API server applies a mutating webhook's patch: with
 * evanphx/json-patch v4 (k8s.io/apiserver's mutating dispatcher), which is RFC 6902 except where noted here and in
 * docs/decisions.md ("JSON Patch"):
 * - every path is resolved from its parent container; the root path "" names no parent, so no operation applies
 *   to it (RFC 6902 §4 allows replacing the root);
 * - array indexes may be negative, counting from the end (-1 is the last element; for `add`, -1 appends);
 *   "01" reads as 1 (RFC 6901 §4 forbids leading zeros);
 * - `replace` of a missing member of an object sets it (RFC 6902 §4.3 requires it to exist); a missing array index
 *   or a missing parent is an error, as in the RFC;
 * - `copy` from a missing object member writes null; `test` of a missing member passes against null, and an
 *   object passes against a value that has every one of its members (extra members of the value are not compared).
 * Any other failure throws JsonPatchError and nothing of `doc` changes.
 */
export function applyPatch(doc: unknown, patch: JsonPatchOperation[]): unknown {
  const root: { value: unknown } = { value: structuredClone(doc) };
  patch.forEach((op, i) => {
    const fail = (reason: string): never => {
      throw new JsonPatchError(i, reason);
    };
    switch (op.op) {
      case 'add': {
        const at = locate(root.value, op.path) ?? fail(`add: the document has no parent of path "${op.path}"`);
        add(at, structuredClone(op.value), fail);
        break;
      }
      case 'remove': {
        const at = locate(root.value, op.path) ?? fail(`remove: the document has no parent of path "${op.path}"`);
        remove(at, fail);
        break;
      }
      case 'replace': {
        const at = locate(root.value, op.path) ?? fail(`replace: the document has no parent of path "${op.path}"`);
        replace(at, structuredClone(op.value), fail);
        break;
      }
      case 'move': {
        const from =
          locate(root.value, op.from ?? '') ?? fail(`move: the document has no parent of from "${op.from ?? ''}"`);
        const value = get(from, fail);
        remove(from, fail);
        const to = locate(root.value, op.path) ?? fail(`move: the document has no parent of path "${op.path}"`);
        add(to, value, fail);
        break;
      }
      case 'copy': {
        const from =
          locate(root.value, op.from ?? '') ?? fail(`copy: the document has no parent of from "${op.from ?? ''}"`);
        const value = structuredClone(get(from, fail));
        const to = locate(root.value, op.path) ?? fail(`copy: the document has no parent of path "${op.path}"`);
        add(to, value === undefined ? null : value, fail);
        break;
      }
      case 'test': {
        const at = locate(root.value, op.path) ?? fail(`test: the document has no parent of path "${op.path}"`);
        const value = get(at, fail);
        if (!testEquals(value ?? null, op.value ?? null)) fail(`test: the value at "${op.path}" differs`);
        break;
      }
      default:
        fail(`unknown operation "${String((op as { op: unknown }).op)}"`);
    }
  });
  return root.value;
}

/** A path's parent container and last token. */
interface Location {
  parent: Record<string, unknown> | unknown[];
  key: string;
}

/**
 * The parent of `pointer`'s target, or undefined when a container on the way is missing or not a container. As in
 * json-patch v4, the text before the first "/" is ignored and a path without "/" (the root included) has no parent.
 */
function locate(root: unknown, pointer: string): Location | undefined {
  const split = pointer.split('/');
  if (split.length < 2) return undefined;
  const tokens = split.slice(1).map(unescapePointerToken);
  let cur: unknown = root;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) {
      const i = arrayIndex(t, cur.length);
      cur = i === undefined || i >= cur.length ? undefined : cur[i];
    } else if (isObject(cur)) {
      cur = Object.prototype.hasOwnProperty.call(cur, t) ? cur[t] : undefined;
    } else return undefined;
    if (cur === null || typeof cur !== 'object') return undefined;
  }
  return Array.isArray(cur) || isObject(cur) ? { parent: cur, key: tokens[tokens.length - 1] } : undefined;
}

/** A decimal index (sign allowed, as Go's strconv.Atoi reads it), negative ones counted from `length`. */
function arrayIndex(token: string, length: number): number | undefined {
  if (!/^[+-]?\d+$/.test(token)) return undefined;
  const n = Number(token);
  if (n < 0) return n < -length ? undefined : n + length;
  return n;
}

function get({ parent, key }: Location, fail: (reason: string) => never): unknown {
  if (!Array.isArray(parent)) return Object.prototype.hasOwnProperty.call(parent, key) ? parent[key] : undefined;
  const i = arrayIndex(key, parent.length);
  if (i === undefined || i >= parent.length) fail(`index "${key}" is out of range (${parent.length} elements)`);
  return parent[i!];
}

function add({ parent, key }: Location, value: unknown, fail: (reason: string) => never): void {
  if (!Array.isArray(parent)) {
    parent[key] = value;
    return;
  }
  const i = key === '-' ? parent.length : arrayIndex(key, parent.length + 1);
  if (i === undefined || i > parent.length) fail(`index "${key}" is out of range for add (${parent.length} elements)`);
  parent.splice(i!, 0, value);
}

function remove({ parent, key }: Location, fail: (reason: string) => never): void {
  if (!Array.isArray(parent)) {
    if (!Object.prototype.hasOwnProperty.call(parent, key)) fail(`remove: there is no member "${key}"`);
    delete parent[key];
    return;
  }
  const i = arrayIndex(key, parent.length);
  if (i === undefined || i >= parent.length) fail(`index "${key}" is out of range (${parent.length} elements)`);
  parent.splice(i!, 1);
}

function replace(at: Location, value: unknown, fail: (reason: string) => never): void {
  get(at, fail);
  const { parent, key } = at;
  if (Array.isArray(parent)) parent[arrayIndex(key, parent.length)!] = value;
  else parent[key] = value;
}

/** json-patch v4's equality: arrays element by element, objects by every member of `a` (see applyPatch). */
function testEquals(a: unknown, b: unknown): boolean {
  if (Array.isArray(a))
    return Array.isArray(b) && a.length === b.length && a.every((x, i) => testEquals(x ?? null, b[i] ?? null));
  if (isObject(a))
    return (
      isObject(b) &&
      Object.keys(a).every((k) => Object.prototype.hasOwnProperty.call(b, k) && testEquals(a[k] ?? null, b[k] ?? null))
    );
  return !Array.isArray(b) && !isObject(b) && a === b;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}
