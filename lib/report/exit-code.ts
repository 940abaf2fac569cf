import type { Summary } from '../evaluation/result';

export const EXIT_OK = 0;
export const EXIT_REJECTED = 1;
export const EXIT_ERROR = 2;

/** 2 when anything could not be evaluated, else 1 when anything was rejected (or warned, if asked), else 0. */
export function exitCode(s: Summary, failOnWarn: boolean): number {
  if (s.error > 0) return EXIT_ERROR;
  if (s.fail > 0 || (failOnWarn && s.warn > 0)) return EXIT_REJECTED;
  return EXIT_OK;
}
