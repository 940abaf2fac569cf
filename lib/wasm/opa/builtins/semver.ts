import { OperandError, stringOperand, type Builtin } from './types';

/**
 * Semantic versions as OPA reads them (its fork of coreos/go-semver): `MAJOR.MINOR.PATCH[-PRERELEASE][+METADATA]`,
 * each of MAJOR/MINOR/PATCH an int64 in decimal (leading zeros allowed), identifiers `[0-9A-Za-z-]` separated
 * by dots. Metadata does not take part in comparisons.
 */
export interface SemVer {
  major: bigint;
  minor: bigint;
  patch: bigint;
  preRelease: string;
  metadata: string;
}

const IDENTIFIER = /^[0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*$/;
const INT64 = /^[+-]?\d+$/;
const MAX = 2n ** 63n - 1n;
const MIN = -(2n ** 63n);

function splitOff(s: string, sep: string): [string, string] {
  const i = s.indexOf(sep);
  return i < 0 ? [s, ''] : [s.slice(0, i), s.slice(i + 1)];
}

/** Parses a version; undefined when it is not valid. */
export function parseSemVer(version: string): SemVer | undefined {
  const [rest, metadata] = splitOff(version, '+');
  const [core, preRelease] = splitOff(rest, '-');
  const dot = core.split('.');
  if (dot.length < 3) return undefined;
  const parts = [dot[0], dot[1], dot.slice(2).join('.')];
  if (preRelease !== '' && !IDENTIFIER.test(preRelease)) return undefined;
  if (metadata !== '' && !IDENTIFIER.test(metadata)) return undefined;
  const nums: bigint[] = [];
  for (const p of parts) {
    if (!INT64.test(p)) return undefined;
    const n = BigInt(p);
    if (n > MAX || n < MIN) return undefined;
    nums.push(n);
  }
  return { major: nums[0], minor: nums[1], patch: nums[2], preRelease, metadata };
}

const ATOI = /^[+-]?\d+$/;

function comparePreRelease(a: string[], b: string[]): number {
  for (let i = 0; ; i++) {
    if (i >= a.length) return i >= b.length ? 0 : -1;
    if (i >= b.length) return 1;
    const aInt = ATOI.test(a[i]);
    const bInt = ATOI.test(b[i]);
    if (aInt && !bInt) return -1;
    if (!aInt && bInt) return 1;
    if (aInt && bInt) {
      const x = BigInt(a[i]);
      const y = BigInt(b[i]);
      if (x !== y) return x > y ? 1 : -1;
    }
    if (a[i] !== b[i]) return a[i] > b[i] ? 1 : -1;
  }
}

/** -1, 0 or 1. */
export function compareSemVer(a: SemVer, b: SemVer): number {
  for (const k of ['major', 'minor', 'patch'] as const) {
    if (a[k] !== b[k]) return a[k] > b[k] ? 1 : -1;
  }
  if (a.preRelease === '' && b.preRelease !== '') return 1;
  if (b.preRelease === '' && a.preRelease !== '') return -1;
  if (a.preRelease === '' && b.preRelease === '') return 0;
  return comparePreRelease(a.preRelease.split('.'), b.preRelease.split('.'));
}

export const SEMVER_BUILTINS: Record<string, Builtin> = {
  'semver.is_valid': { arity: 1, fn: (args) => typeof args[0] === 'string' && parseSemVer(args[0]) !== undefined },
  'semver.compare': {
    arity: 2,
    fn: (args) => {
      const a = stringOperand(args, 0);
      const b = stringOperand(args, 1);
      const va = parseSemVer(a);
      if (!va) throw new OperandError(`operand 1: string ${JSON.stringify(a)} is not a valid SemVer`);
      const vb = parseSemVer(b);
      if (!vb) throw new OperandError(`operand 2: string ${JSON.stringify(b)} is not a valid SemVer`);
      return compareSemVer(va, vb);
    },
  },
};
