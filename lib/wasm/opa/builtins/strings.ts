import { arrayOperand, stringOperand, type Builtin } from './types';
import { goQuote, isGoPrint, isNumber, numberParts, regoString, type RegoValue } from '../value';

/**
 * sprintf(format, values) as OPA computes it: each value becomes a Go value (an integral number an int or a
 * *big.Int, another number a float64, a string a string, anything else the string OPA prints for it), then
 * Go's fmt.Sprintf runs. So `%d` of 1.5 is `%!d(float64=1.5)`, `%f` of 5 is `%!f(int=5)`, `%v` of an object
 * is `{"a": 1}`, and a boolean is the string "true".
 */
type GoArg = { t: 'int'; v: bigint } | { t: 'big'; v: bigint } | { t: 'float'; v: number } | { t: 'string'; v: string };

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

export function toGoArg(v: RegoValue): GoArg {
  if (typeof v === 'string') return { t: 'string', v };
  if (isNumber(v)) {
    const n = numberParts(v);
    if ('float' in n) return { t: 'float', v: n.float };
    return n.int >= INT64_MIN && n.int <= INT64_MAX ? { t: 'int', v: n.int } : { t: 'big', v: n.int };
  }
  return { t: 'string', v: regoString(v) };
}

const TYPE_NAME = { int: 'int', big: '*big.Int', float: 'float64', string: 'string' } as const;

interface Flags {
  plus: boolean;
  minus: boolean;
  sharp: boolean;
  space: boolean;
  zero: boolean;
  wid: number;
  widPresent: boolean;
  prec: number;
  precPresent: boolean;
}

const runeCount = (s: string) => [...s].length;

function padding(f: Flags, n: number): string {
  return n <= 0 ? '' : (f.zero ? '0' : ' ').repeat(n);
}

/** fmt.pad: width in runes, left or right. */
function pad(f: Flags, s: string): string {
  if (!f.widPresent || f.wid === 0) return s;
  const w = f.wid - runeCount(s);
  if (w <= 0) return s;
  return f.minus ? s + ' '.repeat(w) : padding(f, w) + s;
}

function truncate(f: Flags, s: string): string {
  if (!f.precPresent) return s;
  return [...s].slice(0, f.prec).join('');
}

// ------------------------------------------------------------------------------------------ integers

const DIGITS_LOWER = '0123456789abcdefx';
const DIGITS_UPPER = '0123456789ABCDEFX';

function fmtInteger(f: Flags, value: bigint, base: number, verb: string, upper: boolean): string {
  const negative = value < 0n;
  const u = negative ? -value : value;
  let prec = 0;
  if (f.precPresent) {
    prec = f.prec;
    if (prec === 0 && u === 0n) return padding({ ...f, zero: false }, f.widPresent ? f.wid : 0);
  } else if (f.zero && f.widPresent) {
    prec = f.wid;
    if (negative || f.plus || f.space) prec--;
  }
  let digits = u.toString(base);
  if (upper) digits = digits.toUpperCase();
  if (digits.length < prec) digits = '0'.repeat(prec - digits.length) + digits;
  if (f.sharp) {
    if (base === 2) digits = '0b' + digits;
    else if (base === 8 && digits[0] !== '0') digits = '0' + digits;
    else if (base === 16) digits = (upper ? '0X' : '0x') + digits;
  }
  if (verb === 'O') digits = '0o' + digits;
  if (negative) digits = '-' + digits;
  else if (f.plus) digits = '+' + digits;
  else if (f.space) digits = ' ' + digits;
  return pad({ ...f, zero: false }, digits);
}

function quoteRune(cp: number): string {
  if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) cp = 0xfffd;
  const ch = String.fromCodePoint(cp);
  if (ch === "'") return "'\\''";
  if (ch === '"') return `'"'`;
  const q = goQuote(ch);
  return `'${q.slice(1, -1)}'`;
}

