import type { Logger, LogLevel } from '../base/log';
import { modeContractProblems, PolicyLoadError, resolveExecutionMode, type CompiledPolicy } from '../wasm/compile';
import { DEFAULT_EVALUATION_LIMITS, type EvaluationLimits } from '../wasm/limits';
import type { PolicyMetadata } from '../wasm/metadata';
import { EvaluationPool, type PoolOptions } from '../wasm/pool/pool';
import type { WorkerPolicy } from '../wasm/pool/messages';
import { BUNDLED_SCHEME } from '../store/bundled';
import { evaluationDeadline, type PolicySpec } from '../policy/spec';

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

/** What starting compiled policies in a pool depends on. */
export interface StartOptions {
  log: Logger;
  limits?: EvaluationLimits;
  workers: number;
  logLevel?: LogLevel;
  /** Answers the policies' host calls that need I/O (lib/capabilities/run.ts). */
  hostCalls?: PoolOptions['hostCalls'];
  /** false: every evaluation in workers, none on the main thread (PoolOptions.inline); `bench` times worker round trips. */
  inline?: boolean;
}

/** Policies loading, and the pool they load into (to close when something else fails meanwhile). */
export interface PolicyLoading {
  loading: Promise<{ policies: LoadedPolicy[]; pool: EvaluationPool }>;
  pool: EvaluationPool;
}

/** policy-server's refusal of a waPC module without protocolVersion (its wording, docs/execution-modes.md). */
export const MISSING_PROTOCOL_VERSION =
  'Policy is missing protocol version, which is required for KubewardenWapc execution mode';

/** Compiled policies checked against their specs, and what the workers need to run them. */
export interface CheckedPolicies {
  loaded: LoadedPolicy[];
  workerPolicies: WorkerPolicy[];
}

/**
 * Checks compiled policies against their specs (execution mode, the mode's contract); throws PolicyLoadError.
 * `names` name the policies in errors.
 */
export function checkCompiled(
  specs: PolicySpec[],
  all: CompiledPolicy[],
  names: string[],
  limits: EvaluationLimits,
): CheckedPolicies {
  const workerPolicies: WorkerPolicy[] = [];
  const loaded = specs.map((spec, i): LoadedPolicy => {
    const c = all[i];
    const mode = resolveExecutionMode(names[i], c, spec.executionMode);
    // policy-server refuses a waPC module that does not declare protocolVersion v1 (its metadata defaults have
    // none): for configurations it would run, so do we; -p keeps kwctl's leniency (kwctl run accepts it).
    if (spec.policyServerChecks && mode === 'kubewarden-wapc' && c.metadata.protocolVersion === undefined) {
      throw new PolicyLoadError(`${names[i]}: ${MISSING_PROTOCOL_VERSION}`);
    }
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
    return {
      spec,
      metadata: c.metadata,
      sha256: c.sha256,
      index: i,
      allowedToMutate: spec.allowedToMutate ?? c.metadata.mutating,
      callsHost: importsHostCall(c.module) || ((mode === 'opa' || mode === 'gatekeeper') && contextAware),
    };
  });
  return { loaded, workerPolicies };
}

/**
 * Starts checked policies in `pool` and validates their settings, as policy-server does at start-up: any failure
 * (init, invalid settings) is fatal, because evaluating with a policy missing would report wrong verdicts. The
 * policies and their start-up checks are handed to the pool before this returns; on failure the pool is closed.
 */
export async function startInPool(
  checked: CheckedPolicies,
  names: string[],
  pool: EvaluationPool,
): Promise<{ policies: LoadedPolicy[]; pool: EvaluationPool }> {
  const { loaded, workerPolicies } = checked;
  pool.setPolicies(workerPolicies);
  try {
    const prepared = await Promise.all(loaded.map((p) => pool.prepare(p.index)));
    prepared.forEach((outcome, i) => {
      const spec = loaded[i].spec;
      if (!outcome.ok) throw new PolicyLoadError(`${names[i]}: ${outcome.message}`);
      if (!outcome.settings.valid)
        throw new PolicyLoadError(
          `${names[i]}: invalid settings (${spec.origin}): ${outcome.settings.message ?? 'no message'}`,
        );
    });
  } catch (err) {
    await pool.close();
    throw err;
  }
  return { policies: loaded, pool };
}

function importsHostCall(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.imports(module).some(
    (i) => (i.module === 'wapc' && i.name === '__host_call') || (i.module === 'host' && i.name === 'call'),
  );
}

/** Pool settings for `count` policies: never more workers than policies. */
export function poolOptions(opts: StartOptions, count: number): PoolOptions {
  return {
    workers: Math.max(1, Math.min(opts.workers, count || 1)),
    log: opts.log,
    logLevel: opts.logLevel ?? 'warn',
    ...(opts.hostCalls ? { hostCalls: opts.hostCalls } : {}),
    ...(opts.inline === false ? {} : { inline: { budgetMs: INLINE_BUDGET_MS } }),
  };
}

