import type { SettingsValidationResponse, ValidationResponse } from '../admission/types';
import type { ExecutionMode } from './metadata';

/** What the host sends a policy for one evaluation (spec §1.4): the request and the user's settings. */
export interface ValidationRequest {
  request: unknown;
  settings: unknown;
}

/** A policy's answer, or why there is none. `message` of a failure is the text policy-server would return. */
export type RuntimeOutcome =
  | { ok: true; response: ValidationResponse }
  | { ok: false; message: string; code: number; reason: 'error' | 'timeout' };

/**
 * One execution mode (waPC, OPA, Gatekeeper, WASI) behind one interface, as policy-evaluator keeps one runtime
 * per mode behind one trait. Implementations start every evaluation from a fresh instance.
 */
export interface PolicyRuntime {
  readonly mode: ExecutionMode;
  validateSettings(settings: unknown): SettingsValidationResponse;
  /** `payload` is the JSON of the ValidationRequest, serialised once by the caller. */
  validate(payload: string): RuntimeOutcome;
}

export const INTERNAL_ERROR_CODE = 500;
