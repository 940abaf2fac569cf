import { compilePolicy, PolicyLoadError, type CompiledPolicy } from '../wasm/compile';
import { DEFAULT_EVALUATION_LIMITS } from '../wasm/limits';
import { EvaluationPool } from '../wasm/pool/pool';
import { fetchPolicy, PolicyFetchError, type FetchOptions } from '../store/fetch';
import { PolicyVerificationError } from '../verification/errors';
import type { PolicySpec } from '../policy/spec';
import {
  adoptSpeculativeStart,
  checkCompiled,
  poolOptions,
  startInPool,
  type LoadedPolicy,
  type PolicyLoading,
  type StartOptions,
} from './start';

export { poolOptions, type LoadedPolicy, type PolicyLoading } from './start';

export interface LoadOptions extends StartOptions {
  /** Store, registry and credentials settings (check --pull, --sources-path, --docker-config). */
  fetch?: FetchOptions;
  /** A pool created early (without policies) so its first worker starts while policies compile. */
  pool?: EvaluationPool;
}

/** How a policy is named in load errors. */
export function policyLoadName(spec: PolicySpec): string {
  return `policy ${spec.id} (${spec.module})`;
}

/**
 * Loads every policy, as policy-server does at start-up: any failure (fetch, compile, contract, init,
 * invalid settings) is fatal, because evaluating with a policy missing would report wrong verdicts.
 * The returned pool must be closed by the caller.
 */
export async function loadPolicies(
  specs: PolicySpec[],
  opts: LoadOptions,
): Promise<{ policies: LoadedPolicy[]; pool: EvaluationPool }> {
  const limits = opts.limits ?? DEFAULT_EVALUATION_LIMITS;
  const compiled = new Map<string, Promise<CompiledPolicy>>();
  const compileOnce = (spec: PolicySpec, name: string): Promise<CompiledPolicy> => {
    const key = spec.sources
      ? `${spec.module}\0${JSON.stringify([[...spec.sources.insecure], [...spec.sources.authorities]])}`
      : spec.module;
    let c = compiled.get(key);
    if (!c) {
      // A policy read from a cluster pulls with its own PolicyServer's sources added, not every server's.
      const fetch = spec.sources ? { ...opts.fetch, extraSources: spec.sources } : opts.fetch;
      c = fetchPolicy(spec.module, fetch).then(
        (bytes) => compilePolicy(name, bytes, limits.memoryLimitBytes),
        (err) => {
          throw err instanceof PolicyFetchError || err instanceof PolicyVerificationError
            ? new PolicyLoadError(`${name}: ${err.message}`)
            : err;
        },
      );
      compiled.set(key, c);
    }
    return c;
  };
  const names = specs.map(policyLoadName);
  // Fetch and compile in parallel; V8 compiles on background threads.
  const all = await Promise.all(specs.map((s, i) => compileOnce(s, names[i])));
  const checked = checkCompiled(specs, all, names, limits);
  return startInPool(checked, names, opts.pool ?? new EvaluationPool(undefined, poolOptions(opts, specs.length)));
}

/**
 * Starts loading in the background: the pool's first worker starts at once (its ~50 ms start-up overlaps
 * compiling and whatever the caller reads meanwhile); a failure closes the pool.
 */
export function startLoadingPolicies(specs: PolicySpec[], opts: LoadOptions): PolicyLoading {
  // The bundled set may be starting already (cmd/preload.ts), with these very options.
  const started = adoptSpeculativeStart(specs, opts);
  if (started) return started;
  const pool = new EvaluationPool(undefined, poolOptions(opts, specs.length));
  const loading = loadPolicies(specs, { ...opts, pool }).catch(async (err) => {
    await pool.close();
    throw err;
  });
  return { loading, pool };
}
