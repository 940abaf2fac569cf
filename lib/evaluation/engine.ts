import { boundHeapGrowth } from '../base/heap-growth';
import type { Logger, LogLevel } from '../base/log';
import type { RunCapabilities } from '../capabilities/run';
import type { PolicyEntry } from '../policy/spec';
import type { FetchOptions } from '../store/fetch';
import { DEFAULT_EVALUATION_LIMITS, type EvaluationLimits } from '../wasm/limits';
import { startLoadingPolicies, type LoadedPolicy, type PolicyLoading } from './load-policies';
import { bindUnits, planUnits, type EvaluationUnit } from './units';

/** What a use case gives the engine, besides its policies. */
export interface EngineOptions {
  evaluationLimits?: EvaluationLimits;
  workers: number;
  log: Logger;
  logLevel?: LogLevel;
  fetch?: FetchOptions;
}

export interface EngineStart extends PolicyLoading {
  /** The workers the run evaluates with: one when host calls must be answered in order (replaying a session). */
  workers: number;
  /** The evaluation units (policies and groups, in the order results are wanted) over the loaded policies. */
  bind(policies: readonly LoadedPolicy[]): EvaluationUnit[];
}

/**
 * The start every use case shares (check, audit): plan the units of its policies (a group loads as its members),
 * and start loading them into the worker pool, whose first worker starts at once, with the run's host capabilities.
 */
export function startEngine(entries: readonly PolicyEntry[], caps: RunCapabilities, o: EngineOptions): EngineStart {
  boundHeapGrowth();
  const { specs, plans } = planUnits(entries);
  const workers = caps.sequential ? 1 : o.workers;
  const loadOpts = {
    log: o.log,
    limits: o.evaluationLimits,
    workers,
    logLevel: o.logLevel,
    hostCalls: caps.hostCalls,
    ...(o.fetch ? { fetch: o.fetch } : {}),
  };
  const { loading, pool } = startLoadingPolicies(specs, loadOpts);
  const timeoutMs = (o.evaluationLimits ?? DEFAULT_EVALUATION_LIMITS).timeoutMs;
  return { workers, loading, pool, bind: (policies) => bindUnits(plans, policies, timeoutMs) };
}