function formatInt(f: Flags, v: bigint, verb: string): string | undefined {
  switch (verb) {
    case 'v':
    case 'd':
      return fmtInteger(f, v, 10, verb, false);
    case 'b':
      return fmtInteger(f, v, 2, verb, false);
    case 'o':
    case 'O':
      return fmtInteger(f, v, 8, verb, false);
    case 'x':
      return fmtInteger(f, v, 16, verb, false);
    case 'X':
      return fmtInteger(f, v, 16, verb, true);
    case 'c':
      return pad(
        f,
        String.fromCodePoint(v < 0n || v > 0x10ffffn || (v >= 0xd800n && v <= 0xdfffn) ? 0xfffd : Number(v)),
      );
    case 'q':
      return pad(f, quoteRune(v < 0n || v > 0x10ffffn ? 0xfffd : Number(v)));
    case 'U': {
      let s = `U+${(v < 0n ? -v : v).toString(16).toUpperCase().padStart(4, '0')}`;
      if (v < 0n) s = `U+${(2n ** 64n + v).toString(16).toUpperCase()}`;
      if (f.sharp && v >= 0n && v <= 0x10ffffn && isGoPrint(String.fromCodePoint(Number(v))))
        s += ` '${String.fromCodePoint(Number(v))}'`;
      return pad({ ...f, zero: false }, s);
    }
  }
  return undefined;
}

/** *big.Int's own Format. */
function formatBig(f: Flags, v: bigint, verb: string): string {
  const base =
    verb === 'b'
      ? 2
      : verb === 'o' || verb === 'O'
        ? 8
        : verb === 'd' || verb === 's' || verb === 'v'
          ? 10
          : verb === 'x' || verb === 'X'
            ? 16
            : 0;
  if (base === 0) return `%!${verb}(big.Int=${v.toString()})`;
  const negative = v < 0n;
  let digits = (negative ? -v : v).toString(base);
  if (verb === 'X') digits = digits.toUpperCase();
  let prefix = '';
  if (f.sharp) prefix = base === 2 ? '0b' : base === 8 ? '0' : base === 16 ? (verb === 'X' ? '0X' : '0x') : '';
  if (verb === 'O') prefix = '0o';
  const sign = negative ? '-' : f.plus ? '+' : f.space ? ' ' : '';
  if (f.precPresent && digits.length < f.prec) digits = '0'.repeat(f.prec - digits.length) + digits;
  else if (f.precPresent && f.prec === 0 && v === 0n) digits = '';
  const length = sign.length + prefix.length + digits.length;
  if (f.widPresent && length < f.wid) {
    const d = f.wid - length;
    if (f.minus) return sign + prefix + digits + ' '.repeat(d);
    if (f.zero && !f.precPresent) return sign + prefix + '0'.repeat(d) + digits;
    return ' '.repeat(d) + sign + prefix + digits;
  }
  return sign + prefix + digits;
}

// ------------------------------------------------------------------------------------------ floats

interface Decimal {
  d: string; // significant digits, no leading or trailing zeros ('' for zero)
  dp: number; // decimal point position relative to d
}

/** The exact decimal value of a finite double. */
function exactDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const expBits = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let e: number;
  if (expBits === 0) e = -1074;
  else {
    mant |= 1n << 52n;
    e = expBits - 1075;
  }
  let digits: string;
  let dp: number;
  if (e >= 0) {
    digits = (mant << BigInt(e)).toString();
    dp = digits.length;
  } else {
    digits = (mant * 5n ** BigInt(-e)).toString();
    dp = digits.length + e;
  }
  return trim({ d: digits, dp });
}

function trim(a: Decimal): Decimal {
  let d = a.d.replace(/0+$/, '');
  let dp = a.dp;
  const lead = d.length - d.replace(/^0+/, '').length;
  d = d.slice(lead);
  dp -= lead;
  return d === '' ? { d: '', dp: 0 } : { d, dp };
}

