// A small JSON DOM: a lazy reader over UTF-8 bytes, an eager parser, and a serializer.
//
// - strings are decoded to UTF-16 (AssemblyScript strings); \uXXXX escapes and surrogate pairs are
//   honoured, lone surrogates are kept and re-escaped on output;
// - numbers are kept as their exact source text (no float round trip);
// - objects keep their key order (a duplicate key replaces the earlier value in place).
// Errors never trap: the parser returns null and sets `error`.
//
// parseJSONBytes (what the protocol uses) does not build the DOM up front. One pass over the payload bytes
// validates them and records every token's offset in a tape (no other allocation); a value then reads its
// members from the bytes the first time it is asked for them, and a string is decoded when it is read. Keys are
// compared on the raw bytes. What a policy never looks at is never decoded. A payload the pass does not take
// (invalid JSON, or bytes that are not valid UTF-8) goes to the eager parser on the decoded text, which gives
// the value or the error exactly as before: the reader is stricter than the parser, never laxer.

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

// ------------------------------------------------------------------------------------------------
// Lazy reader: the tape

// A tape entry is two i32 words: the token's byte offset, and
//   - object/array opening: the index of its closing entry (whose offset is the closing bracket's, and whose
//     second word is the number of members, duplicate keys included);
//   - string (value or key): the closing quote's offset, ORed with the flags below;
//   - number: the offset just past it;  - true/false/null: 0.
/** The string has a backslash escape. */
const F_ESCAPED: i32 = 0x40000000;
/** The string has bytes >= 0x80. */
const F_NONASCII: i32 = 0x20000000;
const POS_MASK: i32 = 0x1fffffff;
/** Deepest nesting of arrays and objects taken (both parsers). */
const MAX_DEPTH: i32 = 128;

/**
 * An i32 array that is not zero-filled (StaticArray's constructor fills it): for the tape and the member lists,
 * where every element is written before it is read. It holds no references, so the collector never reads it.
 */
// @ts-ignore: decorator
@inline
function newInts(length: i32): StaticArray<i32> {
  return changetype<StaticArray<i32>>(__new(<usize>length << 2, idof<StaticArray<i32>>()));
}

/** Value of a hex digit, -1 if not one. */
// @ts-ignore: decorator
@inline
function hexVal(c: i32): i32 {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x61 + 10;
  if (c >= 0x41 && c <= 0x46) return c - 0x41 + 10;
  return -1;
}

/** The payload bytes and their tape. */
export class JDoc {
  base: usize;
  constructor(
    public buf: ArrayBuffer,
    public tape: StaticArray<i32>,
    /** true when re-serialising a value gives back its bytes (no whitespace, only the escapes writeString makes) */
    public canonical: bool,
  ) {
    this.base = changetype<usize>(buf);
  }

  // @ts-ignore: decorator
  @inline
  pos(e: i32): i32 {
    return unchecked(this.tape[e << 1]);
  }

  // @ts-ignore: decorator
  @inline
  aux(e: i32): i32 {
    return unchecked(this.tape[(e << 1) + 1]);
  }

  // @ts-ignore: decorator
  @inline
  byte(p: i32): i32 {
    return <i32>load<u8>(this.base + <usize>p);
  }

  /** The entry after value entry e (and its subtree). */
  // @ts-ignore: decorator
  @inline
  next(e: i32): i32 {
    const c = this.byte(this.pos(e));
    if (c == 0x7b || c == 0x5b) return this.aux(e) + 1;
    return e + 1;
  }

  /** Bytes [start, end) as a string: they are ASCII. */
  ascii(start: i32, end: i32): string {
    const n = end - start;
    if (n <= 0) return "";
    const s = changetype<string>(__new(<usize>n << 1, idof<string>()));
    const dst = changetype<usize>(s);
    const src = this.base + <usize>start;
    for (let i = 0; i < n; i++) store<u16>(dst + (<usize>i << 1), load<u8>(src + <usize>i));
    return s;
  }

  /** Bytes [start, end) as text (valid UTF-8, no escapes). */
  // @ts-ignore: decorator
  @inline
  utf8(start: i32, end: i32): string {
    return String.UTF8.decodeUnsafe(this.base + <usize>start, <usize>(end - start));
  }