/**
 * Guest time a run spends on the main thread before it moves to workers (PoolOptions.inline). The pre-commit case
 * (one small file, the 20 bundled policies: 20 start-ups and 20-60 evaluations) takes 20-40 ms; a run that needs
 * more than this is large enough that a worker's start-up (~50 ms) no longer matters and its parallelism does.
 */
export const INLINE_BUDGET_MS = 100;

// ---------------------------------------------------------------------------------------------------------------
// Starting before the options are known (the bundled set at start-up, cmd/preload.ts)
// ---------------------------------------------------------------------------------------------------------------

/** Options a speculative start is made with; a run adopts it only when its own are the same. */
export interface SpeculativeOptions {
  limits: EvaluationLimits;
  workers: number;
  logLevel: LogLevel;
}

interface Speculation {
  key: string;
  loading: PolicyLoading;
  /** Connects the pool's logger and host calls to the run that adopts it. */
  adopt(log: Logger, hostCalls: NonNullable<PoolOptions['hostCalls']>): void;
}

let speculation: Speculation | undefined;

const keyOf = (specs: PolicySpec[], limits: EvaluationLimits, workers: number, logLevel: LogLevel): string =>
  JSON.stringify([specs, [limits.timeoutMs, limits.memoryLimitBytes, limits.maxOutputBytes], workers, logLevel]);

/**
 * Starts `specs` (compiling; `builtin://` modules only, whose bytes do not depend on fetch options) in a new pool
 * now, before the command line is parsed: V8 compiles them on its own threads while this thread loads and runs the
 * CLI, and they start as soon as this thread is free. A compile or check failure is the adopting run's, with the
 * error its own loading would give (the same compile and checks, the same names).
 * `startLoadingPolicies` hands the result to a run whose specs and options are the same; any other run ignores
 * it, and `dropSpeculativeStart` closes it. Worker log lines wait for the run that adopts it.
 */
export function startSpeculatively(
  specs: PolicySpec[],
  compiling: Promise<CompiledPolicy[]>,
  names: string[],
  opts: SpeculativeOptions,
): void {
  if (speculation) return;
  if (!specs.every((s) => s.module.startsWith(BUNDLED_SCHEME)))
    throw new Error('only the bundled policies can be started before the command line is parsed');
  const held: [keyof Logger, string][] = [];
  let log: Logger | undefined;
  const deferred: Logger = {
    error: (m) => (log ? log.error(m) : held.push(['error', m])),
    warn: (m) => (log ? log.warn(m) : held.push(['warn', m])),
    info: (m) => (log ? log.info(m) : held.push(['info', m])),
    debug: (m) => (log ? log.debug(m) : held.push(['debug', m])),
  };
  let attach!: (h: NonNullable<PoolOptions['hostCalls']>) => void;
  const attached = new Promise<NonNullable<PoolOptions['hostCalls']>>((resolve) => (attach = resolve));
  const hostCalls: PoolOptions['hostCalls'] = (policy, binding, namespace, operation, payload) =>
    attached.then((h) => h(policy, binding, namespace, operation, payload));
  const pool = new EvaluationPool(
    undefined,
    poolOptions({ log: deferred, workers: opts.workers, logLevel: opts.logLevel, hostCalls }, specs.length),
  );
  const loading = compiling
    .then((all) => startInPool(checkCompiled(specs, all, names, opts.limits), names, pool))
    .catch(async (err: unknown) => {
      await pool.close();
      throw err;
    });
  // Nobody may ever adopt it: its failure is reported by the run that does.
  loading.catch(() => undefined);
  speculation = {
    key: keyOf(
      specs,
      opts.limits,
      poolOptions({ log: deferred, workers: opts.workers }, specs.length).workers,
      opts.logLevel,
    ),
    loading: { loading, pool },
    adopt(target, h) {
      log = target;
      for (const [level, m] of held.splice(0)) target[level](m);
      attach(h);
    },
  };
}

/** The speculative start, when `specs` and `opts` are what it was made with; it is then no longer held here. */
export function adoptSpeculativeStart(specs: PolicySpec[], opts: StartOptions): PolicyLoading | undefined {
  const s = speculation;
  if (!s || !opts.hostCalls) return undefined;
  const workers = poolOptions(opts, specs.length).workers;
  if (keyOf(specs, opts.limits ?? DEFAULT_EVALUATION_LIMITS, workers, opts.logLevel ?? 'warn') !== s.key)
    return undefined;
  speculation = undefined;
  s.adopt(opts.log, opts.hostCalls);
  return s.loading;
}

/** Closes a speculative start nobody adopted (its worker would otherwise keep the process alive). */
export async function dropSpeculativeStart(): Promise<void> {
  const s = speculation;
  speculation = undefined;
  if (s) await s.loading.pool.close();
}
