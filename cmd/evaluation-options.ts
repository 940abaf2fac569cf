import { availableParallelism } from 'node:os';
import { DEFAULT_EVALUATION_LIMITS, parseDuration, parseMemory, type EvaluationLimits } from '../lib/wasm/limits';
import { UsageError } from './context';

/** The sandbox flags `check` and `audit` share: workers, deadline, memory and output caps. */
export interface EvaluationArgs {
  workers: number;
  timeout: string;
  'memory-limit': string;
  'max-output-size': number;
}

export const EVALUATION_OPTIONS = {
  // One CPU is left to the main thread and the manifest parser thread: on 2 CPUs, 2 workers took 30.1 s for
  // 50,000 objects and 1 worker 24.7 s (docs/performance.md, docs/decisions.md).
  workers: {
    type: 'number',
    default: Math.max(1, availableParallelism() - 1),
    describe: 'Worker threads evaluating policies (default: one less than the CPUs, at least 1)',
  },
  timeout: {
    type: 'string',
    default: `${DEFAULT_EVALUATION_LIMITS.timeoutMs / 1000}s`,
    describe:
      "Deadline per evaluation (e.g. 2s, 500ms; at least 1ms, 0 disables it), as policy-server's --policy-timeout",
  },
  'memory-limit': {
    type: 'string',
    default: `${DEFAULT_EVALUATION_LIMITS.memoryLimitBytes / 1048576}Mi`,
    describe: 'Largest memory a policy instance may grow to (e.g. 256Mi, 1Gi)',
  },
  'max-output-size': {
    type: 'number',
    default: DEFAULT_EVALUATION_LIMITS.maxOutputBytes,
    describe: 'Largest policy response or stdout, in bytes',
  },
} as const;

/** The flags as limits; a UsageError names the flag that is wrong. */
export function evaluationLimitsFromArgs(args: EvaluationArgs): EvaluationLimits {
  if (!Number.isInteger(args.workers) || args.workers < 1)
    throw new UsageError(`--workers must be a whole number of at least 1, got ${args.workers}`);
  try {
    const memoryLimitBytes = parseMemory(args['memory-limit']);
    if (memoryLimitBytes < 65536) throw new Error('--memory-limit must be at least 64Ki (one wasm page)');
    if (!(args['max-output-size'] > 0)) throw new Error('--max-output-size must be positive');
    let timeoutMs: number;
    try {
      timeoutMs = parseDuration(args.timeout);
    } catch (err) {
      throw new Error(`--timeout: ${(err as Error).message}`);
    }
    return { timeoutMs, memoryLimitBytes, maxOutputBytes: args['max-output-size'] };
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
}
