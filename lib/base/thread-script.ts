import { Worker, type ResourceLimits } from 'node:worker_threads';
import { findBuildOutput } from './build-output';

/**
 * The code of a worker thread. The CLI bundle carries each worker's bundle as a string (`embedded`), so the
 * single-file binary needs no second file; code running from the sources (tests) uses the bundle that
 * `npm run build` writes to dist/.
 */
function threadScript(
  bundle: string,
  embedded: string | undefined,
): { code: string; eval: true } | { file: string; eval: false } {
  // Coverage runs (NODE_V8_COVERAGE) start the thread from the file in dist/ when there is one: V8 reports code run
  // from a string under no file name, which c8 cannot map back to lib/ (docs/testing.md).
  const file = embedded === undefined || process.env.NODE_V8_COVERAGE ? findBuildOutput(bundle, 5) : undefined;
  if (file) return { file, eval: false };
  if (embedded !== undefined) return { code: embedded, eval: true };
  throw new Error(`cannot find ${bundle}: run npm run build`);
}

/** A worker thread running that code, with its heap's limits when given. */
export function startThread(bundle: string, embedded: string | undefined, resourceLimits?: ResourceLimits): Worker {
  const script = threadScript(bundle, embedded);
  const limits = resourceLimits ? { resourceLimits } : {};
  return script.eval ? new Worker(script.code, { eval: true, ...limits }) : new Worker(script.file, limits);
}
