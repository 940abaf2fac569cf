import type { Worker } from 'node:worker_threads';
import { startThread } from '../../base/thread-script';

declare const __EVALUATOR_WORKER_SOURCE__: string | undefined;

export const WORKER_BUNDLE = 'evaluator-worker.cjs';

/** A new evaluation worker thread (the CLI bundle carries its code as a string; tests use dist/). */
export function startEvaluatorThread(): Worker {
  return startThread(
    WORKER_BUNDLE,
    typeof __EVALUATOR_WORKER_SOURCE__ !== 'undefined' ? __EVALUATOR_WORKER_SOURCE__ : undefined,
  );
}