/** Rounds to nd significant digits, half to even on the exact value (as strconv does). */
function roundTo(a: Decimal, nd: number): Decimal {
  if (nd < 0 || a.d.length <= nd) return a;
  if (nd === 0 && a.d === '') return a;
  const keep = a.d.slice(0, nd);
  const rest = a.d.slice(nd);
  let up: boolean;
  if (rest[0] > '5') up = true;
  else if (rest[0] < '5') up = false;
  else if (/[1-9]/.test(rest.slice(1))) up = true;
  else up = nd > 0 && (Number(keep[nd - 1]) & 1) === 1;
  if (!up) return trim({ d: keep, dp: a.dp });
  // increment keep
  const digits = keep.split('').map(Number);
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === 9) {
    digits[i] = 0;
    i--;
  }
  if (i < 0) return { d: '1', dp: a.dp + 1 };
  digits[i]++;
  return trim({ d: digits.join(''), dp: a.dp });
}

/** The shortest decimal that reads back as x. */
function shortestDecimal(x: number): Decimal {
  if (x === 0) return { d: '', dp: 0 };
  const [m, e] = Math.abs(x).toExponential().split('e');
  return trim({ d: m.replace('.', ''), dp: Number(e) + 1 });
}

const digitAt = (a: Decimal, i: number) => (i >= 0 && i < a.d.length ? a.d[i] : '0');

function fmtE(a: Decimal, prec: number, e: string): string {
  let s = a.d === '' ? '0' : a.d[0];
  if (prec > 0) {
    s += '.';
    for (let i = 1; i <= prec; i++) s += digitAt(a, i);
  }
  const exp = a.d === '' ? 0 : a.dp - 1;
  const ae = Math.abs(exp);
  return `${s}${e}${exp < 0 ? '-' : '+'}${ae < 10 ? '0' : ''}${ae}`;
}

function fmtF(a: Decimal, prec: number): string {
  let s = '';
  if (a.dp > 0) for (let i = 0; i < a.dp; i++) s += digitAt(a, i);
  else s = '0';
  if (prec > 0) {
    s += '.';
    for (let i = 0; i < prec; i++) s += digitAt(a, a.dp + i);
  }
  return s;
}

/** strconv.FormatFloat for the decimal formats e, E, f, F, g, G (finite, non-negative x). */
function formatDecimal(x: number, fmt: string, prec: number): string {
  const shortest = prec < 0;
  let a: Decimal;
  if (shortest) {
    a = shortestDecimal(x);
    if (fmt === 'e' || fmt === 'E') prec = Math.max(a.d.length - 1, 0);
    else if (fmt === 'f' || fmt === 'F') prec = Math.max(a.d.length - a.dp, 0);
    else prec = a.d.length;
  } else {
    const exact = exactDecimal(x);
    if (fmt === 'e' || fmt === 'E') a = roundTo(exact, prec + 1);
    else if (fmt === 'f' || fmt === 'F') a = roundTo(exact, exact.dp + prec);
    else {
      if (prec === 0) prec = 1;
      a = roundTo(exact, prec);
    }
  }
  switch (fmt) {
    case 'e':
    case 'E':
      return fmtE(a, prec, fmt);
    case 'f':
    case 'F':
      return fmtF(a, prec);
  }
  // g, G
  let eprec = prec;
  if (eprec > a.d.length && a.d.length >= a.dp) eprec = a.d.length;
  if (shortest) eprec = 6;
  const exp = a.dp - 1;
  if (a.d !== '' && (exp < -4 || exp >= eprec)) {
    if (prec > a.d.length) prec = a.d.length;
    return fmtE(a, prec - 1, fmt === 'g' ? 'e' : 'E');
  }
  if (prec > a.dp) prec = a.d.length;
  return fmtF(a, Math.max(prec - a.dp, 0));
}

