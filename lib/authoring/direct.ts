import { toAdmissionResponse, type EvaluatedResponse } from '../admission/response';
import { RunCapabilities, type HostCapabilityOptions } from '../capabilities/run';
import type { Logger, LogLevel } from '../base/log';
import { groupResponse } from '../policy/group';
import { loadPolicies } from '../evaluation/load-policies';
import type { PolicyEntry } from '../policy/spec';
import { bindUnits, planUnits, type EvaluationUnit } from '../evaluation/units';
import type { FetchOptions } from '../store/fetch';
import { DEFAULT_EVALUATION_LIMITS, type EvaluationLimits } from '../wasm/limits';
import type { EvaluationPool } from '../wasm/pool/pool';
import type { RunRequest } from './run-request';

/**
 * Policies started for evaluating requests given as they are (kwctl run, bench): no selection by rules or
 * webhooks and no policy-server post-processing, as kwctl calls policy-evaluator directly.
 */
export interface DirectPolicies {
  units: EvaluationUnit[];
  pool: EvaluationPool;
  caps: RunCapabilities;
  close(): Promise<void>;
}

export interface DirectOptions {
  log: Logger;
  logLevel?: LogLevel;
  limits?: EvaluationLimits;
  fetch?: FetchOptions;
  hostCapabilities?: HostCapabilityOptions;
  /** See StartOptions.inline. */
  inline?: boolean;
}

/** Fetches, compiles and starts `entries` (settings validated: an invalid one throws PolicyLoadError). */
export async function startDirect(entries: PolicyEntry[], opts: DirectOptions): Promise<DirectPolicies> {
  const { specs, plans } = planUnits(entries);
  const caps = new RunCapabilities(opts.hostCapabilities ?? {}, opts.fetch, opts.log);
  // No run objects: a cluster, a session or nothing answers the kubernetes capability.
  caps.start([], 'default');
  const limits = opts.limits ?? DEFAULT_EVALUATION_LIMITS;
  const { policies, pool } = await loadPolicies(specs, {
    log: opts.log,
    limits,
    workers: 1,
    logLevel: opts.logLevel ?? 'warn',
    hostCalls: caps.hostCalls,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(opts.inline === false ? { inline: false } : {}),
  });
  const units = bindUnits(plans, policies, limits.timeoutMs);
  return {
    units,
    pool,
    caps,
    async close() {
      await pool.close();
      await caps.finish();
    },
  };
}

/** One unit's response to `req`: policy-evaluator's for a policy, the group evaluator's for a group. */
export async function evaluateDirect(
  unit: EvaluationUnit,
  pool: EvaluationPool,
  req: RunRequest,
): Promise<EvaluatedResponse> {
  if (unit.kind === 'single') {
    const [outcome] = await pool.evaluate(req.json, [unit.policy.index]);
    return toAdmissionResponse(req.request, outcome);
  }
  const outcomes = await pool.evaluate(
    req.json,
    unit.members.map((m) => m.index),
  );
  const members = unit.members.map((m, k) => ({
    name: unit.spec.members[k].name,
    response: toAdmissionResponse(req.request, outcomes[k]),
  }));
  return groupResponse(req.request.uid, unit.expr, unit.spec.message, members);
}

/** Whether the unit's module says it takes raw requests (metadata `policyType: raw`); groups never do. */
export function isRawUnit(unit: EvaluationUnit): boolean {
  return unit.kind === 'single' && unit.policy.metadata.policyType === 'raw';
}
