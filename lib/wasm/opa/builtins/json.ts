import { OperandError, arrayOperand, type Builtin } from './types';
import {
  isNumber,
  isObject,
  numberParts,
  regoEqual,
  setKey,
  typeName,
  type RegoObject,
  type RegoValue,
} from '../value';
import { unescapePointerToken } from '../../../base/json-pointer';

type Segment = string | number;

/** A patch that does not apply: json.patch is then undefined (OPA applies patches atomically). */
class PatchFailed extends Error {}

/** OPA's parsePath: a `/`-separated pointer (leading slashes trimmed, `~1` and `~0` unescaped) or an array of segments. */
function parsePath(p: RegoValue): Segment[] {
  if (typeof p === 'string') {
    if (p === '') return [];
    return p.replace(/^\/+/, '').split('/').map(unescapePointerToken);
  }
  if (Array.isArray(p)) {
    return p.map((seg) => {
      if (typeof seg === 'string') return seg;
      if (isNumber(seg)) {
        const n = numberParts(seg);
        if ('int' in n) return Number(n.int);
      }
      throw new PatchFailed();
    });
  }
  throw new OperandError(
    `operand 2 must be one of {set, array} containing string paths or array of path segments but got ${typeName(p)}`,
  );
}

function index(seg: Segment, len: number, forAdd: boolean): number {
  if (forAdd && seg === '-') return len;
  const n = typeof seg === 'number' ? seg : /^\d+$/.test(seg) ? Number(seg) : NaN;
  if (!Number.isInteger(n) || n < 0 || n > (forAdd ? len : len - 1)) throw new PatchFailed();
  return n;
}

function clone(v: RegoValue): RegoValue {
  if (Array.isArray(v)) return v.map(clone);
  if (isObject(v)) {
    const o: RegoObject = {};
    for (const k of Object.keys(v)) setKey(o, k, clone(v[k]));
    return o;
  }
  return v;
}

function getAt(doc: RegoValue, path: Segment[]): RegoValue {
  let cur = doc;
  for (const seg of path) {
    if (Array.isArray(cur)) cur = cur[index(seg, cur.length, false)];
    else if (isObject(cur) && typeof seg === 'string' && Object.prototype.hasOwnProperty.call(cur, seg)) cur = cur[seg];
    else throw new PatchFailed();
  }
  return cur;
}

/** Rebuilds `doc` with the parent of `path` changed by `change` (which receives a copy it may mutate). */
function atParent(
  doc: RegoValue,
  path: Segment[],
  change: (parent: RegoValue[] | RegoObject, last: Segment) => void,
): RegoValue {
  if (path.length === 0) throw new PatchFailed();
  const rebuild = (cur: RegoValue, depth: number): RegoValue => {
    if (depth === path.length - 1) {
      if (Array.isArray(cur)) {
        const copy = cur.slice();
        change(copy, path[depth]);
        return copy;
      }
      if (isObject(cur)) {
        const copy: RegoObject = { ...cur };
        change(copy, path[depth]);
        return copy;
      }
      throw new PatchFailed();
    }
    const seg = path[depth];
    if (Array.isArray(cur)) {
      const i = index(seg, cur.length, false);
      const copy = cur.slice();
      copy[i] = rebuild(cur[i], depth + 1);
      return copy;
    }
    if (isObject(cur) && typeof seg === 'string' && Object.prototype.hasOwnProperty.call(cur, seg)) {
      const copy: RegoObject = { ...cur };
      setKey(copy, seg, rebuild(cur[seg], depth + 1));
      return copy;
    }
    throw new PatchFailed();
  };
  return rebuild(doc, 0);
}

function add(doc: RegoValue, path: Segment[], value: RegoValue): RegoValue {
  if (path.length === 0) return clone(value);
  return atParent(doc, path, (parent, last) => {
    if (Array.isArray(parent)) parent.splice(index(last, parent.length, true), 0, clone(value));
    else if (typeof last === 'string') setKey(parent, last, clone(value));
    else throw new PatchFailed();
  });
}

function remove(doc: RegoValue, path: Segment[]): RegoValue {
  return atParent(doc, path, (parent, last) => {
    if (Array.isArray(parent)) parent.splice(index(last, parent.length, false), 1);
    else if (typeof last === 'string' && Object.prototype.hasOwnProperty.call(parent, last)) delete parent[last];
    else throw new PatchFailed();
  });
}

/** json.patch(object, patches): RFC 6902 as OPA applies it; undefined when an operation does not apply. */
export function jsonPatch(target: RegoValue, patches: RegoValue[]): RegoValue | undefined {
  let doc = target;
  try {
    for (const p of patches) {
      if (!isObject(p)) throw new OperandError('operand 2 must be an array of JSON-Patch objects');
      const attr = (name: string): RegoValue => {
        if (!Object.prototype.hasOwnProperty.call(p, name))
          throw new OperandError(`operand 2 patch is missing '${name}' attribute`);
        return p[name];
      };
      const op = attr('op');
      if (typeof op !== 'string') throw new OperandError("operand 2 patch attribute 'op' must be a string");
      const path = parsePath(attr('path'));
      switch (op) {
        case 'add':
          doc = add(doc, path, attr('value'));
          break;
        case 'remove':
          doc = remove(doc, path);
          break;
        case 'replace':
          doc = path.length === 0 ? clone(attr('value')) : add(remove(doc, path), path, attr('value'));
          break;
        case 'move': {
          const from = parsePath(attr('from'));
          const v = getAt(doc, from);
          doc = add(remove(doc, from), path, v);
          break;
        }
        case 'copy':
          doc = add(doc, path, getAt(doc, parsePath(attr('from'))));
          break;
        case 'test':
          if (!regoEqual(getAt(doc, path), attr('value'))) throw new PatchFailed();
          break;
        default:
          throw new OperandError('operand 2 must be an array of JSON-Patch objects');
      }
    }
  } catch (err) {
    if (err instanceof PatchFailed) return undefined;
    throw err;
  }
  return doc;
}

export const JSON_BUILTINS: Record<string, Builtin> = {
  'json.patch': { arity: 2, fn: (args) => jsonPatch(args[0], arrayOperand(args, 1)) },
};
