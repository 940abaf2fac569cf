// A small JSON DOM: parser and serializer.
//
// - strings are decoded to UTF-16 (AssemblyScript strings); \uXXXX escapes and surrogate pairs are
//   honoured, lone surrogates are kept and re-escaped on output;
// - numbers are kept as their exact source text (no float round trip);
// - objects keep their key order (a duplicate key replaces the earlier value in place).
// Errors never trap: the parser returns null and sets `error`.

/** Code unit i of s, without a bounds check: callers guarantee 0 <= i < s.length. */
// @ts-ignore: decorator
@inline
function cu(s: string, i: i32): i32 {
  return <i32>load<u16>(changetype<usize>(s) + (<usize>i << 1));
}

export const enum JType {
  Null = 0,
  Bool = 1,
  Number = 2,
  String = 3,
  Array = 4,
  Object = 5,
}

export class JValue {
  type: JType = JType.Null;
  boolValue: bool = false;
  /** string value, or the source text of a number */
  text: string = "";
  /** array items */
  items: Array<JValue> | null = null;
  /** object keys, in order */
  keys: Array<string> | null = null;
  /** object values, parallel to keys */
  values: Array<JValue> | null = null;

  static newNull(): JValue {
    return new JValue();
  }

  static newBool(b: bool): JValue {
    const v = new JValue();
    v.type = JType.Bool;
    v.boolValue = b;
    return v;
  }

  static newString(s: string): JValue {
    const v = new JValue();
    v.type = JType.String;
    v.text = s;
    return v;
  }

  /** A number from its JSON text (the caller guarantees it is valid JSON number syntax). */
  static newNumberText(t: string): JValue {
    const v = new JValue();
    v.type = JType.Number;
    v.text = t;
    return v;
  }

  static newInteger(n: i64): JValue {
    return JValue.newNumberText(n.toString());
  }

  static newArray(): JValue {
    const v = new JValue();
    v.type = JType.Array;
    v.items = new Array<JValue>();
    return v;
  }

  static newObject(): JValue {
    const v = new JValue();
    v.type = JType.Object;
    v.keys = new Array<string>();
    v.values = new Array<JValue>();
    return v;
  }

  isNull(): bool {
    return this.type == JType.Null;
  }
  isBool(): bool {
    return this.type == JType.Bool;
  }
  isTrue(): bool {
    return this.type == JType.Bool && this.boolValue;
  }
  isFalse(): bool {
    return this.type == JType.Bool && !this.boolValue;
  }
  isNumber(): bool {
    return this.type == JType.Number;
  }
  isString(): bool {
    return this.type == JType.String;
  }
  isArray(): bool {
    return this.type == JType.Array;
  }
  isObject(): bool {
    return this.type == JType.Object;
  }

  /** Number of array items or object members (0 for scalars). */
  get length(): i32 {
    if (this.type == JType.Array) return this.items!.length;
    if (this.type == JType.Object) return this.keys!.length;
    return 0;
  }

  /** Array item i, or null when out of range / not an array. */
  at(i: i32): JValue | null {
    if (this.type != JType.Array) return null;
    const items = this.items!;
    if (i < 0 || i >= items.length) return null;
    return items[i];
  }

  push(v: JValue): void {
    if (this.type != JType.Array) return;
    this.items!.push(v);
  }

  /** Index of a key in an object, or -1. */
  indexOfKey(key: string): i32 {
    if (this.type != JType.Object) return -1;
    const keys = this.keys!;
    for (let i = 0; i < keys.length; i++) {
      if (keys[i] == key) return i;
    }
    return -1;
  }

  /** Object member (explicit JSON null included), or null when missing / not an object. */
  get(key: string): JValue | null {
    const i = this.indexOfKey(key);
    if (i < 0) return null;
    return this.values![i];
  }

  /** Object member, treating an explicit JSON null like a missing member. */
  field(key: string): JValue | null {
    const v = this.get(key);
    if (v === null) return null;
    if (v.type == JType.Null) return null;
    return v;
  }

  /** Object member if it is an object. */
  obj(key: string): JValue | null {
    const v = this.get(key);
    if (v === null) return null;
    if (v.type != JType.Object) return null;
    return v;
  }

  /** Object member if it is an array. */
  arr(key: string): JValue | null {
    const v = this.get(key);
    if (v === null) return null;
    if (v.type != JType.Array) return null;
    return v;
  }

  /** Object member if it is a string, else null. */
  str(key: string): string | null {
    const v = this.get(key);
    if (v === null) return null;
    if (v.type != JType.String) return null;
    return v.text;
  }

  /** Key i of an object. */
  keyAt(i: i32): string {
    if (this.type != JType.Object) return "";
    const keys = this.keys!;
    if (i < 0 || i >= keys.length) return "";
    return keys[i];
  }

