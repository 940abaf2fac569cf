import type { SettingsValidationResponse } from '../../admission/types';
import { INTERNAL_ERROR_CODE, validationRequestJson, type EvaluationInput, type PolicyRuntime, type RuntimeOutcome } from '../runtime';
import { parseSettingsResponse, parseValidationResponse } from '../responses';
import { GuestCallError, WapcInstance, type InstanceSnapshot, type WapcHostOptions } from './host';

const enc = new TextEncoder();
const dec = new TextDecoder();

/** Kubewarden's `kubewarden-wapc` mode (spec §1.4, §9). */
export class WapcRuntime implements PolicyRuntime {
  readonly mode = 'kubewarden-wapc' as const;

  /** The instance kept between evaluations, restored to its post-init snapshot before each one. */
  private cached?: WapcInstance;

  /**
   * `snapshotGlobals`: the exports that expose every mutable global of the module (see exportMutableGlobals).
   * With them, one instance is reused and restored between evaluations; without, each evaluation gets a
   * new instance. Either way every evaluation starts from the post-init state, as in policy-server.
   */
  constructor(
    private readonly module: WebAssembly.Module,
    private readonly host: WapcHostOptions,
    private readonly snapshotGlobals?: string[],
  ) {}

  /** The post-init state, taken once from the first instance and shared by the later ones. */
  private state?: InstanceSnapshot;

  private acquire(): WapcInstance {
    const c = this.cached;
    this.cached = undefined;
    if (c && c.restore()) return c;
    return this.fresh();
  }

  private fresh(): WapcInstance {
    if (!this.snapshotGlobals) return WapcInstance.create(this.module, this.host);
    const inst = WapcInstance.create(this.module, this.host, { globalNames: this.snapshotGlobals, ...(this.state ? { state: this.state } : {}) });
    this.state ??= inst.savedState();
    return inst;
  }

  /** Fails with WapcLoadError when the module breaks the waPC contract or its init fails. */
  probe(): void {
    this.cached = this.fresh();
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
      // policy-server rehydrates a fresh instance for every evaluation (spec §1.7); a restored snapshot is
      // the same state. An instance that failed is never reused.
      const inst = this.acquire();
      out = inst.call('validate', enc.encode(validationRequestJson(input)));
      this.cached = inst;
    } catch (err) {
      const msg = err instanceof GuestCallError ? `Guest call failure: ${err.message}` : (err as Error).message;
      return { ok: false, message: `internal server error: ${msg}`, code: INTERNAL_ERROR_CODE, reason: 'error' };
    }
    return parseValidationResponse(dec.decode(out));
  }
}
