import type { PolicyMode } from './policy-mode';
import type { EvaluatedResponse } from './response';

export interface PostProcessOptions {
  policyId: string;
  mode: PolicyMode;
  allowedToMutate: boolean;
  message?: string;
}

/**
 * policy-server's handling of /validate responses, in its order (crates/policy-server `evaluation`
 * `validation_response_with_constraints`): first a custom `message` on a rejection — it replaces the message, and
 * the original one (an empty one when there was none) is appended to `status.details.causes`, the code kept; then
 * the mode: monitor admits everything (no patch, no status), protect refuses a patch from a policy not allowed to
 * mutate with a status of only its own message (the code and causes are reset). Returns the response the API
 * server would act on, plus what monitor mode hid.
 */
export function postProcess(
  ev: EvaluatedResponse,
  opts: PostProcessOptions,
): EvaluatedResponse & { monitored?: EvaluatedResponse } {
  let out: EvaluatedResponse = ev;
  if (opts.message !== undefined && !ev.response.allowed) {
    const status = ev.response.status ?? {};
    const causes = [...(status.details?.causes ?? []), { message: status.message ?? '' }];
    out = {
      ...ev,
      response: {
        ...ev.response,
        status: { ...status, message: opts.message, details: { ...status.details, causes } },
      },
    };
  }
  if (opts.mode === 'monitor') {
    const { patch: _p, patchType: _t, status: _s, ...rest } = out.response;
    return { response: { ...rest, allowed: true }, monitored: ev };
  }
  if (!opts.allowedToMutate && out.response.patch !== undefined) {
    const { patch: _p, patchType: _t, ...rest } = out.response;
    return {
      response: {
        ...rest,
        allowed: false,
        status: {
          message: `Request rejected by policy ${opts.policyId}. The policy attempted to mutate the request, but it is currently configured to not allow mutations.`,
        },
      },
    };
  }
  return out;
}
