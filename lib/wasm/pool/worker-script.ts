import { findBuildOutput } from '../../build-output';

declare const __EVALUATOR_WORKER_SOURCE__: string | undefined;

export const WORKER_BUNDLE = 'evaluator-worker.cjs';

/**
 * The worker's code. The CLI bundle carries it as a string (so the single-file binary needs no second file);
 * code running from the sources (tests) uses the worker bundle that `npm run build` writes to dist/.
 */
export function workerScript(): { code: string; eval: true } | { file: string; eval: false } {
  if (typeof __EVALUATOR_WORKER_SOURCE__ !== 'undefined') return { code: __EVALUATOR_WORKER_SOURCE__, eval: true };
  const file = findBuildOutput(WORKER_BUNDLE, 5);
  if (file) return { file, eval: false };
  throw new Error(`cannot find ${WORKER_BUNDLE}: run npm run build`);
}
