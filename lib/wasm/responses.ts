import type { SettingsValidationResponse, ValidationResponse } from '../kube/admission-review';
import { MAX_RESPONSE_DEPTH, nestingPastLimit, recursionLimitMessage } from './json-depth';
import { INTERNAL_ERROR_CODE, type RuntimeOutcome } from './runtime';

/** Responses this short are looked up before they are parsed: a policy answers most requests with the same few texts. */
const MAX_REMEMBERED_CHARS = 256;
const MAX_REMEMBERED = 256;
const remembered = new Map<string, ValidationResponse>();

/** Parses a policy's ValidationResponse with the strictness of the Rust SDK's serde types. */
export function parseValidationResponse(text: string): RuntimeOutcome {
  const known = remembered.get(text);
  if (known) return { ok: true, response: { ...known } };
  const out = parseResponse(text);
  // Only a response of scalars (accepted, message, code) is remembered, so that each caller's copy is its own.
  if (out.ok && text.length <= MAX_REMEMBERED_CHARS && remembered.size < MAX_REMEMBERED && onlyScalars(out.response))
    remembered.set(text, { ...out.response });
  return out;
}

function onlyScalars(r: ValidationResponse): boolean {
  return r.mutated_object == null && r.warnings == null && r.audit_annotations == null;
}

function parseResponse(text: string): RuntimeOutcome {
  const fail = (why: string): RuntimeOutcome => ({
    ok: false,
    message: `internal server error: invalid response from policy: ${why}`,
    code: INTERNAL_ERROR_CODE,
    reason: 'error',
  });
  const deep = nestingPastLimit(text, MAX_RESPONSE_DEPTH);
  if (deep) return fail(recursionLimitMessage(deep));
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return fail((err as Error).message);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return fail('expected a JSON object');
  const o = v as Record<string, unknown>;
  if (typeof o.accepted !== 'boolean')
    return fail(o.accepted === undefined ? 'missing field `accepted`' : '`accepted` must be a boolean');
  if (o.message !== undefined && o.message !== null && typeof o.message !== 'string')
    return fail('`message` must be a string');
  if (
    o.code !== undefined &&
    o.code !== null &&
    !(Number.isInteger(o.code) && (o.code as number) >= 0 && (o.code as number) <= 65535)
  ) {
    return fail('`code` must be an integer between 0 and 65535');
  }
  if (
    o.warnings !== undefined &&
    o.warnings !== null &&
    !(Array.isArray(o.warnings) && o.warnings.every((w) => typeof w === 'string'))
  ) {
    return fail('`warnings` must be a list of strings');
  }
  const aa = o.audit_annotations;
  if (
    aa !== undefined &&
    aa !== null &&
    (typeof aa !== 'object' || Array.isArray(aa) || !Object.values(aa).every((x) => typeof x === 'string'))
  ) {
    return fail('`audit_annotations` must be a map of strings');
  }
  // Only the fields the SDK's type has (serde ignores the others): nothing else crosses to the main thread.
  const response: ValidationResponse = { accepted: o.accepted };
  for (const k of ['message', 'code', 'mutated_object', 'audit_annotations', 'warnings'] as const) {
    if (o[k] !== undefined) (response as unknown as Record<string, unknown>)[k] = o[k];
  }
  return { ok: true, response };
}

export function parseSettingsResponse(text: string): SettingsValidationResponse {
  const deep = nestingPastLimit(text, MAX_RESPONSE_DEPTH);
  if (deep)
    return { valid: false, message: `Cannot deserialize settings validation response: ${recursionLimitMessage(deep)}` };
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return { valid: false, message: `Cannot deserialize settings validation response: ${(err as Error).message}` };
  }
  const o = v as Record<string, unknown> | null;
  if (!o || typeof o.valid !== 'boolean') {
    return { valid: false, message: 'Cannot deserialize settings validation response: missing field `valid`' };
  }
  return { valid: o.valid, message: typeof o.message === 'string' ? o.message : null };
}