  /** Value i of an object. */
  valueAt(i: i32): JValue | null {
    if (this.type != JType.Object) return null;
    const values = this.values!;
    if (i < 0 || i >= values.length) return null;
    return values[i];
  }

  /** Sets (replacing in place, or appending) an object member. No-op on non-objects. */
  set(key: string, v: JValue): void {
    if (this.type != JType.Object) return;
    const i = this.indexOfKey(key);
    if (i >= 0) {
      this.values![i] = v;
    } else {
      this.keys!.push(key);
      this.values!.push(v);
    }
  }

  /** True if this number's mantissa is zero (0, -0, 0.0, 0e5 ...). */
  isZeroNumber(): bool {
    if (this.type != JType.Number) return false;
    const t = this.text;
    for (let i = 0; i < t.length; i++) {
      const c = cu(t, i);
      if (c == 0x65 || c == 0x45) break; // exponent
      if (c >= 0x31 && c <= 0x39) return false;
    }
    return true;
  }

  /** The number's value as f64 (NaN if not a number). */
  toF64(): f64 {
    if (this.type != JType.Number) return NaN;
    return parseFloat(this.text);
  }

  /** True if this is a number with an integral value. */
  isIntegral(): bool {
    if (this.type != JType.Number) return false;
    const f = this.toF64();
    return isFinite(f) && Math.floor(f) == f;
  }

  /** Deep copy. */
  clone(): JValue {
    const v = new JValue();
    v.type = this.type;
    v.boolValue = this.boolValue;
    v.text = this.text;
    if (this.type == JType.Array) {
      const src = this.items!;
      const dst = new Array<JValue>();
      for (let i = 0; i < src.length; i++) dst.push(src[i].clone());
      v.items = dst;
    } else if (this.type == JType.Object) {
      const ks = this.keys!;
      const vs = this.values!;
      const nk = new Array<string>();
      const nv = new Array<JValue>();
      for (let i = 0; i < ks.length; i++) {
        nk.push(ks[i]);
        nv.push(vs[i].clone());
      }
      v.keys = nk;
      v.values = nv;
    }
    return v;
  }

  /** Serializes to compact JSON text. */
  toJSON(): string {
    const out = new Array<string>();
    writeValue(out, this);
    return out.join("");
  }
}

// ------------------------------------------------------------------------------------------------
// Serializer

const HEX = "0123456789abcdef";

function hex4(c: i32): string {
  return (
    "\\u" +
    HEX.charAt((c >> 12) & 15) +
    HEX.charAt((c >> 8) & 15) +
    HEX.charAt((c >> 4) & 15) +
    HEX.charAt(c & 15)
  );
}

/** JSON string literal (with quotes) for s. */
export function quote(s: string): string {
  const out = new Array<string>();
  writeString(out, s);
  return out.join("");
}

function writeString(out: Array<string>, s: string): void {
  out.push('"');
  let start = 0;
  const n = s.length;
  for (let i = 0; i < n; i++) {
    const c = cu(s, i);
    let esc: string | null = null;
    if (c == 0x22) esc = '\\"';
    else if (c == 0x5c) esc = "\\\\";
    else if (c < 0x20) {
      if (c == 0x08) esc = "\\b";
      else if (c == 0x0c) esc = "\\f";
      else if (c == 0x0a) esc = "\\n";
      else if (c == 0x0d) esc = "\\r";
      else if (c == 0x09) esc = "\\t";
      else esc = hex4(c);
    } else if (c >= 0xd800 && c <= 0xdbff) {
      // high surrogate: fine if followed by a low one
      if (i + 1 < n) {
        const d = cu(s, i + 1);
        if (d >= 0xdc00 && d <= 0xdfff) {
          i++;
          continue;
        }
      }
      esc = hex4(c);
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      esc = hex4(c); // lone low surrogate
    }
    if (esc !== null) {
      if (i > start) out.push(s.substring(start, i));
      out.push(esc);
      start = i + 1;
    }
  }
  if (start < n) out.push(start == 0 ? s : s.substring(start, n));
  out.push('"');
}

function writeValue(out: Array<string>, v: JValue): void {
  switch (v.type) {
    case JType.Null:
      out.push("null");
      break;
    case JType.Bool:
      out.push(v.boolValue ? "true" : "false");
      break;
    case JType.Number:
      out.push(v.text);
      break;
    case JType.String:
      writeString(out, v.text);
      break;
    case JType.Array: {
      const items = v.items!;
      out.push("[");
      for (let i = 0; i < items.length; i++) {
        if (i > 0) out.push(",");
        writeValue(out, items[i]);
      }
      out.push("]");
      break;
    }
    case JType.Object: {
      const keys = v.keys!;
      const values = v.values!;
      out.push("{");
      for (let i = 0; i < keys.length; i++) {
        if (i > 0) out.push(",");
        writeString(out, keys[i]);
        out.push(":");
        writeValue(out, values[i]);
      }
      out.push("}");
      break;
    }
  }
}

