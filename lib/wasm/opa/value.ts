/**
 * The values builtins exchange with a Rego policy, as JSON. Numbers keep the text the policy produced
 * (`RegoNumber`) when a JS number could not hold it exactly, or when it is not a plain integer: OPA tells an
 * integer `5` from a float `5.0` (sprintf's `%d` accepts one and not the other) and keeps 2^63 exactly.
 */
export class RegoNumber {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

export type RegoValue =
  null | boolean | string | number | bigint | RegoNumber | RegoValue[] | { [key: string]: RegoValue };
export type RegoObject = { [key: string]: RegoValue };

export function isObject(v: RegoValue | undefined): v is RegoObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof RegoNumber);
}

export function isNumber(v: RegoValue | undefined): v is number | bigint | RegoNumber {
  return typeof v === 'number' || typeof v === 'bigint' || v instanceof RegoNumber;
}

/** Sets a key without letting `__proto__` change the prototype. */
export function setKey(o: RegoObject, k: string, v: RegoValue): void {
  if (k === '__proto__')
    Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
  else o[k] = v;
}

/** OPA's type names (`ast.TypeName`), as operand errors print them. */
export function typeName(v: RegoValue | undefined): string {
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'boolean') return 'boolean';
  if (typeof v === 'string') return 'string';
  if (isNumber(v)) return 'number';
  if (Array.isArray(v)) return 'array';
  return 'object';
}

const INT_TEXT = /^-?(?:0|[1-9]\d*)$/;

/** The number as OPA holds it: an integer (exact, as bigint) or a float. */
export function numberParts(v: number | bigint | RegoNumber): { int: bigint } | { float: number } {
  if (typeof v === 'bigint') return { int: v };
  if (typeof v === 'number') return Number.isInteger(v) ? { int: BigInt(v) } : { float: v };
  if (INT_TEXT.test(v.text)) return { int: BigInt(v.text) };
  return { float: Number(v.text) };
}

/** The JSON text of a number. */
export function numberText(v: number | bigint | RegoNumber): string {
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`${v} cannot be represented in JSON`);
    return Object.is(v, -0) ? '0' : String(v);
  }
  return typeof v === 'bigint' ? v.toString() : v.text;
}

/** JSON → RegoValue, keeping every number exactly. Throws SyntaxError like JSON.parse. */
export function parseRegoJson(text: string): RegoValue {
  const p = new Parser(text);
  const v = p.value(0);
  p.ws();
  if (p.i !== text.length) p.fail();
  return v;
}

class Parser {
  i = 0;
  constructor(readonly s: string) {}

  fail(): never {
    throw new SyntaxError(
      this.i >= this.s.length ? 'Unexpected end of JSON input' : `Unexpected token in JSON at position ${this.i}`,
    );
  }

  ws(): void {
    const s = this.s;
    while (this.i < s.length) {
      const c = s.charCodeAt(this.i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) break;
      this.i++;
    }
  }

  value(depth: number): RegoValue {
    if (depth > 10000) this.fail();
    this.ws();
    const s = this.s;
    const c = s[this.i];
    if (c === '{') {
      this.i++;
      const o: RegoObject = {};
      this.ws();
      if (s[this.i] === '}') {
        this.i++;
        return o;
      }
      for (;;) {
        this.ws();
        if (s[this.i] !== '"') this.fail();
        const k = this.string();
        this.ws();
        if (s[this.i] !== ':') this.fail();
        this.i++;
        setKey(o, k, this.value(depth + 1));
        this.ws();
        const d = s[this.i++];
        if (d === '}') return o;
        if (d !== ',') {
          this.i--;
          this.fail();
        }
      }
    }
    if (c === '[') {
      this.i++;
      const a: RegoValue[] = [];
      this.ws();
      if (s[this.i] === ']') {
        this.i++;
        return a;
      }
      for (;;) {
        a.push(this.value(depth + 1));
        this.ws();
        const d = s[this.i++];
        if (d === ']') return a;
        if (d !== ',') {
          this.i--;
          this.fail();
        }
      }
    }
    if (c === '"') return this.string();
    if (s.startsWith('true', this.i)) {
      this.i += 4;
      return true;
    }
    if (s.startsWith('false', this.i)) {
      this.i += 5;
      return false;
    }
    if (s.startsWith('null', this.i)) {
      this.i += 4;
      return null;
    }
    return this.number();
  }

  number(): RegoValue {
    const m = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;
    m.lastIndex = this.i;
    const r = m.exec(this.s);
    if (!r) this.fail();
    this.i += r[0].length;
    const text = r[0];
    if (r[1] === undefined && r[2] === undefined) {
      const n = Number(text);
      if (Number.isSafeInteger(n) && text !== '-0') return n;
    }
    return new RegoNumber(text);
  }

  string(): string {
    const s = this.s;
    const start = ++this.i;
    let end = start;
    for (;;) {
      if (end >= s.length) {
        this.i = end;
        this.fail();
      }
      const c = s.charCodeAt(end);
      if (c === 0x22) break;
      if (c < 0x20) {
        this.i = end;
        this.fail();
      }
      if (c === 0x5c) end++;
      end++;
    }
    const raw = s.slice(start, end);
    this.i = end + 1;
    if (!raw.includes('\\')) return raw;
    try {
      return JSON.parse(`"${raw}"`) as string;
    } catch {
      this.i = start;
      return this.fail();
    }
  }
}

