import type { SettingsValidationResponse, ValidationResponse } from '../admission/types';
import type { ExecutionMode } from './metadata';

/**
 * One evaluation's input, already serialised: the AdmissionRequest (or raw request) JSON and the settings JSON.
 * Each mode composes its own document from them (waPC/WASI: `{"request":R,"settings":S}`; OPA: input
 * `{"request":R}` with data S; Gatekeeper: input `{"parameters":S,"review":R}`), so nothing is parsed twice.
 */
export interface EvaluationInput {
  requestJson: string;
  settingsJson: string;
}

/** The waPC/WASI ValidationRequest document (spec §1.4). */
export function validationRequestJson(input: EvaluationInput): string {
  return `{"request":${input.requestJson},"settings":${input.settingsJson}}`;
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
  validate(input: EvaluationInput): RuntimeOutcome;
}

export const INTERNAL_ERROR_CODE = 500;