  /** The decoded text of string entry e. */
  str(e: i32): string {
    const start = this.pos(e) + 1;
    const a = this.aux(e);
    const end = a & POS_MASK;
    if (a & F_ESCAPED) return this.unescape(start, end);
    if (a & F_NONASCII) return this.utf8(start, end);
    return this.ascii(start, end);
  }

  /** The text of number entry e, as written. */
  // @ts-ignore: decorator
  @inline
  numberText(e: i32): string {
    return this.ascii(this.pos(e), this.aux(e));
  }

  hex4(p: i32): i32 {
    let v = 0;
    for (let i = 0; i < 4; i++) v = (v << 4) | hexVal(this.byte(p + i));
    return v;
  }

  /** Decodes a validated string body with escapes, as JSONParser.parseString does. */
  unescape(start: i32, end: i32): string {
    const parts = new Array<string>();
    let p = start;
    let seg = start;
    while (p < end) {
      if (this.byte(p) != 0x5c) {
        p++;
        continue;
      }
      if (p > seg) parts.push(this.utf8(seg, p));
      const e = this.byte(p + 1);
      p += 2;
      if (e == 0x22) parts.push('"');
      else if (e == 0x5c) parts.push("\\");
      else if (e == 0x2f) parts.push("/");
      else if (e == 0x62) parts.push("\b");
      else if (e == 0x66) parts.push("\f");
      else if (e == 0x6e) parts.push("\n");
      else if (e == 0x72) parts.push("\r");
      else if (e == 0x74) parts.push("\t");
      else {
        // \uXXXX (the only other escape the tape pass lets through)
        const u = this.hex4(p);
        p += 4;
        if (u >= 0xd800 && u <= 0xdbff && p + 6 <= end && this.byte(p) == 0x5c && this.byte(p + 1) == 0x75) {
          const lo = this.hex4(p + 2);
          if (lo >= 0xdc00 && lo <= 0xdfff) {
            parts.push(String.fromCharCodes([u, lo]));
            p += 6;
            seg = p;
            continue;
          }
        }
        parts.push(String.fromCharCode(u));
      }
      seg = p;
    }
    if (p > seg) parts.push(this.utf8(seg, p));
    return parts.join("");
  }

  /**
   * A key's signature: length, first and last byte of a plain ASCII key (as keySignature computes them for a
   * text); -1 for a key with escapes or other bytes, which any text may match.
   */
  keySig(e: i32): i32 {
    const a = this.aux(e);
    if (a & (F_ESCAPED | F_NONASCII)) return -1;
    const start = this.pos(e) + 1;
    const n = (a & POS_MASK) - start;
    if (n == 0) return 0;
    return (n & 0xffff) | (this.byte(start) << 16) | (this.byte(start + n - 1) << 24);
  }

  /** True if string entry e decodes to key. Compares bytes when both are plain ASCII. */
  keyIs(e: i32, key: string): bool {
    const start = this.pos(e) + 1;
    const a = this.aux(e);
    if (a & (F_ESCAPED | F_NONASCII)) return this.str(e) == key;
    const n = (a & POS_MASK) - start;
    // ASCII bytes: one code unit per byte, so equal texts have equal lengths
    if (n != key.length) return false;
    const bp = this.base + <usize>start;
    const kp = changetype<usize>(key);
    for (let i = 0; i < n; i++) {
      if (<u32>load<u8>(bp + <usize>i) != <u32>load<u16>(kp + (<usize>i << 1))) return false;
    }
    return true;
  }

  /** True if string entries e1 and e2 decode to the same text. */
  sameKey(e1: i32, e2: i32): bool {
    const a1 = this.aux(e1);
    const a2 = this.aux(e2);
    if ((a1 | a2) & F_ESCAPED) return this.str(e1) == this.str(e2);
    // valid UTF-8 without escapes: same text iff same bytes
    const s1 = this.pos(e1) + 1;
    const s2 = this.pos(e2) + 1;
    const n = (a1 & POS_MASK) - s1;
    if (n != (a2 & POS_MASK) - s2) return false;
    return memory.compare(this.base + <usize>s1, this.base + <usize>s2, <usize>n) == 0;
  }

