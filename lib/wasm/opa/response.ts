import type { AdmissionResponse } from '../../kube/admission-review';

/**
 * Reads an OPA policy's `response` with the strictness of policy-evaluator's serde types
 * (`admission_response.rs`): `uid` and `allowed` required, optional fields may be null, unknown fields ignored,
 * and the error texts serde_json gives (`missing field \`allowed\``, `invalid type: string "x", expected a boolean`).
 */
export type ParsedAdmissionResponse = Omit<AdmissionResponse, 'status'> & {
  status?: { message?: string; code?: number };
};

class SerdeError extends Error {}

/** serde's `Unexpected` as serde_json::Value reports it. */
function unexpected(v: unknown): string {
  if (v === null) return 'unit value';
  if (typeof v === 'boolean') return `boolean \`${v}\``;
  if (typeof v === 'number') {
    if (Number.isInteger(v)) return `integer \`${v}\``;
    return `floating point \`${v}\``;
  }
  if (typeof v === 'string') return `string ${JSON.stringify(v)}`;
  if (Array.isArray(v)) return 'sequence';
  return 'map';
}

const invalidType = (v: unknown, expected: string) =>
  new SerdeError(`invalid type: ${unexpected(v)}, expected ${expected}`);

function isMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function str(v: unknown): string {
  if (typeof v !== 'string') throw invalidType(v, 'a string');
  return v;
}

function optStr(v: unknown): string | undefined {
  return v === null || v === undefined ? undefined : str(v);
}

function u16(v: unknown): number {
  if (typeof v !== 'number' || !Number.isInteger(v)) throw invalidType(v, 'u16');
  if (v < 0 || v > 65535) throw new SerdeError(`invalid value: integer \`${v}\`, expected u16`);
  return v;
}

function variant(v: unknown, name: string, variants: string[]): string {
  if (typeof v !== 'string') throw invalidType(v, `enum ${name}`);
  if (!variants.includes(v)) {
    const list = variants.map((x) => `\`${x}\``);
    throw new SerdeError(
      `unknown variant \`${v}\`, expected ${list.length === 1 ? list[0] : `one of ${list.join(', ')}`}`,
    );
  }
  return v;
}

const STATUS_REASONS = [
  '',
  'Unauthorized',
  'Forbidden',
  'NotFound',
  'AlreadyExists',
  'Conflict',
  'Gone',
  'Invalid',
  'ServerTimeout',
  'Timeout',
  'TooManyRequests',
  'BadRequest',
  'MethodNotAllowed',
  'NotAcceptable',
  'RequestEntityTooLarge',
  'UnsupportedMediaType',
  'InternalError',
  'Expired',
  'ServiceUnavailable',
];

const CAUSE_TYPES = [
  'FieldValueNotFound',
  'FieldValueRequired',
  'FieldValueDuplicate',
  'FieldValueInvalid',
  'FieldValueNotSupported',
  'FieldValueForbidden',
  'FieldValueTooLong',
  'FieldValueTooMany',
  'InternalError',
  'FieldValueTypeInvalid',
  'UnexpectedServerResponse',
  'FieldManagerConflict',
  'ResourceVersionTooLarge',
];

function statusDetails(v: unknown): void {
  if (v === null || v === undefined) return;
  if (!isMap(v)) throw invalidType(v, 'struct StatusDetails');
  for (const [k, x] of Object.entries(v)) {
    if (k === 'name' || k === 'group' || k === 'kind' || k === 'uid') optStr(x);
    else if (k === 'retry_after_seconds' && x !== null && (typeof x !== 'number' || !Number.isInteger(x)))
      throw invalidType(x, 'i32');
    else if (k === 'causes') {
      if (!Array.isArray(x)) throw invalidType(x, 'a sequence');
      for (const c of x) {
        if (!isMap(c)) throw invalidType(c, 'struct StatusCause');
        for (const [ck, cv] of Object.entries(c)) {
          if (ck === 'reason' && cv !== null) variant(cv, 'CauseType', CAUSE_TYPES);
          else if (ck === 'message' || ck === 'field') optStr(cv);
        }
      }
    }
  }
  if (!('causes' in v)) throw new SerdeError('missing field `causes`');
}