// ------------------------------------------------------------------------------------------------
// Parser

const MAX_DEPTH: i32 = 128;

export class JSONParser {
  s: string;
  pos: i32 = 0;
  error: string | null = null;
  depth: i32 = 0;

  constructor(s: string) {
    this.s = s;
  }

  fail(msg: string): JValue | null {
    if (this.error === null) {
      this.error = msg + " at offset " + this.pos.toString();
    }
    return null;
  }

  skipWs(): void {
    const s = this.s;
    const n = s.length;
    let p = this.pos;
    while (p < n) {
      const c = cu(s, p);
      if (c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d) p++;
      else break;
    }
    this.pos = p;
  }

  parseDocument(): JValue | null {
    this.skipWs();
    const v = this.parseValue();
    if (v === null) return null;
    this.skipWs();
    if (this.pos < this.s.length) return this.fail("trailing characters after JSON value");
    return v;
  }

  parseValue(): JValue | null {
    const s = this.s;
    if (this.pos >= s.length) return this.fail("unexpected end of input");
    const c = cu(s, this.pos);
    if (c == 0x7b) return this.parseObject();
    if (c == 0x5b) return this.parseArray();
    if (c == 0x22) {
      const str = this.parseString();
      if (str === null) return null;
      return JValue.newString(str);
    }
    if (c == 0x2d || (c >= 0x30 && c <= 0x39)) return this.parseNumber();
    if (this.matchWord("true")) return JValue.newBool(true);
    if (this.matchWord("false")) return JValue.newBool(false);
    if (this.matchWord("null")) return JValue.newNull();
    return this.fail("unexpected character");
  }

  matchWord(w: string): bool {
    const s = this.s;
    const n = w.length;
    if (this.pos + n > s.length) return false;
    for (let i = 0; i < n; i++) {
      if (cu(s, this.pos + i) != w.charCodeAt(i)) return false;
    }
    this.pos += n;
    return true;
  }

  parseNumber(): JValue | null {
    const s = this.s;
    const n = s.length;
    const start = this.pos;
    let p = start;
    if (p < n && cu(s, p) == 0x2d) p++;
    if (p >= n) {
      this.pos = p;
      return this.fail("invalid number");
    }
    let c = cu(s, p);
    if (c == 0x30) {
      p++;
    } else if (c >= 0x31 && c <= 0x39) {
      while (p < n) {
        c = cu(s, p);
        if (c < 0x30 || c > 0x39) break;
        p++;
      }
    } else {
      this.pos = p;
      return this.fail("invalid number");
    }
    if (p < n && cu(s, p) == 0x2e) {
      p++;
      const digitsStart = p;
      while (p < n) {
        c = cu(s, p);
        if (c < 0x30 || c > 0x39) break;
        p++;
      }
      if (p == digitsStart) {
        this.pos = p;
        return this.fail("invalid number: digits expected after decimal point");
      }
    }
    if (p < n) {
      c = cu(s, p);
      if (c == 0x65 || c == 0x45) {
        p++;
        if (p < n) {
          c = cu(s, p);
          if (c == 0x2b || c == 0x2d) p++;
        }
        const digitsStart = p;
        while (p < n) {
          c = cu(s, p);
          if (c < 0x30 || c > 0x39) break;
          p++;
        }
        if (p == digitsStart) {
          this.pos = p;
          return this.fail("invalid number: digits expected in exponent");
        }
      }
    }
    this.pos = p;
    return JValue.newNumberText(s.substring(start, p));
  }

  hexDigit(c: i32): i32 {
    if (c >= 0x30 && c <= 0x39) return c - 0x30;
    if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
    if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
    return -1;
  }

  /** Reads 4 hex digits at p; -1 on error. */
  readHex4(p: i32): i32 {
    const s = this.s;
    if (p + 4 > s.length) return -1;
    let v = 0;
    for (let i = 0; i < 4; i++) {
      const d = this.hexDigit(cu(s, p + i));
      if (d < 0) return -1;
      v = (v << 4) | d;
    }
    return v;
  }

