import type { JsonPatchOperation } from './admission-review';
import { escapePointerToken, pointerTokens } from '../base/json-pointer';

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
      if (!Object.prototype.hasOwnProperty.call(b, k)) ops.push({ op: 'remove', path: `${path}/${escapePointerToken(k)}` });
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

/** Applies a patch (add/remove/replace/move/copy/test) to a deep copy of `doc`. Throws on an invalid path. */
export function applyPatch(doc: unknown, patch: JsonPatchOperation[]): unknown {
  let root = structuredClone(doc);
  for (const op of patch) {
    switch (op.op) {
      case 'add':
        root = setAt(root, op.path, structuredClone(op.value), 'add');
        break;
      case 'replace':
        root = setAt(root, op.path, structuredClone(op.value), 'replace');
        break;
      case 'remove':
        root = removeAt(root, op.path);
        break;
      case 'move': {
        const v = getAt(root, op.from ?? '');
        root = removeAt(root, op.from ?? '');
        root = setAt(root, op.path, v, 'add');
        break;
      }
      case 'copy':
        root = setAt(root, op.path, structuredClone(getAt(root, op.from ?? '')), 'add');
        break;
      case 'test':
        if (JSON.stringify(getAt(root, op.path)) !== JSON.stringify(op.value)) throw new Error(`test failed at ${op.path}`);
        break;
    }
  }
  return root;
}

export function parsePointer(pointer: string): string[] {
  const tokens = pointerTokens(pointer);
  if (!tokens) throw new Error(`invalid JSON pointer "${pointer}"`);
  return tokens;
}

function getAt(root: unknown, pointer: string): unknown {
  let cur = root;
  for (const t of parsePointer(pointer)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else throw new Error(`path ${pointer} does not exist`);
  }
  return cur;
}

function setAt(root: unknown, pointer: string, value: unknown, mode: 'add' | 'replace'): unknown {
  const tokens = parsePointer(pointer);
  if (tokens.length === 0) return value;
  const parent = getAt(root, parentPointer(tokens));
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) {
    const idx = last === '-' ? parent.length : Number(last);
    if (!Number.isInteger(idx) || idx < 0 || idx > parent.length) throw new Error(`index ${last} out of range at ${pointer}`);
    if (mode === 'add') parent.splice(idx, 0, value);
    else parent[idx] = value;
  } else if (isObject(parent)) {
    parent[last] = value;
  } else {
    throw new Error(`path ${pointer} does not exist`);
  }
  return root;
}

function removeAt(root: unknown, pointer: string): unknown {
  const tokens = parsePointer(pointer);
  const parent = getAt(root, parentPointer(tokens));
  const last = tokens[tokens.length - 1];
  if (Array.isArray(parent)) parent.splice(Number(last), 1);
  else if (isObject(parent)) delete parent[last];
  else throw new Error(`path ${pointer} does not exist`);
  return root;
}

function parentPointer(tokens: string[]): string {
  return tokens.length > 1 ? '/' + tokens.slice(0, -1).map(escapePointerToken).join('/') : '';
}


function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function isScalar(v: unknown): boolean {
  return v === null || typeof v !== 'object';
}
