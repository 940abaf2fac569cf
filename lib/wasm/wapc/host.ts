import { HOST_MEMORY_MODULE, hostMemoryLimits, WASM_PAGE } from '../binary';
import { OutputLimitError } from '../limits';
import { Utf8Cache } from '../utf8-cache';
import { WasiExit, WasiPreview1, WASI_MODULES } from '../wasi/preview1';

/** Answers a guest's `__host_call`. Throw HostCallError (or any Error) to hand the guest a host error. */
export type HostCallHandler = (
  binding: string,
  namespace: string,
  operation: string,
  payload: Uint8Array,
) => Uint8Array;

/** A call's payload: whole, or in parts the host writes one after the other into the guest's memory. */
export type Payload = Uint8Array | readonly Uint8Array[];

function payloadLength(p: Payload): number {
  if (p instanceof Uint8Array) return p.length;
  let n = 0;
  for (const part of p) n += part.length;
  return n;
}

/** Operation names are few ("validate", "validate_settings", ...): each is encoded once. */
const operations = new Utf8Cache(64);

export interface WapcHostOptions {
  hostCall: HostCallHandler;
  /** `__console_log` and anything the guest writes to WASI stdout/stderr. */
  log: (message: string) => void;
  /** Largest guest response or error accepted; larger ones stop the guest. */
  maxOutputBytes?: number;
  /** The cap the module's memory was given (capDefinedMemories), to explain traps that hit it. */
  memoryLimitBytes?: number;
}

/** Linear memory and mutable-global values of an instance right after its init functions. */
export interface InstanceSnapshot {
  memory: Uint8Array;
  values: unknown[];
}

/** The exports that expose every mutable global (exportMutableGlobals), and a snapshot to reuse if any. */
export interface SnapshotSpec {
  globalNames: string[];
  state?: InstanceSnapshot;
  /**
   * Pages the instance's memory starts with when the module imports it from the host (importDefinedMemory), as
   * if the module declared that minimum, so that evaluations which would grow a smaller memory fit in it.
   */
  initialPages?: number;
}

/** A guest call that ended in an error (guest error, trap, or missing response); `message` is the waPC text. */
export class GuestCallError extends Error {
  override name = 'GuestCallError';
  constructor(
    message: string,
    readonly trapped: boolean,
  ) {
    super(message);
  }
}

/** The module does not satisfy the waPC contract (docs/host-interface.md §1.1) or failed to initialise (§1.2). */
export class WapcLoadError extends Error {
  override name = 'WapcLoadError';
}

const WAPC = 'wapc';
/** The most pages a 32-bit memory can have (4 GiB). */
const MAX_WASM32_PAGES = 65536;
const dec = new TextDecoder('utf-8', { fatal: false });
const enc = new TextEncoder();

/** Checks the exports and imports a waPC guest needs before anything is instantiated. */
export function wapcContractProblems(module: WebAssembly.Module): string[] {
  const problems: string[] = [];
  const exports = new Map(WebAssembly.Module.exports(module).map((e) => [e.name, e.kind]));
  if (exports.get('memory') !== 'memory') problems.push('it does not export "memory"');
  if (exports.get('__guest_call') !== 'function') problems.push('it does not export the function "__guest_call"');
  // `_start` and `wapc_init` are optional: wapc-rs (wasmtime-provider provider.rs `initialize`) calls each only if exported.
  for (const imp of WebAssembly.Module.imports(module)) {
    if (imp.module === HOST_MEMORY_MODULE && imp.kind === 'memory' && hostMemoryLimits(imp.name)) continue;
    if (imp.kind !== 'function') {
      // Only functions are provided: a memory, table or global the guest imports would be one it sized itself.
      problems.push(`it imports the ${imp.kind} "${imp.module}.${imp.name}", which a Kubewarden host does not provide`);
      continue;
    }
    if (imp.module === WAPC || (WASI_MODULES as readonly string[]).includes(imp.module)) {
      if (imp.module === WAPC && !(imp.name in WAPC_IMPORT_NAMES))
        problems.push(`it imports unknown waPC function "${imp.name}"`);
      continue;
    }
    problems.push(`it imports "${imp.module}.${imp.name}", which a Kubewarden host does not provide`);
  }
  return problems;
}

