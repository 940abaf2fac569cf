import type { AdmissionRequest } from '../kube/admission-review';

/** The request could not be used; the message is kwctl's where kwctl has one. */
export class RunInputError extends Error {
  override name = 'RunInputError';
}

/** The request a policy receives, and its JSON as sent (once serialised, shared by every policy of the run). */
export interface RunRequest {
  request: AdmissionRequest;
  json: string;
}

/** Fields policy-evaluator's AdmissionRequest cannot be built without (serde: not Option, no default). */
const REQUIRED_FIELDS = ['uid', 'kind', 'resource', 'operation', 'userInfo'] as const;

/**
 * `kwctl run -r`'s input: an AdmissionReview (its `request`) or a bare AdmissionRequest, as kwctl's
 * build_validate_request takes it (kubewarden/kwctl src/run/evaluator.rs). `raw`: the document is given to the
 * policy as it is (raw policies, `--raw`), and the response's uid is the document's `uid`, if any.
 */
export function parseRunRequest(text: string, source: string, raw: boolean): RunRequest {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new RunInputError(`${source}: not valid JSON: ${(err as Error).message}`);
  }
  if (raw) {
    const uid = isObject(value) && typeof value.uid === 'string' ? value.uid : '';
    return { request: { ...(isObject(value) ? value : {}), uid } as AdmissionRequest, json: JSON.stringify(value) };
  }
  if (!isObject(value)) throw new RunInputError('Invalid request object');
  let request: unknown = value;
  if (value.kind === 'AdmissionReview') {
    if (!('request' in value)) throw new RunInputError('invalid AdmissionReview object');
    request = value.request;
  }
  if (!isObject(request))
    throw new RunInputError(
      'cannot build AdmissionRequest object from given input: invalid type: expected struct AdmissionRequest',
    );
  for (const f of REQUIRED_FIELDS) {
    if (request[f] === undefined || request[f] === null)
      throw new RunInputError(`cannot build AdmissionRequest object from given input: missing field \`${f}\``);
  }
  if (typeof request.uid !== 'string')
    throw new RunInputError(
      'cannot build AdmissionRequest object from given input: invalid type for `uid`: expected a string',
    );
  return { request: request as unknown as AdmissionRequest, json: JSON.stringify(request) };
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
