import type { SettingsValidationResponse, ValidationResponse } from '../kube/admission-review';
import { INTERNAL_ERROR_CODE, type RuntimeOutcome } from './runtime';

/** Parses a policy's ValidationResponse with the strictness of the Rust SDK's serde types. */
export function parseValidationResponse(text: string): RuntimeOutcome {
  const fail = (why: string): RuntimeOutcome => ({
    ok: false,
    message: `internal server error: invalid response from policy: ${why}`,
    code: INTERNAL_ERROR_CODE,
    reason: 'error',
  });
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    return fail((err as Error).message);
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return fail('expected a JSON object');
  const o = v as Record<string, unknown>;
  if (typeof o.accepted !== 'boolean') return fail(o.accepted === undefined ? 'missing field `accepted`' : '`accepted` must be a boolean');
  if (o.message !== undefined && o.message !== null && typeof o.message !== 'string') return fail('`message` must be a string');
  if (o.code !== undefined && o.code !== null && !(Number.isInteger(o.code) && (o.code as number) >= 0 && (o.code as number) <= 65535)) {
    return fail('`code` must be an integer between 0 and 65535');
  }
  if (o.warnings !== undefined && o.warnings !== null && !(Array.isArray(o.warnings) && o.warnings.every((w) => typeof w === 'string'))) {
    return fail('`warnings` must be a list of strings');
  }
  const aa = o.audit_annotations;
  if (aa !== undefined && aa !== null && (typeof aa !== 'object' || Array.isArray(aa) || !Object.values(aa).every((x) => typeof x === 'string'))) {
    return fail('`audit_annotations` must be a map of strings');
  }
  return { ok: true, response: o as unknown as ValidationResponse };
}

export function parseSettingsResponse(text: string): SettingsValidationResponse {
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