const WAPC_IMPORT_NAMES = {
  __guest_request: 1,
  __guest_response: 1,
  __guest_error: 1,
  __host_call: 1,
  __host_response_len: 1,
  __host_response: 1,
  __host_error_len: 1,
  __host_error: 1,
  __console_log: 1,
} as const;

/**
 * One waPC guest instance (docs/host-interface.md §1): imports built from what the module declares, `_start` then `wapc_init`
 * on creation, and `call()` following wapc-rs's WapcHost::call. An instance that trapped must be thrown away.
 */
export class WapcInstance {
  private memory!: WebAssembly.Memory;
  private guestCall!: (opLen: number, payloadLen: number) => number;
  private request: { op: Uint8Array; payload: Payload } = { op: new Uint8Array(), payload: new Uint8Array() };
  private guestResponse?: Uint8Array;
  private guestError?: string;
  private hostResponse?: Uint8Array;
  private hostError?: Uint8Array;

  private constructor(private readonly opts: WapcHostOptions) {}

  /**
   * With `snapshot`, the instance can later be restored to the post-init state. Pass the snapshot of an
   * earlier instance of the same module to reuse it (init is the same for every instance); otherwise one is
   * taken from this instance, which `snapshot()` then returns.
   */
  static create(module: WebAssembly.Module, opts: WapcHostOptions, snapshot?: SnapshotSpec): WapcInstance {
    const problems = wapcContractProblems(module);
    if (problems.length > 0) throw new WapcLoadError(`not a waPC policy: ${problems.join('; ')}`);
    const inst = new WapcInstance(opts);
    const instance = inst.instantiate(module, snapshot?.initialPages);
    if (snapshot) inst.bindSnapshot(instance, snapshot);
    return inst;
  }

