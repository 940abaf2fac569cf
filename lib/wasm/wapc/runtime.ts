import type { SettingsValidationResponse } from '../../admission/types';
import { INTERNAL_ERROR_CODE, validationRequestJson, type EvaluationInput, type PolicyRuntime, type RuntimeOutcome } from '../runtime';
import { parseSettingsResponse, parseValidationResponse } from '../responses';
import { GuestCallError, WapcInstance, type WapcHostOptions } from './host';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Kubewarden's `kubewarden-wapc` mode (spec §1.4, §9). */
export class WapcRuntime implements PolicyRuntime {
  readonly mode = 'kubewarden-wapc' as const;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly host: WapcHostOptions,
  ) {}

  /** Fails with WapcLoadError when the module breaks the waPC contract or its init fails. */
  probe(): void {
    WapcInstance.create(this.module, this.host);
  }

  protocolVersion(): string {
    const out = WapcInstance.create(this.module, this.host).call('protocol_version', new Uint8Array());
    return JSON.parse(dec.decode(out)) as string;
  }

  validateSettings(settings: unknown): SettingsValidationResponse {
    try {
      const inst = WapcInstance.create(this.module, this.host);
      const out = inst.call('validate_settings', enc.encode(JSON.stringify(settings ?? {})));
      return parseSettingsResponse(dec.decode(out));
    } catch (err) {
      const msg = err instanceof GuestCallError ? `Guest call failure: ${err.message}` : (err as Error).message;
      return { valid: false, message: `Error invoking settings validation callback: ${msg}` };
    }
  }

  validate(input: EvaluationInput): RuntimeOutcome {
    let out: Uint8Array;
    try {
      // policy-server rehydrates a fresh instance for every evaluation (spec §1.7).
      const inst = WapcInstance.create(this.module, this.host);
      out = inst.call('validate', enc.encode(validationRequestJson(input)));
    } catch (err) {
      const msg = err instanceof GuestCallError ? `Guest call failure: ${err.message}` : (err as Error).message;
      return { ok: false, message: `internal server error: ${msg}`, code: INTERNAL_ERROR_CODE, reason: 'error' };
    }
    return parseValidationResponse(dec.decode(out));
  }
}
