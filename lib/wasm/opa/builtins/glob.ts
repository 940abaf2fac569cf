import { stringOperand, type Builtin } from './types';

/** gobwas/glob QuoteMeta: a backslash before each of `* ? \ [ ] { }`. */
export function globQuoteMeta(s: string): string {
  return s.replace(/[*?\\[\]{}]/g, (c) => `\\${c}`);
}

export const GLOB_BUILTINS: Record<string, Builtin> = {
  'glob.quote_meta': { arity: 1, fn: (args) => globQuoteMeta(stringOperand(args, 0)) },
};