/** strconv.FormatFloat(x, 'x'|'X', prec, 64). */
function formatHexFloat(x: number, verb: string, prec: number): string {
  let mant: bigint;
  let exp: number;
  if (x === 0) {
    mant = 0n;
    exp = 0;
  } else {
    const view = new DataView(new ArrayBuffer(8));
    view.setFloat64(0, x);
    const bits = view.getBigUint64(0);
    const eb = Number((bits >> 52n) & 0x7ffn);
    mant = bits & ((1n << 52n) - 1n);
    if (eb === 0) {
      exp = -1022;
      while (mant < 1n << 52n) {
        mant <<= 1n;
        exp--;
      }
      mant &= (1n << 52n) - 1n;
    } else exp = eb - 1023;
    mant |= 1n << 52n;
  }
  // mant = 1.xxxx (53 bits: 1 + 52 fraction bits = 13 hex digits)
  let frac = mant & ((1n << 52n) - 1n);
  let lead = mant >> 52n;
  let hex = frac.toString(16).padStart(13, '0');
  if (prec >= 0 && prec < 13) {
    const shift = BigInt((13 - prec) * 4);
    const half = 1n << (shift - 1n);
    const rem = frac & ((1n << shift) - 1n);
    frac >>= shift;
    if (rem > half || (rem === half && (frac & 1n) === 1n)) frac++;
    if (frac >> BigInt(prec * 4) !== 0n) {
      frac = 0n;
      lead++;
      if (lead === 2n) {
        lead = 1n;
        exp++;
      }
    }
    hex = prec === 0 ? '' : frac.toString(16).padStart(prec, '0');
  } else if (prec < 0) hex = hex.replace(/0+$/, '');
  else hex = hex + '0'.repeat(prec - 13);
  if (x === 0) lead = 0n;
  let s = `0x${lead}${hex ? '.' + hex : ''}p${exp < 0 ? '-' : '+'}${Math.abs(exp) < 10 ? '0' : ''}${Math.abs(exp)}`;
  if (verb === 'X') s = s.toUpperCase();
  return s;
}

/** strconv.FormatFloat(x, 'b', -1, 64): decimal mantissa, binary exponent. */
function formatBinaryFloat(x: number): string {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const eb = Number((bits >> 52n) & 0x7ffn);
  let mant = bits & ((1n << 52n) - 1n);
  let exp = -1074;
  if (eb !== 0) {
    mant |= 1n << 52n;
    exp = eb - 1075;
  }
  return `${mant}p${exp < 0 ? '-' : '+'}${Math.abs(exp)}`;
}

function fmtFloat(f: Flags, v: number, verb: string, prec: number): string {
  if (f.precPresent) prec = f.prec;
  let num: string;
  if (!Number.isFinite(v)) num = Number.isNaN(v) ? '+NaN' : v > 0 ? '+Inf' : '-Inf';
  else {
    const neg = v < 0 || Object.is(v, -0);
    const x = Math.abs(v);
    let body: string;
    if (verb === 'x' || verb === 'X') body = formatHexFloat(x, verb, prec);
    else if (verb === 'b') body = formatBinaryFloat(x);
    else body = formatDecimal(x, verb, prec);
    num = (neg ? '-' : '+') + body;
  }
  if (f.space && num[0] === '+' && !f.plus) num = ' ' + num.slice(1);
  if (num[1] === 'I' || num[1] === 'N') {
    if (num[1] === 'N' && !f.space && !f.plus) num = num.slice(1);
    return pad({ ...f, zero: false }, num);
  }
  if (f.sharp && verb !== 'b') {
    // %#g keeps trailing zeros and always prints a decimal point
    let digits = 0;
    if (verb === 'v' || verb === 'g' || verb === 'G' || verb === 'x' || verb === 'X') {
      digits = prec;
      if (digits < 0) digits = 6;
    }
    let tail = '';
    const ePos = num.search(/[eEpP]/);
    if (ePos >= 0) {
      tail = num.slice(ePos);
      num = num.slice(0, ePos);
    }
    let sawNonzero = false;
    let hasPoint = false;
    for (let i = 1; i < num.length; i++) {
      const c = num[i];
      if (c === '.') hasPoint = true;
      else if (c >= '0' && c <= '9') {
        if (c !== '0') sawNonzero = true;
        if (sawNonzero) digits--;
      } else if (verb === 'x' || verb === 'X') {
        if (/[a-fA-F]/.test(c)) {
          sawNonzero = true;
          digits--;
        }
      }
    }
    if (!hasPoint) {
      if (num.length === 2 && num[1] === '0') digits--;
      num += '.';
    }
    if (digits > 0) num += '0'.repeat(digits);
    num += tail;
  }
  if (f.plus || num[0] !== '+') {
    if (f.zero && f.widPresent && f.wid > num.length) return num[0] + padding(f, f.wid - num.length) + num.slice(1);
    return pad(f, num);
  }
  return pad(f, num.slice(1));
}