  /** True if no object in the subtree of container entry e has a duplicate key. */
  noDuplicateKeys(e: i32): bool {
    const close = this.aux(e);
    for (let i = e; i < close; i++) {
      if (this.byte(this.pos(i)) != 0x7b) continue;
      // an object: compare its keys pairwise
      const end = this.aux(i);
      let k = i + 1;
      while (k < end) {
        let j = this.next(k + 1);
        while (j < end) {
          if (this.sameKey(k, j)) return false;
          j = this.next(j + 1);
        }
        k = this.next(k + 1);
      }
    }
    return true;
  }
}

/** keySig of a text: two texts with different signatures differ (-2 when no plain ASCII key can match). */
function keySignature(key: string): i32 {
  const n = key.length;
  if (n == 0) return 0;
  const first = cu(key, 0);
  const last = cu(key, n - 1);
  if ((first | last) >= 0x80) return -2;
  return (n & 0xffff) | (first << 16) | (last << 24);
}

/** Whitespace between tokens (JSONParser's set). */
// @ts-ignore: decorator
@inline
function isWs(c: i32): bool {
  return c == 0x20 || c == 0x09 || c == 0x0a || c == 0x0d;
}

/** Length of the valid UTF-8 sequence at p (a lead byte >= 0x80) of the n bytes at base, 0 if it is not one. */
function utf8Len(base: usize, n: i32, p: i32): i32 {
  const b0 = <i32>load<u8>(base + <usize>p);
  if (b0 >= 0xc2 && b0 <= 0xdf) {
    if (p + 1 >= n) return 0;
    return (<i32>load<u8>(base + <usize>p, 1) & 0xc0) == 0x80 ? 2 : 0;
  }
  if (b0 >= 0xe0 && b0 <= 0xef) {
    if (p + 2 >= n) return 0;
    const b1 = <i32>load<u8>(base + <usize>p, 1);
    const lo = b0 == 0xe0 ? 0xa0 : 0x80; // no overlong forms
    const hi = b0 == 0xed ? 0x9f : 0xbf; // no surrogates
    if (b1 < lo || b1 > hi) return 0;
    return (<i32>load<u8>(base + <usize>p, 2) & 0xc0) == 0x80 ? 3 : 0;
  }
  if (b0 >= 0xf0 && b0 <= 0xf4) {
    if (p + 3 >= n) return 0;
    const b1 = <i32>load<u8>(base + <usize>p, 1);
    const lo = b0 == 0xf0 ? 0x90 : 0x80;
    const hi = b0 == 0xf4 ? 0x8f : 0xbf; // up to U+10FFFF
    if (b1 < lo || b1 > hi) return 0;
    if ((<i32>load<u8>(base + <usize>p, 2) & 0xc0) != 0x80) return 0;
    return (<i32>load<u8>(base + <usize>p, 3) & 0xc0) == 0x80 ? 4 : 0;
  }
  return 0;
}

/**
 * One validating pass over UTF-8 JSON bytes that records the tape. It takes a subset of what JSONParser takes
 * (the same grammar, whitespace and nesting limit, and only valid UTF-8). One loop with the position in a local
 * and an explicit stack of open containers.
 */
class TapeBuilder {
  tape: StaticArray<i32> = new StaticArray<i32>(0);
  /** entries used */
  n: i32 = 0;
  canonical: bool = true;
  /** per open container: its opening entry, its members so far, 1 if an object */
  stack: StaticArray<i32> = new StaticArray<i32>((MAX_DEPTH + 1) * 3);

  grow(): StaticArray<i32> {
    const t = this.tape;
    const nt = newInts(t.length << 1);
    memory.copy(changetype<usize>(nt), changetype<usize>(t), <usize>t.length << 2);
    this.tape = nt;
    return nt;
  }

