// A minimal waPC host (docs/host-interface.md §1.2, §1.3) for testing guests on their own, independent of lib/wasm/wapc: imports
// only from "wapc", runs `_start` and `wapc_init`, and answers host calls with nothing.
import { strict as assert } from 'node:assert';

/** What a guest call gave: its response text, or its error. */
export type CallResult = { ok: true; text: string } | { ok: false; error: string };

export class WapcGuest {
  private memory!: WebAssembly.Memory;
  private exports: Record<string, unknown>;
  private pending: { op: Uint8Array; payload: Uint8Array } = { op: new Uint8Array(), payload: new Uint8Array() };
  private response: Uint8Array | null = null;
  private error: string | null = null;
  readonly logs: string[] = [];

  constructor(module: WebAssembly.Module) {
    const dec = new TextDecoder();
    const bytes = (ptr: number, len: number) => new Uint8Array(this.memory.buffer, ptr, len).slice();
    const host: Record<string, (...a: number[]) => number | void> = {
      __guest_request: (opPtr, payloadPtr) => {
        const mem = new Uint8Array(this.memory.buffer);
        mem.set(this.pending.payload, payloadPtr);
        mem.set(this.pending.op, opPtr);
      },
      __guest_response: (ptr, len) => {
        this.response = bytes(ptr, len);
      },
      __guest_error: (ptr, len) => {
        this.error = dec.decode(bytes(ptr, len));
      },
      __console_log: (ptr, len) => {
        this.logs.push(dec.decode(bytes(ptr, len)));
      },
      __host_call: () => 0,
      __host_response_len: () => 0,
      __host_response: () => {},
      __host_error_len: () => 0,
      __host_error: () => {},
    };
    const wapc: Record<string, unknown> = {};
    for (const imp of WebAssembly.Module.imports(module)) {
      if (imp.module !== 'wapc' || !(imp.name in host)) throw new Error(`unexpected import ${imp.module}.${imp.name}`);
      wapc[imp.name] = host[imp.name];
    }
    const instance = new WebAssembly.Instance(module, { wapc } as WebAssembly.Imports);
    this.exports = instance.exports as Record<string, unknown>;
    this.memory = this.exports.memory as WebAssembly.Memory;
    for (const init of ['_start', 'wapc_init']) {
      const f = this.exports[init];
      if (typeof f === 'function') f();
    }
  }

  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  callRaw(op: string, payload: Uint8Array): CallResult {
    const enc = new TextEncoder();
    this.pending = { op: enc.encode(op), payload };
    this.response = null;
    this.error = null;
    const guestCall = this.exports.__guest_call as (a: number, b: number) => number;
    let rc: number;
    try {
      rc = guestCall(this.pending.op.length, payload.length);
    } catch (e) {
      return { ok: false, error: `trap: ${(e as Error).message}${this.error ? ` (guest error: ${this.error})` : ''}` };
    }
    if (rc === 1) {
      if (this.response) return { ok: true, text: new TextDecoder().decode(this.response) };
      return { ok: false, error: this.error ?? 'No error message OR response set for call success' };
    }
    return { ok: false, error: this.error ?? 'No error message set for call failure' };
  }

  call(op: string, payload: unknown): CallResult {
    const text = typeof payload === 'string' ? payload : JSON.stringify(payload);
    return this.callRaw(op, new TextEncoder().encode(text));
  }

  /** Calls and parses a JSON response; fails the test on a guest error. */
  json(op: string, payload: unknown): any {
    const r = this.call(op, payload);
    if (!r.ok) assert.fail(`${op} failed: ${r.error}`);
    return JSON.parse(r.text);
  }
}
