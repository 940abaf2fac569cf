/** Limits every evaluation runs under (docs/execution-modes.md). */
export interface EvaluationLimits {
  /** Deadline per evaluation (and per init / settings validation); 0 disables it. policy-server: 2 s. */
  timeoutMs: number;
  /** Largest linear memory a policy instance may grow to. */
  memoryLimitBytes: number;
  /** Largest response (waPC) or stdout (WASI) a policy may produce. */
  maxOutputBytes: number;
}

export const DEFAULT_EVALUATION_LIMITS: EvaluationLimits = {
  timeoutMs: 2000,
  memoryLimitBytes: 512 * 1024 * 1024,
  maxOutputBytes: 64 * 1024 * 1024,
};

/** Raised inside a host function to stop a guest that produced more output than allowed. */
export class OutputLimitError extends Error {
  override name = 'OutputLimitError';
  constructor(what: string, limit: number) {
    super(`the policy ${what} more than ${limit} bytes (the output limit)`);
  }
}

/**
 * Parses `2s`, `500ms`, `1m` or a plain number of seconds into whole milliseconds, rounded up (1.5ms is 2 ms).
 * `0` (in any unit) means no deadline. A duration above 0 but below 1 ms is refused: it used to round to 0,
 * which silently disabled the deadline.
 */
export function parseDuration(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m)?\s*$/.exec(text);
  if (!m) throw new Error(`invalid duration "${text}" (use e.g. 2s, 500ms, 1m or 0 to disable)`);
  const n = Number(m[1]);
  const ms = m[2] === 'ms' ? n : m[2] === 'm' ? n * 60_000 : n * 1000;
  if (ms === 0) return 0;
  if (ms < 1) throw new Error(`duration "${text}" is below 1ms, the smallest deadline (use 0 to disable the deadline)`);
  if (!Number.isSafeInteger(Math.ceil(ms))) throw new Error(`duration "${text}" is too large`);
  return Math.ceil(ms);
}

/** Parses `512Mi`, `1Gi`, `256` (MiB) or `1048576B`. */
export function parseMemory(text: string): number {
  const m = /^\s*(\d+(?:\.\d+)?)\s*(B|Ki|Mi|Gi)?\s*$/.exec(text);
  if (!m) throw new Error(`invalid memory size "${text}" (use e.g. 512Mi, 1Gi)`);
  const unit = { B: 1, Ki: 1024, Mi: 1024 ** 2, Gi: 1024 ** 3 }[m[2] ?? 'Mi']!;
  return Math.round(Number(m[1]) * unit);
}
