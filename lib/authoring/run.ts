import type { AdmissionResponse } from '../kube/admission-review';
import type { HostCapabilityOptions } from '../capabilities/run';
import type { Logger, LogLevel } from '../base/log';
import type { PolicyEntry } from '../policy/spec';
import type { FetchOptions } from '../store/fetch';
import type { EvaluationLimits } from '../wasm/limits';
import { evaluateDirect, isRawUnit, startDirect } from './direct';
import { parseRunRequest } from './run-request';

export interface RunOptions {
  /** The text of `-r`: an AdmissionReview, a bare AdmissionRequest, or (raw) any JSON document. */
  requestText: string;
  requestSource: string;
  policies: PolicyEntry[];
  /** `--raw`: every policy gets the document as it is (policies whose metadata says raw always do). */
  raw: boolean;
  log: Logger;
  logLevel?: LogLevel;
  limits?: EvaluationLimits;
  fetch?: FetchOptions;
  hostCapabilities?: HostCapabilityOptions;
}

/**
 * `kwctl run`: every policy evaluates the one request, in order, and each gives the AdmissionResponse
 * policy-evaluator returns (kubewarden/kwctl src/command/run.rs). Throws on bad input, a policy that cannot load
 * or invalid settings; a policy that fails while evaluating is a response (allowed false, code 500), as in kwctl.
 */
export async function runPolicies(opts: RunOptions): Promise<AdmissionResponse[]> {
  const direct = await startDirect(opts.policies, opts);
  try {
    const out: AdmissionResponse[] = [];
    for (const unit of direct.units) {
      const req = parseRunRequest(opts.requestText, opts.requestSource, opts.raw || isRawUnit(unit));
      out.push((await evaluateDirect(unit, direct.pool, req)).response);
    }
    return out;
  } finally {
    await direct.close();
  }
}
