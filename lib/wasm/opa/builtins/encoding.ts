import { OperandError, operandTypeError, stringOperand, utf8, type Builtin } from './types';
import { compareStrings, isObject, setKey, type RegoObject, type RegoValue } from '../value';

// ------------------------------------------------------------------------------------------ url encoding (Go net/url)

const UNRESERVED = /[A-Za-z0-9\-_.~]/;

/** url.QueryEscape. */
export function queryEscape(s: string): string {
  let out = '';
  for (const b of utf8(s)) {
    const c = String.fromCharCode(b);
    if (b < 0x80 && UNRESERVED.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const isHex = (c: number | undefined) =>
  c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));

/** url.QueryUnescape: `+` is a space, `%XX` a byte; errors as Go's EscapeError. */
export function queryUnescape(s: string): string {
  const src = utf8(s);
  const out: number[] = [];
  for (let i = 0; i < src.length;) {
    const c = src[i];
    if (c === 0x25) {
      if (i + 2 >= src.length || !isHex(src[i + 1]) || !isHex(src[i + 2])) {
        const bad = src.subarray(i, Math.min(i + 3, src.length)).toString('utf8');
        throw new OperandError(`invalid URL escape ${JSON.stringify(bad)}`);
      }
      out.push(parseInt(String.fromCharCode(src[i + 1], src[i + 2]), 16));
      i += 3;
    } else {
      out.push(c === 0x2b ? 0x20 : c);
      i++;
    }
  }
  return Buffer.from(out).toString('utf8');
}

/** url.Values.Encode: keys sorted, each value `key=value`, joined by `&`. */
function encodeValues(values: Map<string, string[]>): string {
  const parts: string[] = [];
  for (const k of [...values.keys()].sort(compareStrings)) {
    for (const v of values.get(k)!) parts.push(`${queryEscape(k)}=${queryEscape(v)}`);
  }
  return parts.join('&');
}

/** url.ParseQuery: every key with all its values; the first error wins but parsing goes on (as Go). */
function parseQuery(query: string): { values: Map<string, string[]>; error?: string } {
  const values = new Map<string, string[]>();
  let error: string | undefined;
  for (const pair of query === '' ? [] : query.split('&')) {
    if (pair.includes(';')) {
      error ??= 'invalid semicolon separator in query';
      continue;
    }
    if (pair === '') continue;
    const eq = pair.indexOf('=');
    const rawKey = eq < 0 ? pair : pair.slice(0, eq);
    const rawValue = eq < 0 ? '' : pair.slice(eq + 1);
    let key: string;
    let value: string;
    try {
      key = queryUnescape(rawKey);
      value = queryUnescape(rawValue);
    } catch (err) {
      error ??= (err as Error).message;
      continue;
    }
    const list = values.get(key);
    if (list) list.push(value);
    else values.set(key, [value]);
  }
  return error === undefined ? { values } : { values, error };
}

// ------------------------------------------------------------------------------------------ hex (Go encoding/hex)

/** Go's `%#U` of a byte taken as a rune. */
function goRuneU(b: number): string {
  const ch = String.fromCodePoint(b);
  const hex = `U+${b.toString(16).toUpperCase().padStart(4, '0')}`;
  return /[\p{L}\p{M}\p{N}\p{P}\p{S} ]/u.test(ch) ? `${hex} '${ch}'` : hex;
}

export function hexDecode(s: string): string {
  const src = utf8(s);
  const val = (b: number) =>
    b >= 0x30 && b <= 0x39 ? b - 0x30 : b >= 0x61 && b <= 0x66 ? b - 0x57 : b >= 0x41 && b <= 0x46 ? b - 0x37 : -1;
  const out = Buffer.alloc(src.length >> 1);
  let j = 1;
  for (; j < src.length; j += 2) {
    const a = val(src[j - 1]);
    const b = val(src[j]);
    if (a < 0) throw new OperandError(`encoding/hex: invalid byte: ${goRuneU(src[j - 1])}`);
    if (b < 0) throw new OperandError(`encoding/hex: invalid byte: ${goRuneU(src[j])}`);
    out[(j - 1) >> 1] = (a << 4) | b;
  }
  if (src.length % 2 === 1) {
    if (val(src[j - 1]) < 0) throw new OperandError(`encoding/hex: invalid byte: ${goRuneU(src[j - 1])}`);
    throw new OperandError('encoding/hex: odd length hex string');
  }
  return out.toString('utf8');
}

/** Go's json.Valid (JSON.parse accepts exactly RFC 8259 JSON, as Go does). */
export function jsonValid(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

export const ENCODING_BUILTINS: Record<string, Builtin> = {
  'base64url.encode_no_pad': { arity: 1, fn: (args) => utf8(stringOperand(args, 0)).toString('base64url') },
  'urlquery.encode': { arity: 1, fn: (args) => queryEscape(stringOperand(args, 0)) },
  'urlquery.decode': { arity: 1, fn: (args) => queryUnescape(stringOperand(args, 0)) },
  'urlquery.encode_object': {
    arity: 1,
    fn: (args) => {
      const obj = args[0];
      if (!isObject(obj)) throw operandTypeError(1, obj, 'object');
      const values = new Map<string, string[]>();
      for (const [k, v] of Object.entries(obj)) {
        if (typeof v === 'string') values.set(k, [v]);
        else if (Array.isArray(v)) {
          values.set(
            k,
            v.map((x) => {
              if (typeof x !== 'string') throw new OperandError('expected value in array to be string');
              return x;
            }),
          );
        } else throw new OperandError('expected value to be string or array');
      }
      return encodeValues(values);
    },
  },
  'urlquery.decode_object': {
    arity: 1,
    fn: (args) => {
      const { values, error } = parseQuery(stringOperand(args, 0));
      if (error !== undefined) throw new OperandError(error);
      const out: RegoObject = {};
      for (const k of [...values.keys()].sort(compareStrings)) setKey(out, k, values.get(k)! as RegoValue[]);
      return out;
    },
  },
  'json.is_valid': { arity: 1, fn: (args) => typeof args[0] === 'string' && jsonValid(args[0]) },
  'hex.encode': { arity: 1, fn: (args) => utf8(stringOperand(args, 0)).toString('hex') },
  'hex.decode': { arity: 1, fn: (args) => hexDecode(stringOperand(args, 0)) },
};