function status(v: unknown): ParsedAdmissionResponse['status'] | undefined {
  if (v === null || v === undefined) return undefined;
  if (!isMap(v)) throw invalidType(v, 'struct AdmissionResponseStatus');
  const out: NonNullable<ParsedAdmissionResponse['status']> = {};
  for (const [k, x] of Object.entries(v)) {
    if (k === 'message') {
      const m = optStr(x);
      if (m !== undefined) out.message = m;
    } else if (k === 'code') {
      if (x !== null) out.code = u16(x);
    } else if (k === 'status') {
      if (x !== null) variant(x, 'AdmissionResponseStatusValue', ['Success', 'Failure']);
    } else if (k === 'reason') {
      if (x !== null) variant(x, 'StatusReason', STATUS_REASONS);
    } else if (k === 'details') statusDetails(x);
  }
  return out;
}

/** Deserialises `result[0].result.response`; returns the response or serde's error text. */
export function deserializeAdmissionResponse(
  v: unknown,
): { ok: true; response: ParsedAdmissionResponse } | { ok: false; error: string } {
  try {
    if (!isMap(v)) throw invalidType(v, 'struct AdmissionResponse');
    let uid: string | undefined;
    let allowed: boolean | undefined;
    const r: Partial<ParsedAdmissionResponse> = {};
    for (const [k, x] of Object.entries(v)) {
      switch (k) {
        case 'uid':
          uid = str(x);
          break;
        case 'allowed':
          if (typeof x !== 'boolean') throw invalidType(x, 'a boolean');
          allowed = x;
          break;
        case 'patchType':
          if (x !== null) r.patchType = variant(x, 'PatchType', ['JSONPatch']) as 'JSONPatch';
          break;
        case 'patch': {
          const p = optStr(x);
          if (p !== undefined) r.patch = p;
          break;
        }
        case 'status': {
          const s = status(x);
          if (s !== undefined) r.status = s;
          break;
        }
        case 'auditAnnotations':
          if (x !== null) {
            if (!isMap(x)) throw invalidType(x, 'a map');
            for (const a of Object.values(x)) str(a);
            r.auditAnnotations = x as Record<string, string>;
          }
          break;
        case 'warnings':
          if (x !== null) {
            if (!Array.isArray(x)) throw invalidType(x, 'a sequence');
            r.warnings = x.map(str);
          }
          break;
      }
    }
    if (uid === undefined) throw new SerdeError('missing field `uid`');
    if (allowed === undefined) throw new SerdeError('missing field `allowed`');
    return { ok: true, response: { ...r, uid, allowed } as ParsedAdmissionResponse };
  } catch (err) {
    if (err instanceof SerdeError) return { ok: false, error: err.message };
    throw err;
  }
}

/**
 * Gatekeeper's violations, read as policy-evaluator reads them: `result[0]` deserialised as
 * `{result: [{msg?: string}]}`, anything else (missing, wrong types) counting as no violations.
 * Returns the messages of the violations (undefined for a violation without `msg`).
 */
export function gatekeeperViolations(resultSet: unknown): Array<string | undefined> {
  const first = Array.isArray(resultSet) ? resultSet[0] : undefined;
  let list: unknown;
  if (isMap(first)) list = first.result;
  else if (Array.isArray(first) && first.length === 1)
    list = first[0]; // serde reads a struct from a sequence too
  else return [];
  if (!Array.isArray(list)) return [];
  const msgs: Array<string | undefined> = [];
  for (const violation of list) {
    let msg: unknown;
    if (isMap(violation)) msg = violation.msg;
    else if (Array.isArray(violation) && violation.length === 1) msg = violation[0];
    else return [];
    if (msg === undefined || msg === null) msgs.push(undefined);
    else if (typeof msg === 'string') msgs.push(msg);
    else return [];
  }
  return msgs;
}