  /**
   * The string whose opening quote is at p: returns the closing quote's offset ORed with F_ESCAPED/F_NONASCII,
   * or -1 if it is not a valid string.
   */
  string(base: usize, n: i32, p: i32): i32 {
    let flags = 0;
    p++;
    while (true) {
      // 8 bytes at a time up to the first '"', '\\', control character or non-ASCII byte
      while (p + 8 <= n) {
        const x = load<u64>(base + <usize>p);
        const q = x ^ 0x2222222222222222;
        const b = x ^ 0x5c5c5c5c5c5c5c5c;
        const m =
          (((q - 0x0101010101010101) & ~q) | ((b - 0x0101010101010101) & ~b) | ((x - 0x2020202020202020) & ~x) | x) &
          0x8080808080808080;
        if (m != 0) {
          p += <i32>(ctz(m) >> 3); // the first such byte (borrows only flag bytes after it)
          break;
        }
        p += 8;
      }
      if (p >= n) return -1;
      const c = <i32>load<u8>(base + <usize>p);
      if (c == 0x22) return p | flags;
      if (c == 0x5c) {
        if (p + 1 >= n) return -1;
        const e = <i32>load<u8>(base + <usize>p, 1);
        flags |= F_ESCAPED;
        if (e == 0x75) {
          if (p + 6 > n) return -1;
          let u = 0;
          let upper = false;
          for (let k = 2; k < 6; k++) {
            const h = <i32>load<u8>(base + <usize>(p + k));
            const d = hexVal(h);
            if (d < 0) return -1;
            if (h >= 0x41 && h <= 0x46) upper = true;
            u = (u << 4) | d;
          }
          // writeString writes \u only for control characters without a short escape, and lone surrogates
          // (which this flag leaves to the slow path)
          if (upper || u >= 0x20 || u == 0x08 || u == 0x09 || u == 0x0a || u == 0x0c || u == 0x0d) this.canonical = false;
          p += 6;
        } else if (e == 0x22 || e == 0x5c || e == 0x62 || e == 0x66 || e == 0x6e || e == 0x72 || e == 0x74) {
          p += 2;
        } else if (e == 0x2f) {
          this.canonical = false; // writeString does not escape "/"
          p += 2;
        } else {
          return -1;
        }
        continue;
      }
      if (c < 0x20) return -1;
      if (c >= 0x80) {
        const k = utf8Len(base, n, p);
        if (k == 0) return -1;
        flags |= F_NONASCII;
        p += k;
        continue;
      }
      p++;
    }
    return -1;
  }

  /** The number at p: returns the offset past it, or -1. */
  number(base: usize, n: i32, p: i32): i32 {
    if (<i32>load<u8>(base + <usize>p) == 0x2d) p++;
    if (p >= n) return -1;
    let c = <i32>load<u8>(base + <usize>p);
    if (c == 0x30) {
      p++;
    } else if (c >= 0x31 && c <= 0x39) {
      p++;
      while (p < n && <u32>(<i32>load<u8>(base + <usize>p) - 0x30) <= 9) p++;
    } else {
      return -1;
    }
    if (p < n && <i32>load<u8>(base + <usize>p) == 0x2e) {
      p++;
      const d = p;
      while (p < n && <u32>(<i32>load<u8>(base + <usize>p) - 0x30) <= 9) p++;
      if (p == d) return -1;
    }
    if (p < n) {
      c = <i32>load<u8>(base + <usize>p);
      if (c == 0x65 || c == 0x45) {
        p++;
        if (p < n) {
          c = <i32>load<u8>(base + <usize>p);
          if (c == 0x2b || c == 0x2d) p++;
        }
        const d = p;
        while (p < n && <u32>(<i32>load<u8>(base + <usize>p) - 0x30) <= 9) p++;
        if (p == d) return -1;
      }
    }
    return p;
  }

  /** Skips whitespace from p (a byte <= 0x20 is there); returns the next offset. */
  skipWs(base: usize, n: i32, p: i32): i32 {
    const start = p;
    while (p < n && isWs(<i32>load<u8>(base + <usize>p))) p++;
    if (p != start) this.canonical = false;
    return p;
  }