  /** Parses a string literal starting at the opening quote. */
  parseString(): string | null {
    const s = this.s;
    const n = s.length;
    let p = this.pos + 1;
    let start = p;
    let parts: Array<string> | null = null;
    while (true) {
      if (p >= n) {
        this.pos = p;
        this.fail("unterminated string");
        return null;
      }
      const c = cu(s, p);
      if (c == 0x22) {
        let result: string;
        if (parts === null) {
          result = s.substring(start, p);
        } else {
          if (p > start) parts.push(s.substring(start, p));
          result = parts.join("");
        }
        this.pos = p + 1;
        return result;
      }
      if (c < 0x20) {
        this.pos = p;
        this.fail("control character in string");
        return null;
      }
      if (c != 0x5c) {
        p++;
        continue;
      }
      // escape sequence
      if (parts === null) parts = new Array<string>();
      if (p > start) parts.push(s.substring(start, p));
      if (p + 1 >= n) {
        this.pos = p;
        this.fail("unterminated escape sequence");
        return null;
      }
      const e = cu(s, p + 1);
      p += 2;
      if (e == 0x22) parts.push('"');
      else if (e == 0x5c) parts.push("\\");
      else if (e == 0x2f) parts.push("/");
      else if (e == 0x62) parts.push("\b");
      else if (e == 0x66) parts.push("\f");
      else if (e == 0x6e) parts.push("\n");
      else if (e == 0x72) parts.push("\r");
      else if (e == 0x74) parts.push("\t");
      else if (e == 0x75) {
        const u = this.readHex4(p);
        if (u < 0) {
          this.pos = p;
          this.fail("invalid \\u escape");
          return null;
        }
        p += 4;
        if (u >= 0xd800 && u <= 0xdbff && p + 6 <= n && cu(s, p) == 0x5c && cu(s, p + 1) == 0x75) {
          const lo = this.readHex4(p + 2);
          if (lo >= 0xdc00 && lo <= 0xdfff) {
            parts.push(String.fromCharCodes([u, lo]));
            p += 6;
            start = p;
            continue;
          }
        }
        parts.push(String.fromCharCode(u));
      } else {
        this.pos = p - 1;
        this.fail("invalid escape sequence");
        return null;
      }
      start = p;
    }
  }

  parseArray(): JValue | null {
    if (++this.depth > MAX_DEPTH) return this.fail("nesting too deep");
    this.pos++; // [
    const arr = JValue.newArray();
    this.skipWs();
    if (this.pos < this.s.length && cu(this.s, this.pos) == 0x5d) {
      this.pos++;
      this.depth--;
      return arr;
    }
    while (true) {
      this.skipWs();
      const v = this.parseValue();
      if (v === null) return null;
      arr.items!.push(v);
      this.skipWs();
      if (this.pos >= this.s.length) return this.fail("unterminated array");
      const c = cu(this.s, this.pos);
      if (c == 0x2c) {
        this.pos++;
        continue;
      }
      if (c == 0x5d) {
        this.pos++;
        break;
      }
      return this.fail("expected ',' or ']'");
    }
    this.depth--;
    return arr;
  }

  parseObject(): JValue | null {
    if (++this.depth > MAX_DEPTH) return this.fail("nesting too deep");
    this.pos++; // {
    const obj = JValue.newObject();
    this.skipWs();
    if (this.pos < this.s.length && cu(this.s, this.pos) == 0x7d) {
      this.pos++;
      this.depth--;
      return obj;
    }
    while (true) {
      this.skipWs();
      if (this.pos >= this.s.length || cu(this.s, this.pos) != 0x22) return this.fail("expected object key");
      const key = this.parseString();
      if (key === null) return null;
      this.skipWs();
      if (this.pos >= this.s.length || cu(this.s, this.pos) != 0x3a) return this.fail("expected ':'");
      this.pos++;
      this.skipWs();
      const v = this.parseValue();
      if (v === null) return null;
      obj.set(key, v);
      this.skipWs();
      if (this.pos >= this.s.length) return this.fail("unterminated object");
      const c = cu(this.s, this.pos);
      if (c == 0x2c) {
        this.pos++;
        continue;
      }
      if (c == 0x7d) {
        this.pos++;
        break;
      }
      return this.fail("expected ',' or '}'");
    }
    this.depth--;
    return obj;
  }
}

/** Result of parsing: a value or an error message. */
export class ParseResult {
  constructor(public value: JValue | null, public error: string) {}
}

/** Parses JSON text. */
export function parseJSON(text: string): ParseResult {
  const p = new JSONParser(text);
  const v = p.parseDocument();
  if (v === null) {
    const err = p.error;
    return new ParseResult(null, err !== null ? err : "invalid JSON");
  }
  return new ParseResult(v, "");
}

/** Parses UTF-8 JSON bytes. */
export function parseJSONBytes(buf: ArrayBuffer): ParseResult {
  return parseJSON(String.UTF8.decode(buf));
}
