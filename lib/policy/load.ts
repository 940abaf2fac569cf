import type { Logger, LogLevel } from '../log';
import { compilePolicy, modeContractProblems, PolicyLoadError, resolveExecutionMode, type CompiledPolicy } from '../wasm/load';
import { DEFAULT_EVALUATION_LIMITS, type EvaluationLimits } from '../wasm/limits';
import type { PolicyMetadata } from '../wasm/metadata';
import { EvaluationPool, type PoolOptions } from '../wasm/pool/pool';
import type { WorkerPolicy } from '../wasm/pool/messages';
import { fetchPolicy, PolicyFetchError, type FetchOptions } from '../store/fetch';
import { evaluationDeadline, type PolicySpec } from './spec';

/** A policy ready to evaluate: fetched, compiled once, started and its settings validated in the pool. */
export interface LoadedPolicy {
  spec: PolicySpec;
  metadata: PolicyMetadata;
  sha256: string;
  /** Index of the policy in the pool. */
  index: number;
  allowedToMutate: boolean;
  /**
   * Whether the policy can ask the host anything beyond logging: its module imports waPC's `__host_call` or
   * WASI's `host.call`, or it is a Rego policy given context data. The bundled policies cannot.
   */
  callsHost: boolean;
}

export interface LoadOptions {
  log: Logger;
  limits?: EvaluationLimits;
  workers: number;
  logLevel?: LogLevel;
  /** Store, registry and credentials settings (check --pull, --sources-path, --docker-config). */
  fetch?: FetchOptions;
  /** A pool created early (without policies) so its first worker starts while policies compile. */
  pool?: EvaluationPool;
  /** Answers the policies' host calls that need I/O (lib/capabilities/run.ts). */
  hostCalls?: PoolOptions['hostCalls'];
}

/**
 * Loads every policy, as policy-server does at start-up: any failure (fetch, compile, contract, init,
 * invalid settings) is fatal, because evaluating with a policy missing would report wrong verdicts.
 * The returned pool must be closed by the caller.
 */
export async function loadPolicies(specs: PolicySpec[], opts: LoadOptions): Promise<{ policies: LoadedPolicy[]; pool: EvaluationPool }> {
  const limits = opts.limits ?? DEFAULT_EVALUATION_LIMITS;
  const compiled = new Map<string, Promise<CompiledPolicy>>();
  const compileOnce = (spec: PolicySpec, name: string): Promise<CompiledPolicy> => {
    let c = compiled.get(spec.module);
    if (!c) {
      c = fetchPolicy(spec.module, opts.fetch).then(
        (bytes) => compilePolicy(name, bytes, limits.memoryLimitBytes),
        (err) => {
          throw err instanceof PolicyFetchError ? new PolicyLoadError(`${name}: ${err.message}`) : err;
        },
      );
      compiled.set(spec.module, c);
    }
    return c;
  };
  const names = specs.map((s) => `policy ${s.id} (${s.module})`);
  // Fetch and compile in parallel; V8 compiles on background threads.
  const all = await Promise.all(specs.map((s, i) => compileOnce(s, names[i])));
  const workerPolicies: WorkerPolicy[] = [];
  const loaded: LoadedPolicy[] = specs.map((spec, i) => {
    const c = all[i];
    const mode = resolveExecutionMode(names[i], c, spec.executionMode);
    const problems = modeContractProblems(c, mode);
    if (problems.length > 0) throw new PolicyLoadError(`${names[i]}: ${problems.join('; ')}`);
    workerPolicies.push({
      id: spec.id,
      mode,
      module: c.module,
      policyType: c.metadata.policyType,
      settingsJson: JSON.stringify(spec.settings ?? {}),
      // timeoutEvalSeconds, or the API server's webhook timeout when shorter (lib/policy/spec.ts).
      limits: { ...limits, timeoutMs: evaluationDeadline(spec, limits.timeoutMs).timeoutMs },
      ...(c.snapshotGlobals ? { snapshotGlobals: c.snapshotGlobals } : {}),
      // Configuration files grant what they list; a -p module gets its metadata's list (kwctl --allow-context-aware).
      contextAwareResources: spec.contextAwareResources ?? c.metadata.contextAwareResources,
    });
    const contextAware = (spec.contextAwareResources ?? c.metadata.contextAwareResources).length > 0;
    return { spec, metadata: c.metadata, sha256: c.sha256, index: i, allowedToMutate: spec.allowedToMutate ?? c.metadata.mutating, callsHost: importsHostCall(c.module) || ((mode === 'opa' || mode === 'gatekeeper') && contextAware) };
  });
  const pool = opts.pool ?? new EvaluationPool(undefined, poolOptions(opts, specs.length));
  pool.setPolicies(workerPolicies);
  try {
    const prepared = await Promise.all(loaded.map((p) => pool.prepare(p.index)));
    prepared.forEach((outcome, i) => {
      const spec = specs[i];
      if (!outcome.ok) throw new PolicyLoadError(`${names[i]}: ${outcome.message}`);
      if (!outcome.settings.valid) throw new PolicyLoadError(`${names[i]}: invalid settings (${spec.origin}): ${outcome.settings.message ?? 'no message'}`);
    });
  } catch (err) {
    await pool.close();
    throw err;
  }
  return { policies: loaded, pool };
}

function importsHostCall(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some((i) => (i.module === 'wapc' && i.name === '__host_call') || (i.module === 'host' && i.name === 'call'));
}

/** Policies loading, and the pool they load into (to close when something else fails meanwhile). */
export interface PolicyLoading {
  loading: Promise<{ policies: LoadedPolicy[]; pool: EvaluationPool }>;
  pool: EvaluationPool;
}

/**
 * Starts loading in the background: the pool's first worker starts at once (its ~50 ms start-up overlaps
 * compiling and whatever the caller reads meanwhile); a failure closes the pool.
 */
export function startLoadingPolicies(specs: PolicySpec[], opts: LoadOptions): PolicyLoading {
  const pool = new EvaluationPool(undefined, poolOptions(opts, specs.length));
  const loading = loadPolicies(specs, { ...opts, pool }).catch(async (err) => {
    await pool.close();
    throw err;
  });
  return { loading, pool };
}

/** Pool settings for `count` policies: never more workers than policies. */
export function poolOptions(opts: LoadOptions, count: number): PoolOptions {
  return { workers: Math.max(1, Math.min(opts.workers, count || 1)), log: opts.log, logLevel: opts.logLevel ?? 'warn', ...(opts.hostCalls ? { hostCalls: opts.hostCalls } : {}) };
}
