import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

declare const __EVALUATOR_WORKER_SOURCE__: string | undefined;

export const WORKER_BUNDLE = 'evaluator-worker.cjs';

/**
 * The worker's code. The CLI bundle carries it as a string (so the single-file binary needs no second file);
 * code running from the sources (tests) uses the worker bundle that `npm run build` writes to dist/.
 */
export function workerScript(): { code: string; eval: true } | { file: string; eval: false } {
  if (typeof __EVALUATOR_WORKER_SOURCE__ !== 'undefined') return { code: __EVALUATOR_WORKER_SOURCE__, eval: true };
  let dir = typeof __dirname !== 'undefined' ? __dirname : path.dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    for (const candidate of [path.join(dir, WORKER_BUNDLE), path.join(dir, 'dist', WORKER_BUNDLE)]) {
      if (existsSync(candidate)) return { file: candidate, eval: false };
    }
    dir = path.dirname(dir);
  }
  throw new Error(`cannot find ${WORKER_BUNDLE}: run npm run build`);
}
