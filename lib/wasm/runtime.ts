import type { SettingsValidationResponse, ValidationResponse } from '../kube/admission-review';
import type { ExecutionMode } from './metadata';
import { Utf8Cache } from './utf8-cache';

/**
 * One evaluation's input, already serialised: the AdmissionRequest (or raw request) JSON and the settings JSON.
 * Each mode composes its own document from them (waPC/WASI: `{"request":R,"settings":S}`; OPA: input
 * `{"request":R}` with data S; Gatekeeper: input `{"parameters":S,"review":R}`), so nothing is parsed twice.
 */
export interface EvaluationInput {
  requestJson: string;
  settingsJson: string;
  /**
   * requestJson as UTF-8, when the caller encoded it once for all the policies it runs the request through
   * (a workload meets 15-20 of the bundled set; encoding per policy was a tenth of a worker's time).
   */
  requestUtf8?: Uint8Array;
}

const utf8 = new TextEncoder();
const REQUEST_OPEN = utf8.encode('{"request":');
const SETTINGS_OPEN = utf8.encode(',"settings":');
const CLOSE = utf8.encode('}');
const settingsUtf8 = new Utf8Cache(1024);

/**
 * The waPC/WASI ValidationRequest document (docs/host-interface.md §1.4) `{"request":R,"settings":S}` as UTF-8, in parts that
 * reuse R's and S's encodings: the host writes them one after the other into the guest, never joining them.
 */
export function validationRequestParts(input: EvaluationInput): Uint8Array[] {
  return [
    REQUEST_OPEN,
    input.requestUtf8 ?? utf8.encode(input.requestJson),
    SETTINGS_OPEN,
    settingsUtf8.get(input.settingsJson),
    CLOSE,
  ];
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