  /** Validates buf and records its tape (a new one, with room for one entry per 4 bytes). */
  document(buf: ArrayBuffer): bool {
    const base = changetype<usize>(buf);
    const n = buf.byteLength;
    this.n = 0;
    this.canonical = true;
    if (n > POS_MASK) return false; // offsets must fit beside the flags
    let t = newInts((n >> 1) + 16);
    this.tape = t;
    const stack = this.stack;
    let e = 0; // entries
    let depth = 0;
    let isObject = false;
    let p = 0;
    if (p < n && <i32>load<u8>(base + <usize>p) <= 0x20) p = this.skipWs(base, n, p);
    // at a value
    while (true) {
      if (p >= n) return false;
      let c = <i32>load<u8>(base + <usize>p);
      if (c == 0x7b || c == 0x5b) {
        if (++depth > MAX_DEPTH) return false;
        if ((e << 1) + 2 > t.length) t = this.grow();
        unchecked((t[e << 1] = p));
        isObject = c == 0x7b;
        const s = depth * 3;
        unchecked((stack[s] = e));
        unchecked((stack[s + 1] = 0));
        unchecked((stack[s + 2] = <i32>isObject));
        e++;
        p++;
        if (p < n && <i32>load<u8>(base + <usize>p) <= 0x20) p = this.skipWs(base, n, p);
        if (p < n && <i32>load<u8>(base + <usize>p) == (isObject ? 0x7d : 0x5d)) {
          // empty: closed below
        } else {
          unchecked((stack[s + 1] = 1));
          if (!isObject) continue; // at the first item
          // at the first key
          if (p >= n || <i32>load<u8>(base + <usize>p) != 0x22) return false;
          const r = this.string(base, n, p);
          if (r < 0) return false;
          if ((e << 1) + 2 > t.length) t = this.grow();
          unchecked((t[e << 1] = p));
          unchecked((t[(e << 1) + 1] = r));
          e++;
          p = (r & POS_MASK) + 1;
          if (p < n && <i32>load<u8>(base + <usize>p) <= 0x20) p = this.skipWs(base, n, p);
          if (p >= n || <i32>load<u8>(base + <usize>p) != 0x3a) return false;
          p++;
          if (p < n && <i32>load<u8>(base + <usize>p) <= 0x20) p = this.skipWs(base, n, p);
          continue; // at the value
        }
      } else {
        // a scalar
        let aux = 0;
        let end = 0;
        if (c == 0x22) {
          aux = this.string(base, n, p);
          if (aux < 0) return false;
          end = (aux & POS_MASK) + 1;
        } else if (c == 0x2d || (c >= 0x30 && c <= 0x39)) {
          end = this.number(base, n, p);
          if (end < 0) return false;
          aux = end;
        } else if (c == 0x74 || c == 0x6e) {
          // "true", "null"
          if (p + 4 > n || load<u32>(base + <usize>p) != (c == 0x74 ? 0x65757274 : 0x6c6c756e)) return false;
          end = p + 4;
        } else if (c == 0x66) {
          // "f" + "alse"
          if (p + 5 > n || load<u32>(base + <usize>p, 1) != 0x65736c61) return false;
          end = p + 5;
        } else {
          return false;
        }
        if ((e << 1) + 2 > t.length) t = this.grow();
        unchecked((t[e << 1] = p));
        unchecked((t[(e << 1) + 1] = aux));
        e++;
        p = end;
      }
      // after a value (or at the closing bracket of an empty container): separators and closings
      while (true) {
        if (depth == 0) {
          if (p < n && <i32>load<u8>(base + <usize>p) <= 0x20) p = this.skipWs(base, n, p);
          this.n = e;
          return p == n;
        }
        if (p < n && <i32>load<u8>(base + <usize>p) <= 0x20) p = this.skipWs(base, n, p);
        if (p >= n) return false;
        c = <i32>load<u8>(base + <usize>p);
        const s = depth * 3;
        if (c == (isObject ? 0x7d : 0x5d)) {
          if ((e << 1) + 2 > t.length) t = this.grow();
          const open = unchecked(stack[s]);
          unchecked((t[e << 1] = p));
          unchecked((t[(e << 1) + 1] = unchecked(stack[s + 1])));
          unchecked((t[(open << 1) + 1] = e));
          e++;
          p++;
          depth--;
          isObject = depth > 0 && unchecked(stack[depth * 3 + 2]) != 0;
          continue;
        }
        if (c != 0x2c) return false;
        p++;
        unchecked((stack[s + 1] = unchecked(stack[s + 1]) + 1));
        if (p < n && <i32>load<u8>(base + <usize>p) <= 0x20) p = this.skipWs(base, n, p);
        if (isObject) {
          if (p >= n || <i32>load<u8>(base + <usize>p) != 0x22) return false;
          const r = this.string(base, n, p);
          if (r < 0) return false;
          if ((e << 1) + 2 > t.length) t = this.grow();
          unchecked((t[e << 1] = p));
          unchecked((t[(e << 1) + 1] = r));
          e++;
          p = (r & POS_MASK) + 1;
          if (p < n && <i32>load<u8>(base + <usize>p) <= 0x20) p = this.skipWs(base, n, p);
          if (p >= n || <i32>load<u8>(base + <usize>p) != 0x3a) return false;
          p++;
          if (p < n && <i32>load<u8>(base + <usize>p) <= 0x20) p = this.skipWs(base, n, p);
        }
        break; // at a value
      }
    }
    return false;
  }
}

