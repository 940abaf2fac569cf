import type { PolicyMode } from './policy-mode';
import type { EvaluatedResponse } from './response';

export interface PostProcessOptions {
  policyId: string;
  mode: PolicyMode;
  allowedToMutate: boolean;
  message?: string;
}

/**
 * policy-server's handling of /validate responses (docs/host-interface.md §1.6), in its order: monitor mode, mutation not
 * allowed, custom message. Returns the response the API server would act on, plus what monitor mode hid.
 */
export function postProcess(ev: EvaluatedResponse, opts: PostProcessOptions): EvaluatedResponse & { monitored?: EvaluatedResponse } {
  if (opts.mode === 'monitor') {
    const { patch: _p, patchType: _t, status: _s, ...rest } = ev.response;
    return { response: { ...rest, allowed: true }, monitored: ev };
  }
  let out: EvaluatedResponse = ev;
  if (!opts.allowedToMutate && ev.response.patch !== undefined) {
    const { patch: _p, patchType: _t, ...rest } = ev.response;
    out = {
      response: {
        ...rest,
        allowed: false,
        status: {
          ...ev.response.status,
          message: `Request rejected by policy ${opts.policyId}. The policy attempted to mutate the request, but it is currently configured to not allow mutations.`,
        },
      },
    };
  }
  if (opts.message !== undefined && !out.response.allowed) {
    const original = out.response.status?.message;
    out = {
      ...out,
      response: {
        ...out.response,
        status: {
          ...out.response.status,
          message: opts.message,
          ...(original !== undefined ? { details: { causes: [{ message: original }] } } : {}),
        },
      },
    };
  }
  return out;
}