  private instantiate(module: WebAssembly.Module, initialPages = 0): WebAssembly.Instance {
    const lineLog = lineLogger(this.opts.log);
    const wasi = new WasiPreview1({ args: [], env: {}, stdout: lineLog, stderr: lineLog });
    const imports: WebAssembly.Imports = { ...wasi.importsFor(module), [WAPC]: this.wapcImports() };
    const memoryImport = WebAssembly.Module.imports(module).find(
      (i) => i.module === HOST_MEMORY_MODULE && i.kind === 'memory',
    );
    const limits = memoryImport && hostMemoryLimits(memoryImport.name);
    if (memoryImport && limits) {
      // The loader wrote this import from limits it had capped; the cap is applied again here so that a memory
      // this host builds can never be larger than --memory-limit, whoever wrote the limits.
      const maximum = Math.min(limits.maxPages ?? MAX_WASM32_PAGES, this.capPages());
      if (limits.minPages > maximum) {
        throw new WapcLoadError(
          `cannot instantiate: the module needs ${limits.minPages} pages of memory to start, more than the ${maximum} pages the memory limit allows`,
        );
      }
      const initial = Math.max(limits.minPages, initialPages <= maximum ? initialPages : 0);
      const memory = new WebAssembly.Memory({ initial, maximum });
      imports[HOST_MEMORY_MODULE] = { [memoryImport.name]: memory };
    }
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(module, imports);
    } catch (err) {
      throw new WapcLoadError(`cannot instantiate: ${(err as Error).message}`);
    }
    this.memory = instance.exports.memory as WebAssembly.Memory;
    wasi.bindMemory(this.memory);
    this.guestCall = instance.exports.__guest_call as (a: number, b: number) => number;
    for (const init of ['_start', 'wapc_init']) {
      const fn = instance.exports[init];
      if (typeof fn !== 'function') continue;
      try {
        (fn as () => void)();
      } catch (err) {
        if (err instanceof WasiExit && err.code === 0) continue;
        const why = err instanceof WasiExit ? `exited with code ${err.code}` : trapMessage(err);
        throw new WapcLoadError(`initialisation (${init}) failed: ${why}`);
      }
    }
    return instance;
  }

  /** The memory limit in whole pages (wasm32's 4 GiB when there is none). */
  private capPages(): number {
    const cap = this.opts.memoryLimitBytes;
    return cap === undefined ? MAX_WASM32_PAGES : Math.min(MAX_WASM32_PAGES, Math.floor(cap / WASM_PAGE));
  }

  private snapshot?: { state: InstanceSnapshot; globals: WebAssembly.Global[] };

  /**
   * Links the instance to a snapshot of linear memory and every (exported) mutable global right after
   * start-up, taking it from this instance when none is given. With every mutable global saved, `restore()`
   * brings the instance back to exactly the state a fresh instance has after its init functions, at the cost
   * of a memory copy instead of an instantiation.
   */
  private bindSnapshot(instance: WebAssembly.Instance, spec: SnapshotSpec): void {
    const globals = spec.globalNames.map((n) => instance.exports[n] as WebAssembly.Global);
    if (spec.state) {
      this.snapshot = { state: spec.state, globals };
      return;
    }
    try {
      this.snapshot = {
        state: { memory: new Uint8Array(this.memory.buffer).slice(), values: globals.map((g) => g.value) },
        globals,
      };
    } catch {
      this.snapshot = undefined; // e.g. a v128 global, which JS cannot read: fall back to fresh instances
    }
  }

  /** The post-init state, to hand to the next instance of the same module. */
  savedState(): InstanceSnapshot | undefined {
    return this.snapshot?.state;
  }

  /**
   * Puts the post-init state back (memory contents and every mutable global), which is exactly the state of a
   * fresh instance after its init functions. Memory cannot shrink: an instance whose memory grew is not
   * restored (false), and the caller makes a new one.
   */
  restore(): boolean {
    const snap = this.snapshot;
    if (!snap || this.memory.buffer.byteLength !== snap.state.memory.length) return false;
    new Uint8Array(this.memory.buffer).set(snap.state.memory);
    for (let i = 0; i < snap.globals.length; i++) snap.globals[i].value = snap.state.values[i];
    return true;
  }

  /** Runs one operation; returns the guest response bytes or throws GuestCallError. */
  call(operation: string, payload: Payload): Uint8Array {
    this.request = { op: operations.get(operation), payload };
    this.guestResponse = undefined;
    this.guestError = undefined;
    this.hostResponse = undefined;
    this.hostError = undefined;
    let rc: number;
    try {
      rc = this.guestCall(this.request.op.length, payloadLength(payload));
    } catch (err) {
      // wasmtime-provider stores the trap text as the guest error and reports failure.
      if (err instanceof WasiExit) throw new GuestCallError(`exited with code ${err.code}`, true);
      if (err instanceof OutputLimitError) throw new GuestCallError(err.message, true);
      throw new GuestCallError(this.explainTrap(trapMessage(err)), true);
    }
    if (rc === 0) throw new GuestCallError(this.guestError ?? 'No error message set for call failure', false);
    if (this.guestResponse !== undefined) return this.guestResponse;
    throw new GuestCallError(this.guestError ?? 'No error message OR response set for call success', false);
  }

  /**
   * A failed memory.grow is invisible to the host (the guest sees -1 and usually aborts), so a trap with the
   * memory past half the cap (allocators grow by doubling) is explained as the likely cause.
   */
  private explainTrap(message: string): string {
    const cap = this.opts.memoryLimitBytes;
    const size = this.memory.buffer.byteLength;
    if (cap !== undefined && size * 2 > cap) {
      return `${message} (memory at ${mib(size)} MiB of the ${mib(cap)} MiB limit: a failed memory.grow is the likely cause)`;
    }
    return message;
  }

  /** Current size of the guest's linear memory in bytes. */
  memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  private checkOutput(len: number, what: string): void {
    const limit = this.opts.maxOutputBytes;
    if (limit !== undefined && len > limit) throw new OutputLimitError(what, limit);
  }

  private mem(): Uint8Array {
    // memory.grow detaches earlier views, so take a fresh one on every access.
    return new Uint8Array(this.memory.buffer);
  }

  private read(ptr: number, len: number): Uint8Array {
    const m = this.mem();
    if (ptr < 0 || len < 0 || ptr + len > m.length) throw new RangeError(`guest pointer out of bounds (${ptr}+${len})`);
    return m.slice(ptr, ptr + len);
  }

  private write(ptr: number, bytes: Uint8Array): void {
    const m = this.mem();
    if (ptr < 0 || ptr + bytes.length > m.length)
      throw new RangeError(`guest pointer out of bounds (${ptr}+${bytes.length})`);
    m.set(bytes, ptr);
  }

  private writeParts(ptr: number, parts: readonly Uint8Array[]): void {
    const m = this.mem();
    const len = payloadLength(parts);
    if (ptr < 0 || ptr + len > m.length) throw new RangeError(`guest pointer out of bounds (${ptr}+${len})`);
    for (const part of parts) {
      m.set(part, ptr);
      ptr += part.length;
    }
  }

  private wapcImports(): Record<string, (...args: number[]) => number | void> {
    const ptr = (n: number): number => n >>> 0;
    return {
      __guest_request: (opPtr, payloadPtr) => {
        const payload = this.request.payload;
        if (payload instanceof Uint8Array) this.write(ptr(payloadPtr), payload);
        else this.writeParts(ptr(payloadPtr), payload);
        this.write(ptr(opPtr), this.request.op);
      },
      __guest_response: (p, len) => {
        this.checkOutput(ptr(len), 'returned a response of');
        this.guestResponse = this.read(ptr(p), ptr(len));
      },
      __guest_error: (p, len) => {
        this.checkOutput(ptr(len), 'returned an error of');
        this.guestError = dec.decode(this.read(ptr(p), ptr(len)));
      },
      __host_call: (bdPtr, bdLen, nsPtr, nsLen, opPtr, opLen, payloadPtr, payloadLen) => {
        this.hostResponse = undefined;
        this.hostError = undefined;
        const binding = dec.decode(this.read(ptr(bdPtr), ptr(bdLen)));
        const namespace = dec.decode(this.read(ptr(nsPtr), ptr(nsLen)));
        const operation = dec.decode(this.read(ptr(opPtr), ptr(opLen)));
        const payload = this.read(ptr(payloadPtr), ptr(payloadLen));
        try {
          this.hostResponse = this.opts.hostCall(binding, namespace, operation, payload);
          return 1;
        } catch (err) {
          this.hostError = enc.encode(err instanceof Error ? err.message : String(err));
          return 0;
        }
      },
      __host_response_len: () => this.hostResponse?.length ?? 0,
      __host_response: (p) => {
        if (this.hostResponse) this.write(ptr(p), this.hostResponse);
      },
      __host_error_len: () => this.hostError?.length ?? 0,
      __host_error: (p) => {
        if (this.hostError) this.write(ptr(p), this.hostError);
      },
      __console_log: (p, len) => {
        this.opts.log(dec.decode(this.read(ptr(p), ptr(len))));
      },
    };
  }
}

function mib(bytes: number): string {
  return (bytes / 1048576).toFixed(bytes % 1048576 === 0 ? 0 : 1);
}

function trapMessage(err: unknown): string {
  if (err instanceof WebAssembly.RuntimeError) return err.message;
  if (err instanceof RangeError && /call stack/i.test(err.message)) return 'call stack exhausted';
  return err instanceof Error ? err.message : String(err);
}

/** Buffers WASI output into lines so a policy's prints reach the log whole. */
function lineLogger(log: (m: string) => void): (bytes: Uint8Array) => void {
  let pending = '';
  return (bytes) => {
    pending += dec.decode(bytes);
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      log(pending.slice(0, nl));
      pending = pending.slice(nl + 1);
    }
    if (pending.length > 4096) {
      log(pending);
      pending = '';
    }
  };
}