/** RegoValue → JSON text (compact, keys in insertion order). */
export function stringifyRegoJson(v: RegoValue): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return JSON.stringify(v);
    case 'number':
    case 'bigint':
      return numberText(v);
  }
  if (v instanceof RegoNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(stringifyRegoJson).join(',')}]`;
  let out = '{';
  let first = true;
  for (const k of Object.keys(v)) {
    if (!first) out += ',';
    first = false;
    out += `${JSON.stringify(k)}:${stringifyRegoJson(v[k])}`;
  }
  return out + '}';
}

/** A RegoValue as plain JSON data (numbers become JS numbers, possibly rounded). */
export function toPlain(v: RegoValue): unknown {
  if (v === null || typeof v === 'boolean' || typeof v === 'string' || typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  if (v instanceof RegoNumber) return Number(v.text);
  if (Array.isArray(v)) return v.map(toPlain);
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(v)) setKey(o as RegoObject, k, toPlain(v[k]) as RegoValue);
  return o;
}

/** Plain JSON data (from JSON.parse or a YAML parser) → RegoValue. */
export function fromPlain(v: unknown): RegoValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean' || typeof v === 'string' || typeof v === 'bigint') return v;
  if (typeof v === 'number') {
    if (!Number.isFinite(v)) throw new Error(`${v} cannot be represented in JSON`);
    return Number.isInteger(v) && !Number.isSafeInteger(v) ? new RegoNumber(BigInt(v).toString()) : v;
  }
  if (Array.isArray(v)) return v.map(fromPlain);
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'object') {
    const o: RegoObject = {};
    for (const k of Object.keys(v)) setKey(o, k, fromPlain((v as Record<string, unknown>)[k]));
    return o;
  }
  throw new Error(`cannot represent a ${typeof v} in JSON`);
}

/** Compares strings by code point (Go compares UTF-8 bytes, which orders the same way). */
export function compareStrings(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.codePointAt(i)!;
    const y = b.codePointAt(i)!;
    if (x !== y) return x < y ? -1 : 1;
    if (x > 0xffff) i++;
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1;
}

/** Go's strconv.Quote, which OPA uses to print strings. */
export function goQuote(s: string): string {
  let out = '"';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    switch (ch) {
      case '"':
        out += '\\"';
        continue;
      case '\\':
        out += '\\\\';
        continue;
      case '\x07':
        out += '\\a';
        continue;
      case '\b':
        out += '\\b';
        continue;
      case '\f':
        out += '\\f';
        continue;
      case '\n':
        out += '\\n';
        continue;
      case '\r':
        out += '\\r';
        continue;
      case '\t':
        out += '\\t';
        continue;
      case '\v':
        out += '\\v';
        continue;
    }
    if (cp >= 0xd800 && cp <= 0xdfff) out += '\\ufffd';
    else if (cp < 0x20 || cp === 0x7f) out += `\\x${cp.toString(16).padStart(2, '0')}`;
    else if (isGoPrint(ch)) out += ch;
    else if (cp < 0x10000) out += `\\u${cp.toString(16).padStart(4, '0')}`;
    else out += `\\U${cp.toString(16).padStart(8, '0')}`;
  }
  return out + '"';
}

const PRINTABLE = /^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u;

/** unicode.IsPrint: letters, marks, numbers, punctuation, symbols and the ASCII space. */
export function isGoPrint(ch: string): boolean {
  return PRINTABLE.test(ch);
}

/** A value as OPA prints a term (`ast.Term.String()`): Rego syntax, object keys sorted. */
export function regoString(v: RegoValue): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return v ? 'true' : 'false';
    case 'string':
      return goQuote(v);
    case 'number':
    case 'bigint':
      return numberText(v);
  }
  if (v instanceof RegoNumber) return v.text;
  if (Array.isArray(v)) return `[${v.map(regoString).join(', ')}]`;
  const keys = Object.keys(v).sort(compareStrings);
  return `{${keys.map((k) => `${goQuote(k)}: ${regoString(v[k])}`).join(', ')}}`;
}

/** Deep equality of two values, numbers compared by value (as OPA compares terms). */
export function regoEqual(a: RegoValue, b: RegoValue): boolean {
  if (isNumber(a) && isNumber(b)) {
    const x = numberParts(a);
    const y = numberParts(b);
    const xv = 'int' in x ? x.int : x.float;
    const yv = 'int' in y ? y.int : y.float;
    // bigint == number compares mathematically
    return xv == yv;
  }
  if (Array.isArray(a) || Array.isArray(b)) {
    return Array.isArray(a) && Array.isArray(b) && a.length === b.length && a.every((x, i) => regoEqual(x, b[i]));
  }
  if (isObject(a) || isObject(b)) {
    if (!isObject(a) || !isObject(b)) return false;
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && regoEqual(a[k], b[k]));
  }
  return a === b;
}