// ------------------------------------------------------------------------------------------------
// Values

export class JValue {
  type: JType = JType.Null;
  boolValue: bool = false;
  /** string value or number text, once decoded: read it through `text` */
  txt: string = "";
  /** array items (eager values; a lazy array reads through at/length) */
  items: Array<JValue> | null = null;
  /** object keys, in order (eager values; a lazy object reads through keyAt/length) */
  keys: Array<string> | null = null;
  /** object values, parallel to keys (eager values) */
  values: Array<JValue> | null = null;

  // Lazy values: `doc` is set while this value still reads from the payload bytes (a string or number not yet
  // decoded, an object or array that has not been changed); `ent` is its tape entry.
  doc: JDoc | null = null;
  ent: i32 = 0;
  /** members of a lazy object/array (duplicate keys merged), -1 until first read */
  lcount: i32 = -1;
  /**
   * a lazy container's members: for an object, [key entry, value entry, key signature] per member; for an
   * array, the value entry of each item
   */
  lmem: StaticArray<i32> | null = null;
  /** the values of a lazy container made so far */
  lkids: StaticArray<JValue | null> | null = null;

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
    v.txt = s;
    return v;
  }

  /** A number from its JSON text (the caller guarantees it is valid JSON number syntax). */
  static newNumberText(t: string): JValue {
    const v = new JValue();
    v.type = JType.Number;
    v.txt = t;
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

  /** The value at tape entry e of doc, read lazily. */
  static fromEntry(doc: JDoc, e: i32): JValue {
    const v = new JValue();
    const c = doc.byte(doc.pos(e));
    if (c == 0x7b) v.type = JType.Object;
    else if (c == 0x5b) v.type = JType.Array;
    else if (c == 0x22) v.type = JType.String;
    else if (c == 0x74 || c == 0x66) {
      v.type = JType.Bool;
      v.boolValue = c == 0x74;
      return v;
    } else if (c == 0x6e) return v;
    else v.type = JType.Number;
    v.doc = doc;
    v.ent = e;
    return v;
  }

  /** String value, or the source text of a number ("" for other types). */
  get text(): string {
    const d = this.doc;
    if (d !== null) {
      if (this.type == JType.String) {
        this.txt = d.str(this.ent);
        this.doc = null;
      } else if (this.type == JType.Number) {
        this.txt = d.numberText(this.ent);
        this.doc = null;
      }
    }
    return this.txt;
  }

  set text(s: string) {
    if (this.type == JType.String || this.type == JType.Number) this.doc = null;
    this.txt = s;
  }

  /** Reads a lazy container's members from the tape (once); returns their number. */
  index(): i32 {
    let m = this.lcount;
    if (m >= 0) return m;
    const d = this.doc!;
    const e = this.ent;
    const close = d.aux(e);
    const count = d.aux(close);
    let i = e + 1;
    if (this.type == JType.Object) {
      const mem = newInts(count * 3);
      i = e + 1;
      m = 0;
      // a 32-bit filter of the signatures seen: a key whose bit is not set cannot repeat an earlier one
      let seen: u32 = 0;
      let wild = false; // an earlier key with escapes or non-ASCII bytes (signature -1)
      while (i < close) {
        const k = i;
        const v = i + 1;
        i = d.next(v);
        const sig = d.keySig(k);
        const bit: u32 = 1 << ((sig ^ (sig >>> 16) ^ (sig >>> 24)) & 31);
        let dup = -1;
        const maybe = wild || sig == -1 || (seen & bit) != 0;
        seen |= bit;
        if (sig == -1) wild = true;
        if (maybe) for (let j = 0; j < m; j++) {
          const sj = unchecked(mem[j * 3 + 2]);
          if ((sj == sig || (sj | sig) == -1) && d.sameKey(unchecked(mem[j * 3]), k)) {
            dup = j;
            break;
          }
        }
        if (dup >= 0) {
          unchecked((mem[dup * 3 + 1] = v)); // the last value, in the first key's place
          continue;
        }
        unchecked((mem[m * 3] = k));
        unchecked((mem[m * 3 + 1] = v));
        unchecked((mem[m * 3 + 2] = sig));
        m++;
      }
      this.lmem = mem;
    } else {
      const mem = newInts(count);
      i = e + 1;
      m = 0;
      while (i < close) {
        unchecked((mem[m++] = i));
        i = d.next(i);
      }
      this.lmem = mem;
    }
    this.lkids = new StaticArray<JValue | null>(m);
    this.lcount = m;
    return m;
  }

  /** Tape entry of member i's value (0 <= i < lcount). */
  // @ts-ignore: decorator
  @inline
  valueEntry(i: i32): i32 {
    return this.type == JType.Object ? unchecked(this.lmem![i * 3 + 1]) : unchecked(this.lmem![i]);
  }

  /** Tape entry of member i's key (objects, 0 <= i < lcount). */
  // @ts-ignore: decorator
  @inline
  keyEntry(i: i32): i32 {
    return unchecked(this.lmem![i * 3]);
  }

  /** Member i of an indexed lazy container (0 <= i < lcount). */
  child(i: i32): JValue {
    const kids = this.lkids!;
    let c = unchecked(kids[i]);
    if (c === null) {
      c = JValue.fromEntry(this.doc!, this.valueEntry(i));
      unchecked((kids[i] = c));
    }
    return c;
  }

  /** Turns a lazy container into an eager one (before a change). Its members stay lazy. */
  materialize(): void {
    const d = this.doc;
    if (d === null) return;
    if (this.type == JType.Object) {
      const n = this.index();
      const keys = new Array<string>(n);
      const values = new Array<JValue>(n);
      for (let i = 0; i < n; i++) {
        unchecked((keys[i] = d.str(this.keyEntry(i))));
        unchecked((values[i] = this.child(i)));
      }
      this.keys = keys;
      this.values = values;
    } else if (this.type == JType.Array) {
      const n = this.index();
      const items = new Array<JValue>(n);
      for (let i = 0; i < n; i++) unchecked((items[i] = this.child(i)));
      this.items = items;
    } else {
      this.txt = this.text; // decodes
    }
    this.doc = null;
    this.lmem = null;
    this.lkids = null;
    this.lcount = -1;
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
    if (this.type == JType.Array) {
      if (this.doc !== null) return this.index();
      return this.items!.length;
    }
    if (this.type == JType.Object) {
      if (this.doc !== null) return this.index();
      return this.keys!.length;
    }
    return 0;
  }

  /** Array item i, or null when out of range / not an array. */
  at(i: i32): JValue | null {
    if (this.type != JType.Array) return null;
    if (this.doc !== null) {
      if (i < 0 || i >= this.index()) return null;
      return this.child(i);
    }
    const items = this.items!;
    if (i < 0 || i >= items.length) return null;
    return items[i];
  }

  push(v: JValue): void {
    if (this.type != JType.Array) return;
    this.materialize();
    this.items!.push(v);
  }

  /** Index of a key in an object, or -1. */
  indexOfKey(key: string): i32 {
    if (this.type != JType.Object) return -1;
    const d = this.doc;
    if (d !== null) {
      const n = this.index();
      const mem = this.lmem!;
      const sig = keySignature(key);
      for (let i = 0; i < n; i++) {
        const s = unchecked(mem[i * 3 + 2]);
        if ((s == sig || s == -1) && d.keyIs(unchecked(mem[i * 3]), key)) return i;
      }
      return -1;
    }
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
    if (this.doc !== null) return this.child(i);
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
    const d = this.doc;
    if (d !== null) {
      if (i < 0 || i >= this.index()) return "";
      return d.str(this.keyEntry(i));
    }
    const keys = this.keys!;
    if (i < 0 || i >= keys.length) return "";
    return keys[i];
  }

  /** Value i of an object. */
  valueAt(i: i32): JValue | null {
    if (this.type != JType.Object) return null;
    if (this.doc !== null) {
      if (i < 0 || i >= this.index()) return null;
      return this.child(i);
    }
    const values = this.values!;
    if (i < 0 || i >= values.length) return null;
    return values[i];
  }

  /** Sets (replacing in place, or appending) an object member. No-op on non-objects. */
  set(key: string, v: JValue): void {
    if (this.type != JType.Object) return;
    this.materialize();
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

  /** Deep copy (an eager one). */
  clone(): JValue {
    const v = new JValue();
    v.type = this.type;
    v.boolValue = this.boolValue;
    if (this.type == JType.String || this.type == JType.Number) v.txt = this.text;
    if (this.type == JType.Array) {
      const dst = new Array<JValue>();
      const n = this.length;
      for (let i = 0; i < n; i++) dst.push(this.at(i)!.clone());
      v.items = dst;
    } else if (this.type == JType.Object) {
      const nk = new Array<string>();
      const nv = new Array<JValue>();
      const n = this.length;
      for (let i = 0; i < n; i++) {
        nk.push(this.keyAt(i));
        nv.push(this.valueAt(i)!.clone());
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
      const d = v.doc;
      if (d !== null) {
        if (v.lcount < 0 && copyRaw(out, d, v.ent)) break;
        const n = v.index();
        out.push("[");
        for (let i = 0; i < n; i++) {
          if (i > 0) out.push(",");
          writeValue(out, v.child(i));
        }
        out.push("]");
        break;
      }
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
      const d = v.doc;
      if (d !== null) {
        if (v.lcount < 0 && copyRaw(out, d, v.ent)) break;
        const n = v.index();
        out.push("{");
        for (let i = 0; i < n; i++) {
          if (i > 0) out.push(",");
          writeString(out, d.str(v.keyEntry(i)));
          out.push(":");
          writeValue(out, v.child(i));
        }
        out.push("}");
        break;
      }
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

/**
 * Writes an untouched lazy container as its own bytes, when they are what writeValue would write: the payload
 * is compact with only writeString's escapes, and no object in the subtree repeats a key.
 */
function copyRaw(out: Array<string>, d: JDoc, e: i32): bool {
  if (!d.canonical || !d.noDuplicateKeys(e)) return false;
  out.push(d.utf8(d.pos(e), d.pos(d.aux(e)) + 1));
  return true;
}
// ------------------------------------------------------------------------------------------------
// Parser

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

/**
 * Parses UTF-8 JSON bytes into a lazy value (see the top of this file). Bytes the tape pass does not take go to
 * JSONParser on the decoded text, so the value, or the error and its message, is the same as parseJSON's.
 */
export function parseJSONBytes(buf: ArrayBuffer): ParseResult {
  const b = builder;
  const ok = b.document(buf);
  const tape = b.tape;
  b.tape = EMPTY_TAPE; // the document owns it
  if (ok) return new ParseResult(JValue.fromEntry(new JDoc(buf, tape, b.canonical), 0), "");
  return parseJSON(String.UTF8.decode(buf));
}

const EMPTY_TAPE = new StaticArray<i32>(0);
/** One builder, reused: it holds nothing between calls. */
const builder = new TapeBuilder();