function formatFloat(f: Flags, v: number, verb: string): string | undefined {
  switch (verb) {
    case 'v':
      return fmtFloat(f, v, 'g', -1);
    case 'b':
    case 'g':
    case 'G':
    case 'x':
    case 'X':
      return fmtFloat(f, v, verb, -1);
    case 'f':
    case 'e':
    case 'E':
    case 'F':
      return fmtFloat(f, v, verb === 'F' ? 'f' : verb, 6);
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------ strings

function fmtSx(f: Flags, s: string, upper: boolean): string {
  let bytes = Buffer.from(s, 'utf8');
  if (f.precPresent && f.prec < bytes.length) bytes = bytes.subarray(0, f.prec);
  const digits = upper ? DIGITS_UPPER : DIGITS_LOWER;
  let out = '';
  if (bytes.length === 0) return padding({ ...f, zero: false }, f.widPresent ? f.wid : 0);
  for (let i = 0; i < bytes.length; i++) {
    if (f.space && i > 0) out += ' ';
    if (f.sharp && (f.space || i === 0)) out += upper ? '0X' : '0x';
    out += digits[bytes[i] >> 4] + digits[bytes[i] & 15];
  }
  return pad({ ...f, zero: false }, out);
}

function formatString(f: Flags, s: string, verb: string): string | undefined {
  switch (verb) {
    case 'v':
    case 's':
      return pad(f, truncate(f, s));
    case 'x':
      return fmtSx(f, s, false);
    case 'X':
      return fmtSx(f, s, true);
    case 'q': {
      const t = truncate(f, s);
      if (f.sharp && !/[`\x00-\x08\x0a-\x1f\x7f\ufeff]/.test(t)) return pad(f, `\`${t}\``);
      const q = f.plus
        ? goQuote(t).replace(/[^\x00-\x7f]/gu, (ch) => {
            const cp = ch.codePointAt(0)!;
            return cp < 0x10000 ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\U${cp.toString(16).padStart(8, '0')}`;
          })
        : goQuote(t);
      return pad(f, q);
    }
  }
  return undefined;
}

// ------------------------------------------------------------------------------------------ Sprintf

function printArg(f: Flags, arg: GoArg, verb: string): string {
  let out: string | undefined;
  switch (arg.t) {
    case 'int':
      out = formatInt(f, arg.v, verb);
      break;
    case 'big':
      return formatBig(f, arg.v, verb);
    case 'float':
      out = formatFloat(f, arg.v, verb);
      break;
    case 'string':
      out = formatString(f, arg.v, verb);
      break;
  }
  if (out !== undefined) return out;
  // badVerb: %!verb(type=value), the value printed with %v and the same flags
  return `%!${verb}(${TYPE_NAME[arg.t]}=${printArg(f, arg, 'v')})`;
}

/** Go's fmt.Sprintf over Go values. */
export function goSprintf(format: string, args: GoArg[]): string {
  let out = '';
  let argNum = 0;
  let reordered = false;
  const end = format.length;
  let i = 0;

  const parsenum = (): { n: number; ok: boolean } => {
    let n = 0;
    let ok = false;
    while (i < end && format[i] >= '0' && format[i] <= '9') {
      if (n > 1e6) return { n: 0, ok: false };
      n = n * 10 + Number(format[i]);
      ok = true;
      i++;
    }
    return { n, ok };
  };

  let goodArgNum = true;
  /** argNumber: an explicit `[n]` index. */
  const argNumber = (): boolean => {
    if (i >= end || format[i] !== '[') return false;
    reordered = true;
    const close = format.indexOf(']', i + 1);
    if (close < 0) {
      goodArgNum = false;
      i = end;
      return false;
    }
    const text = format.slice(i + 1, close);
    const n = /^\d+$/.test(text) ? Number(text) : NaN;
    i = close + 1;
    if (Number.isNaN(n) || n < 1 || n > args.length) {
      goodArgNum = false;
      return true;
    }
    argNum = n - 1;
    return true;
  };

  const intFromArg = (): { n: number; ok: boolean } => {
    let n = 0;
    let ok = false;
    if (argNum < args.length) {
      const a = args[argNum];
      if (a.t === 'int' && a.v >= -1000000n && a.v <= 1000000n) {
        n = Number(a.v);
        ok = true;
      }
      argNum++;
    }
    return { n, ok };
  };

  while (i < end) {
    const pct = format.indexOf('%', i);
    if (pct < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, pct);
    i = pct + 1;
    const f: Flags = {
      plus: false,
      minus: false,
      sharp: false,
      space: false,
      zero: false,
      wid: 0,
      widPresent: false,
      prec: 0,
      precPresent: false,
    };
    goodArgNum = true;
    flags: for (; i < end; i++) {
      switch (format[i]) {
        case '#':
          f.sharp = true;
          break;
        case '0':
          f.zero = !f.minus;
          break;
        case '+':
          f.plus = true;
          break;
        case '-':
          f.minus = true;
          f.zero = false;
          break;
        case ' ':
          f.space = true;
          break;
        default:
          break flags;
      }
    }
    let afterIndex = argNumber();
    if (i < end && format[i] === '*') {
      i++;
      const w = intFromArg();
      f.wid = w.n;
      f.widPresent = w.ok;
      if (!w.ok) out += '%!(BADWIDTH)';
      if (f.wid < 0) {
        f.wid = -f.wid;
        f.minus = true;
        f.zero = false;
      }
      afterIndex = false;
    } else {
      const w = parsenum();
      f.wid = w.n;
      f.widPresent = w.ok;
      if (afterIndex && f.widPresent) goodArgNum = false;
    }
    if (i + 1 < end && format[i] === '.') {
      i++;
      if (afterIndex) goodArgNum = false;
      afterIndex = argNumber();
      if (i < end && format[i] === '*') {
        i++;
        const p = intFromArg();
        f.prec = p.n;
        f.precPresent = p.ok;
        if (f.prec < 0) {
          f.prec = 0;
          f.precPresent = false;
        }
        if (!p.ok) out += '%!(BADPREC)';
        afterIndex = false;
      } else {
        const p = parsenum();
        f.prec = p.n;
        f.precPresent = true;
      }
    }
    if (!afterIndex) afterIndex = argNumber();
    if (i >= end) {
      out += '%!(NOVERB)';
      break;
    }
    const verb = String.fromCodePoint(format.codePointAt(i)!);
    i += verb.length;
    if (verb === '%') out += '%';
    else if (!goodArgNum) out += `%!${verb}(BADINDEX)`;
    else if (argNum >= args.length) out += `%!${verb}(MISSING)`;
    else {
      if (verb === 'v') {
        // %#v and %+v: Go syntax and field names do not change these types' output, except %#v of a string
        if (f.sharp && args[argNum].t === 'string') {
          f.sharp = false;
          out += pad(f, goQuote(truncate(f, args[argNum].v as string)));
          argNum++;
          continue;
        }
        // doPrintf moves # and + into sharpV/plusV for %v, which these types ignore
        f.sharp = false;
        f.plus = false;
      }
      out += printArg(f, args[argNum], verb);
      argNum++;
    }
  }
  if (!reordered && argNum < args.length) {
    const f: Flags = {
      plus: false,
      minus: false,
      sharp: false,
      space: false,
      zero: false,
      wid: 0,
      widPresent: false,
      prec: 0,
      precPresent: false,
    };
    out += `%!(EXTRA ${args
      .slice(argNum)
      .map((a) => `${TYPE_NAME[a.t]}=${printArg(f, a, 'v')}`)
      .join(', ')})`;
  }
  return out;
}

export function sprintf(format: string, values: RegoValue[]): string {
  return goSprintf(format, values.map(toGoArg));
}

export const STRINGS_BUILTINS: Record<string, Builtin> = {
  sprintf: { arity: 2, fn: (args) => sprintf(stringOperand(args, 0), arrayOperand(args, 1)) },
};
