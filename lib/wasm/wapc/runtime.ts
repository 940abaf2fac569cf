import type { SettingsValidationResponse } from '../../kube/admission-review';
import {
  INTERNAL_ERROR_CODE,
  validationRequestParts,
  type EvaluationInput,
  type PolicyRuntime,
  type RuntimeOutcome,
} from '../runtime';
import { parseSettingsResponse, parseValidationResponse } from '../responses';
import { WASM_PAGE } from '../binary';
import { MAX_RESPONSE_DEPTH, nestingPastLimit } from '../json-depth';
import { GuestCallError, WapcInstance, type InstanceSnapshot, type WapcHostOptions } from './host';

const enc = new TextEncoder();
/** Pre-sized instances that still grew before pre-sizing is given up (see WapcRuntime.learnFrom). */
const MAX_REGROWTHS = 3;
/** Instances are pre-sized to at most this fraction of the memory limit. */
const PRESIZE_LIMIT_DIVISOR = 16;
const dec = new TextDecoder();

/** Kubewarden's `kubewarden-wapc` mode (docs/host-interface.md §1.4, §9). */
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

  /** Post-init states, one per initial memory size (pages; 0: the size the module declares). */
  private readonly states = new Map<number, InstanceSnapshot>();
  /** Pages new instances start with (0: as declared; -1: as declared, pre-sizing given up); see learnFrom. */
  private initialPages = 0;
  /** How many times an instance already pre-sized still grew. */
  private regrowths = 0;

  private acquire(): WapcInstance {
    const c = this.cached;
    this.cached = undefined;
    if (c && c.restore()) return c;
    if (c) this.learnFrom(c);
    return this.fresh();
  }

  /**
   * An evaluation grew the memory, so the instance cannot be restored (memory cannot shrink) and a new one costs
   * an instantiation (300-900 µs) per evaluation from then on. Later instances start with the grown size
   * instead: their init runs on it and their own snapshot is taken, so the next evaluations fit and only a
   * memory copy is paid. An allocator that takes the whole memory at init (AssemblyScript's) then never grows;
   * one that only adds what memory.grow returns (Rust's dlmalloc) keeps growing, and after a few tries the
   * runtime goes back to the declared size. Pre-sizing stays far below the memory limit, so a policy never
   * runs out of memory where a fresh instance would not.
   */
  private learnFrom(grown: WapcInstance): void {
    if (this.initialPages > 0 && ++this.regrowths > MAX_REGROWTHS) {
      this.initialPages = -1;
      return;
    }
    if (this.initialPages < 0) return;
    const pages = grown.memoryBytes() / WASM_PAGE;
    const cap = this.host.memoryLimitBytes;
    if (cap !== undefined && pages * WASM_PAGE * PRESIZE_LIMIT_DIVISOR > cap) return;
    this.initialPages = Math.max(this.initialPages, pages);
  }

  /** Pages new instances start with; 0 when as the module declares. */
  startPages(): number {
    return Math.max(0, this.initialPages);
  }

  private fresh(): WapcInstance {
    if (!this.snapshotGlobals) return WapcInstance.create(this.module, this.host);
    const pages = Math.max(0, this.initialPages);
    const state = this.states.get(pages);
    const inst = WapcInstance.create(this.module, this.host, {
      globalNames: this.snapshotGlobals,
      ...(state ? { state } : {}),
      ...(pages > 0 ? { initialPages: pages } : {}),
    });
    if (!state) {
      const saved = inst.savedState();
      if (saved) this.states.set(pages, saved);
    }
    return inst;
  }

  /** Fails with WapcLoadError when the module breaks the waPC contract or its init fails. */
  probe(): void {
    this.cached = this.fresh();
  }

  /** The guest's answer to protocol_version: a JSON string, else its raw text (shortened) for the error message. */
  protocolVersion(): string {
    const out = WapcInstance.create(this.module, this.host).call('protocol_version', new Uint8Array());
    const text = dec.decode(out);
    let v: unknown;
    try {
      v = nestingPastLimit(text, MAX_RESPONSE_DEPTH) ? undefined : JSON.parse(text);
    } catch {
      v = undefined;
    }
    return typeof v === 'string' ? v : text.slice(0, 200);
  }

  validateSettings(settings: unknown): SettingsValidationResponse {
    try {
      // The started instance, restored to its post-init state as for an evaluation (not a second instantiation).
      const inst = this.acquire();
      const out = inst.call('validate_settings', enc.encode(JSON.stringify(settings ?? {})));
      this.cached = inst;
      return parseSettingsResponse(dec.decode(out));
    } catch (err) {
      // policy-evaluator (runtimes/wapc/runtime.rs `validate_settings`) prints the waPC error with `{:?}`:
      // `GuestCallFailure("...")`, the text escaped as Rust's Debug escapes a string.
      const msg =
        err instanceof GuestCallError ? `GuestCallFailure(${rustDebugString(err.message)})` : (err as Error).message;
      return { valid: false, message: `Error invoking settings validation callback: ${msg}` };
    }
  }

  validate(input: EvaluationInput): RuntimeOutcome {
    let out: Uint8Array;
    try {
      // policy-server rehydrates a fresh instance for every evaluation (docs/host-interface.md §1.7); a restored snapshot is
      // the same state. An instance that failed is never reused.
      const inst = this.acquire();
      out = inst.call('validate', validationRequestParts(input));
      this.cached = inst;
    } catch (err) {
      const msg = err instanceof GuestCallError ? `Guest call failure: ${err.message}` : (err as Error).message;
      return { ok: false, message: `internal server error: ${msg}`, code: INTERNAL_ERROR_CODE, reason: 'error' };
    }
    return parseValidationResponse(dec.decode(out));
  }
}

/** A string as Rust's `{:?}` prints it: quoted, with `\\`, `"`, `\n`, `\r`, `\t`, `\0` and other controls escaped. */
export function rustDebugString(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if (ch === '\\') out += '\\\\';
    else if (ch === '"') out += '\\"';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (c === 0) out += '\\0';
    else if (c < 0x20 || c === 0x7f) out += `\\u{${c.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}
