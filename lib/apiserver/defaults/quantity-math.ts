/**
 * Comparison and addition of quantities (resource.Quantity Cmp and Add), on top of the stage's parser in
 * ../quantity.ts. Add keeps the receiver's format and re-canonicalises, as Quantity.Add then String() does.
 */
import { canonicalQuantity, parseQuantity } from '../quantity';

interface Exact {
  /** value = num × 10^scale */
  num: bigint;
  scale: number;
}

function exact(text: string): Exact & { format: ReturnType<typeof parseQuantity>['format'] } {
  const q = parseQuantity(text);
  return { num: q.negative ? -q.digits : q.digits, scale: q.scale, format: q.format };
}

function align(a: Exact, b: Exact): [bigint, bigint, number] {
  const s = Math.min(a.scale, b.scale);
  return [a.num * 10n ** BigInt(a.scale - s), b.num * 10n ** BigInt(b.scale - s), s];
}

export function compareQuantities(a: string, b: string): -1 | 0 | 1 {
  const [x, y] = align(exact(a), exact(b));
  return x < y ? -1 : x > y ? 1 : 0;
}

/** `num × 10^scale` as a plain decimal literal. */
function decimalText(num: bigint, scale: number): string {
  const negative = num < 0n;
  let digits = (negative ? -num : num).toString();
  if (scale >= 0) return `${negative ? '-' : ''}${digits}${'0'.repeat(scale)}`;
  digits = digits.padStart(-scale + 1, '0');
  return `${negative ? '-' : ''}${digits.slice(0, scale)}.${digits.slice(scale)}`;
}

export function addQuantities(a: string, b: string): string {
  const x = exact(a);
  const [p, q, scale] = align(x, exact(b));
  const sum = p + q;
  if (x.format === 'BinarySI') {
    // Expressed in Ki so that the parser keeps the binary format; sum/1024 is a finite decimal.
    const kiScale = scale - 10;
    return canonicalQuantity(`${decimalText(sum * 5n ** 10n, kiScale)}Ki`);
  }
  if (x.format === 'DecimalExponent') return canonicalQuantity(`${decimalText(sum, scale)}e0`);
  return canonicalQuantity(decimalText(sum, scale));
}

/** True when the quantity is greater than zero (the QoS rule only counts such values). */
export function isPositiveQuantity(text: string): boolean {
  return exact(text).num > 0n;
}
