/**
 * resource.Quantity as the API server decodes and re-encodes it (k8s.io/apimachinery pkg/api/resource:
 * quantity.go ParseQuantity / CanonicalizeBytes, suffix.go), with exact big-integer arithmetic.
 */

export type QuantityFormat = 'DecimalSI' | 'BinarySI' | 'DecimalExponent';

/** value = sign × digits × 10^scale. */
interface Parsed {
  negative: boolean;
  digits: bigint;
  scale: number;
  format: QuantityFormat;
  /** The input text, when ParseQuantity's fast path keeps it as the encoded form. */
  keep?: string;
}

export class QuantityError extends Error {}

const BINARY: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const DECIMAL_SUFFIX: Record<number, string> = Object.fromEntries(Object.entries(DECIMAL).map(([s, e]) => [e, s]));
const BINARY_SUFFIX = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];
const INT64_MAX = (1n << 63n) - 1n;
const NUMBER = /^([+-]?)(\d*)(?:\.(\d*))?(.*)$/;

/** Parses a quantity's text (a JSON string's content, or a JSON number's literal). */
export function parseQuantity(text: string): Parsed {
  const str = text.trim();
  const m = NUMBER.exec(str);
  if (!str || !m || (m[2] === '' && (m[3] ?? '') === ''))
    throw new QuantityError(
      "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'",
    );
  const negative = m[1] === '-';
  const num = m[2];
  const denom = m[3] ?? '';
  const suffix = m[4];
  let format: QuantityFormat;
  let exp10 = 0;
  let exp2 = 0;
  if (suffix in BINARY) {
    format = 'BinarySI';
    exp2 = BINARY[suffix];
  } else if (suffix in DECIMAL) {
    format = 'DecimalSI';
    exp10 = DECIMAL[suffix];
  } else if (/^[eE][+-]?\d+$/.test(suffix)) {
    format = 'DecimalExponent';
    exp10 = Number(suffix.slice(1));
  } else {
    throw new QuantityError("unable to parse quantity's suffix");
  }
  const shifted = (num + denom).replace(/^$/, '0');
  let digits = BigInt(shifted) * (1n << BigInt(exp2));
  let scale = exp10 - denom.length;
  // Values are rounded up (away from zero) to nano precision.
  if (scale < -9) {
    const div = 10n ** BigInt(-9 - scale);
    digits = (digits + div - 1n) / div;
    scale = -9;
  }
  if (format === 'BinarySI' && digits !== 0n && compare(digits, scale, 1n, 0) < 0) format = 'DecimalSI';
  const parsed: Parsed = { negative: negative && digits !== 0n, digits, scale, format };
  // ParseQuantity's fast path keeps the text of canonical-looking integers that fit an int64.
  const fast = format === 'BinarySI' ? denom === '' : exp10 - denom.length >= -9;
  if (fast && BigInt(shifted) * (1n << BigInt(exp2)) <= INT64_MAX) {
    const value = BigInt(shifted);
    const canonicalLooking =
      suffix in BINARY
        ? (value & 7n) !== 0n
        : (exp10 - denom.length) % 3 === 0 && !shifted.endsWith('000') && shifted[0] !== '0';
    if (canonicalLooking) parsed.keep = str;
  }
  return parsed;
}

/** a×10^sa vs b×10^sb, for non-negative values. */
function compare(a: bigint, sa: number, b: bigint, sb: number): number {
  const s = Math.min(sa, sb);
  const x = a * 10n ** BigInt(sa - s);
  const y = b * 10n ** BigInt(sb - s);
  return x < y ? -1 : x > y ? 1 : 0;
}

/** The canonical text of a parsed value (CanonicalizeBytes). */
function canonical(q: Parsed): string {
  if (q.digits === 0n) return '0';
  const sign = q.negative ? '-' : '';
  let digits = q.digits;
  let scale = q.scale;
  while (digits % 10n === 0n) {
    digits /= 10n;
    scale++;
  }
  if (q.format === 'BinarySI' && scale >= 0) {
    let v = digits * 10n ** BigInt(scale);
    if (v >= 1024n) {
      let k = 0;
      while (k < 6 && v % 1024n === 0n) {
        v /= 1024n;
        k++;
      }
      return `${sign}${v}${BINARY_SUFFIX[k]}`;
    }
  }
  // Exponent lowered to a multiple of 3 (the mantissa grows), within the suffixes' range.
  const target = Math.min(Math.floor(scale / 3) * 3, q.format === 'DecimalExponent' ? Infinity : 18);
  digits *= 10n ** BigInt(scale - target);
  if (q.format === 'DecimalExponent') return `${sign}${digits}${target === 0 ? '' : `e${target}`}`;
  return `${sign}${digits}${DECIMAL_SUFFIX[target]}`;
}

/** The JSON string the API server writes for a quantity given as `text`. Throws QuantityError. */
export function canonicalQuantity(text: string): string {
  const q = parseQuantity(text);
  return q.keep ?? canonical(q);
}

/**
 * A quantity of a resource list, rounded up to milli as SetDefaults_ResourceList does (`RoundUp(-3)`); values
 * already at milli precision or coarser keep their encoded text.
 */
export function roundUpToMilli(text: string): string {
  const q = parseQuantity(text);
  if (q.scale >= -3) return q.keep ?? canonical(q);
  const div = 10n ** BigInt(-3 - q.scale);
  return canonical({ ...q, digits: (q.digits + div - 1n) / div, scale: -3 });
}
