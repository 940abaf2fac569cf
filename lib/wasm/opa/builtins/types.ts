import type { Logger } from '../../../base/log';
import { isNumber, numberParts, typeName, type RegoNumber, type RegoValue } from '../value';

/** What a builtin may use besides its arguments. One context per evaluation. */
export interface BuiltinContext {
  log: Logger;
  /** time.now_ns: the same instant for the whole evaluation, as in OPA. */
  nowNs(): bigint;
  /** Compiled regular expressions, kept by the policy that owns this context (no module-level cache). */
  regexCache?: Map<string, RegExp>;
}

/** A host builtin: returns the result, or `undefined` when the call is undefined in Rego; throws on error. */
export type BuiltinFn = (args: RegoValue[], ctx: BuiltinContext) => RegoValue | undefined;

export interface Builtin {
  arity: number;
  fn: BuiltinFn;
}

/** A builtin failed; `message` is OPA's text without the builtin name (e.g. `operand 1 must be string but got number`). */
export class BuiltinError extends Error {
  override name = 'BuiltinError';
  constructor(
    readonly builtin: string,
    readonly reason: string,
  ) {
    super(`${builtin}: ${reason}`);
  }
}

/** An error a builtin implementation raises; the dispatcher adds the builtin name. */
export class OperandError extends Error {
  override name = 'OperandError';
}

/** OPA's builtins.NewOperandTypeErr. */
export function operandTypeError(pos: number, got: RegoValue | undefined, ...expected: string[]): OperandError {
  return new OperandError(`operand ${pos} must be ${expected.join(' or ')} but got ${typeName(got)}`);
}

export function stringOperand(args: RegoValue[], i: number): string {
  const v = args[i];
  if (typeof v !== 'string') throw operandTypeError(i + 1, v, 'string');
  return v;
}

export function numberOperand(args: RegoValue[], i: number): number | bigint | RegoNumber {
  const v = args[i];
  if (!isNumber(v)) throw operandTypeError(i + 1, v, 'number');
  return v;
}

/** OPA's builtins.IntOperand. */
export function intOperand(args: RegoValue[], i: number): bigint {
  const parts = numberParts(numberOperand(args, i));
  if ('float' in parts) throw new OperandError(`operand ${i + 1} must be integer number but got floating-point number`);
  return parts.int;
}

export function arrayOperand(args: RegoValue[], i: number): RegoValue[] {
  const v = args[i];
  if (!Array.isArray(v)) throw operandTypeError(i + 1, v, 'array');
  return v;
}

/** UTF-8 bytes of a string (Go strings are byte strings). */
export function utf8(s: string): Buffer {
  return Buffer.from(s, 'utf8');
}
