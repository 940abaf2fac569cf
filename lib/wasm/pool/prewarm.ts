import type { Worker } from 'node:worker_threads';
import { startEvaluatorThread } from './worker-script';

/** A worker thread started before anything else, kept unreferenced so it never holds the process open. */
let spare: Worker | undefined;

/** Starts a worker thread now; its ~50-100 ms of start-up then overlaps loading the CLI. */
export function prewarmWorker(): void {
  if (spare) return;
  spare = newWorker();
  spare.unref();
  // An unused spare must not surface as an unhandled error at exit.
  spare.on('error', () => undefined);
}

/** The prewarmed worker, if any (referenced again), else a new one. */
export function takeWorker(): Worker {
  const w = spare;
  spare = undefined;
  if (!w) return newWorker();
  w.ref();
  return w;
}

const newWorker = startEvaluatorThread;
