import type { Logger } from '../../base/log';
import { BuiltinError, callBuiltin, REGO_BUILTINS, type Builtin, type BuiltinContext } from './builtins';
import { parseRegoJson, stringifyRegoJson, type RegoValue } from './value';

/**
 * A driver of the OPA Wasm ABI (OPA `docs/content/wasm.md`), as burrego drives it for Kubewarden (docs/host-interface.md §4.1):
 * the host creates `env.memory` (5 pages to start, capped by `memoryLimitBytes`), answers `opa_abort`,
 * `opa_println` and `opa_builtin0..4`, and evaluates entrypoint 0 with JSON input and data. Modules of ABI
 * 1.2+ are evaluated with the one-call `opa_eval`; older ones (1.0, 1.1) with the evaluation-context calls.
 * One instance serves every evaluation, its heap reset to the saved base each time (the reference behaviour);
 * after a failed evaluation (trap, abort, builtin error) it is rebuilt, since its state is then unknown.
 */

export const WASM_PAGE = 65536;
export const INITIAL_PAGES = 5;

export interface OpaPolicyOptions {
  /** The memory may not grow past this (rounded down to whole pages, never below the 5 initial pages). */
  memoryLimitBytes: number;
  log: Logger;
  /** Host builtins; the burrego set by default. */
  builtins?: ReadonlyMap<string, Builtin>;
  /** Clock for time.now_ns, in nanoseconds since the epoch. */
  now?: () => bigint;
}

/** The module cannot be used: not an OPA module, wrong ABI, missing builtins, instantiation failure. */
export class RegoLoadError extends Error {
  override name = 'RegoLoadError';
  constructor(readonly problems: string[]) {
    super(problems.join('; '));
  }
}

/** An evaluation failed; `message` is burrego-like (e.g. `wasm engine error: error invoking opa_eval function: ...`). */
export class RegoEvalError extends Error {
  override name = 'RegoEvalError';
}

/** Thrown out of `opa_abort` to unwind the guest. */
class GuestAbort extends Error {
  override name = 'GuestAbort';
}

const HOST_IMPORTS = new Set([
  'opa_abort',
  'opa_println',
  'opa_builtin0',
  'opa_builtin1',
  'opa_builtin2',
  'opa_builtin3',
  'opa_builtin4',
]);

const LEGACY_EXPORTS = [
  'builtins',
  'entrypoints',
  'opa_malloc',
  'opa_json_parse',
  'opa_json_dump',
  'opa_heap_ptr_get',
  'opa_heap_ptr_set',
  'opa_eval_ctx_new',
  'opa_eval_ctx_set_input',
  'opa_eval_ctx_set_data',
  'opa_eval_ctx_set_entrypoint',
  'opa_eval_ctx_get_result',
  'eval',
] as const;

interface OpaExports {
  builtins(): number;
  entrypoints(): number;
  opa_malloc(size: number): number;
  opa_json_parse(addr: number, len: number): number;
  opa_json_dump(addr: number): number;
  opa_heap_ptr_get(): number;
  opa_heap_ptr_set(addr: number): void;
  opa_eval_ctx_new(): number;
  opa_eval_ctx_set_input(ctx: number, addr: number): void;
  opa_eval_ctx_set_data(ctx: number, addr: number): void;
  opa_eval_ctx_set_entrypoint(ctx: number, ep: number): void;
  opa_eval_ctx_get_result(ctx: number): number;
  eval(ctx: number): number;
  opa_eval?: (
    reserved: number,
    ep: number,
    data: number,
    input: number,
    inputLen: number,
    heap: number,
    format: number,
  ) => number;
}

/** Memory pages for a limit in bytes: whole pages, at least the initial 5, at most 4 GiB. */
export function maximumPages(memoryLimitBytes: number): number {
  if (!Number.isFinite(memoryLimitBytes)) return 65536;
  return Math.min(65536, Math.max(INITIAL_PAGES, Math.floor(memoryLimitBytes / WASM_PAGE)));
}

/** What is wrong with the module's imports, before anything is instantiated (wasmtime's linker texts). */
export function importProblems(module: WebAssembly.Module): string[] {
  const problems: string[] = [];
  let memory = false;
  for (const imp of WebAssembly.Module.imports(module)) {
    const ok =
      imp.module === 'env' &&
      ((imp.name === 'memory' && imp.kind === 'memory') || (HOST_IMPORTS.has(imp.name) && imp.kind === 'function'));
    if (imp.module === 'env' && imp.name === 'memory' && imp.kind === 'memory') memory = true;
    if (!ok)
      problems.push(
        `wasm engine error: linker cannot create instance: unknown import: \`${imp.module}::${imp.name}\` has not been defined`,
      );
  }
  if (!memory) problems.push('Rego wasm error: the module does not import env.memory: it is not an OPA policy');
  return problems;
}

const decoder = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/** One loaded OPA policy module: instance, memory and the ABI calls. Synchronous, no global state. */
export class OpaPolicy {
  readonly abiVersion: { major: number; minor: number };
  /** name → id, as the module's `builtins()` lists them. */
  readonly builtinIds: Record<string, number>;
  readonly entrypoints: Record<string, number>;
  private readonly memory: WebAssembly.Memory;
  private readonly x: OpaExports;
  private readonly builtinNames: Map<number, string>;
  private readonly builtins: ReadonlyMap<string, Builtin>;
  private readonly baseHeap: number;
  private dataCache?: { json: string; addr: number; heap: number };
  private readonly regexCache = new Map<string, RegExp>();
  private evalCtx?: BuiltinContext;

  private constructor(
    module: WebAssembly.Module,
    private readonly opts: OpaPolicyOptions,
  ) {
    const problems = importProblems(module);
    if (problems.length > 0) throw new RegoLoadError(problems);
    this.builtins = opts.builtins ?? REGO_BUILTINS;
    this.memory = new WebAssembly.Memory({ initial: INITIAL_PAGES, maximum: maximumPages(opts.memoryLimitBytes) });
    let instance: WebAssembly.Instance;
    try {
      instance = new WebAssembly.Instance(module, { env: this.importsFor(module) });
    } catch (err) {
      throw new RegoLoadError([`wasm engine error: linker cannot create instance: ${(err as Error).message}`]);
    }
    const exp = instance.exports;
    const missing = LEGACY_EXPORTS.filter((n) => typeof exp[n] !== 'function');
    if (missing.length > 0) throw new RegoLoadError(missing.map((n) => `Rego wasm error: cannot get ${n} function`));
    this.x = exp as unknown as OpaExports;
    this.abiVersion = {
      major: globalValue(exp.opa_wasm_abi_version, 'major'),
      minor: globalValue(exp.opa_wasm_abi_minor_version, 'minor'),
    };
    if (this.abiVersion.major !== 1) {
      throw new RegoLoadError([
        `Rego wasm error: unsupported OPA Wasm ABI version ${this.abiVersion.major}.${this.abiVersion.minor} (only 1.x is supported)`,
      ]);
    }
    this.builtinIds = this.loadMap(
      'builtins',
      this.guard('builtins', () => this.x.builtins()),
    );
    this.entrypoints = this.loadMap(
      'entrypoints',
      this.guard('entrypoints', () => this.x.entrypoints()),
    );
    this.builtinNames = new Map(Object.entries(this.builtinIds).map(([name, id]) => [id, name]));
    const unknown = Object.keys(this.builtinIds).filter((n) => !this.builtins.has(n));
    if (unknown.length > 0) throw new RegoLoadError([`Missing Rego builtins: ${unknown.sort().join(', ')}`]);
    // burrego loads `{}` as data once, then saves the base of the heap: every evaluation restarts from it.
    this.loadJson('{}', 'data');
    this.baseHeap = this.x.opa_heap_ptr_get();
  }

  /** Instantiates and checks a module; throws RegoLoadError. */
  static load(module: WebAssembly.Module, opts: OpaPolicyOptions): OpaPolicy {
    return new OpaPolicy(module, opts);
  }

  /** Whether evaluations use `opa_eval` (ABI ≥ 1.2). */
  get fastPath(): boolean {
    return this.abiVersion.minor >= 2 && typeof this.x.opa_eval === 'function';
  }

  /** The memory's current size in bytes. */
  get memoryBytes(): number {
    return this.memory.buffer.byteLength;
  }

  get memoryLimitBytes(): number {
    return maximumPages(this.opts.memoryLimitBytes) * WASM_PAGE;
  }

  private importsFor(module: WebAssembly.Module): Record<string, WebAssembly.ImportValue> {
    const env: Record<string, WebAssembly.ImportValue> = {};
    for (const imp of WebAssembly.Module.imports(module)) {
      switch (imp.name) {
        case 'memory':
          env.memory = this.memory;
          break;
        case 'opa_abort':
          env.opa_abort = (addr: number) => {
            const msg = this.readCString(addr);
            this.opts.log.error(`OPA policy aborted: ${msg}`);
            throw new GuestAbort(msg);
          };
          break;
        case 'opa_println':
          env.opa_println = (addr: number) => this.opts.log.info(this.readCString(addr));
          break;
        case 'opa_builtin0':
          env.opa_builtin0 = (id: number) => this.dispatch(id, []);
          break;
        case 'opa_builtin1':
          env.opa_builtin1 = (id: number, _ctx: number, a: number) => this.dispatch(id, [a]);
          break;
        case 'opa_builtin2':
          env.opa_builtin2 = (id: number, _ctx: number, a: number, b: number) => this.dispatch(id, [a, b]);
          break;
        case 'opa_builtin3':
          env.opa_builtin3 = (id: number, _ctx: number, a: number, b: number, c: number) =>
            this.dispatch(id, [a, b, c]);
          break;
        case 'opa_builtin4':
          env.opa_builtin4 = (id: number, _ctx: number, a: number, b: number, c: number, d: number) =>
            this.dispatch(id, [a, b, c, d]);
          break;
      }
    }
    return env;
  }

  /** opa_builtinN: dump the argument values, run the builtin in JS, hand back a new value (0 = undefined). */
  private dispatch(id: number, addrs: number[]): number {
    const name = this.builtinNames.get(id);
    if (name === undefined) throw new BuiltinError(`#${id}`, `opa_builtin${addrs.length}: cannot find builtin ${id}`);
    const args: RegoValue[] = addrs.map((a) => {
      if (a === 0) throw new BuiltinError(name, 'undefined argument');
      return parseRegoJson(this.readCString(this.x.opa_json_dump(a)));
    });
    const ctx = (this.evalCtx ??= this.newContext());
    const result = callBuiltin(name, args, ctx, this.builtins);
    return result === undefined ? 0 : this.loadJson(stringifyRegoJson(result), 'builtin result');
  }

  private newContext(): BuiltinContext {
    let now: bigint | undefined;
    return {
      log: this.opts.log,
      nowNs: () => (now ??= this.opts.now ? this.opts.now() : BigInt(Date.now()) * 1_000_000n),
      regexCache: this.regexCache,
    };
  }

  /** A call into the guest during loading, with failures as RegoLoadError. */
  private guard<T>(what: string, fn: () => T): T {
    try {
      return fn();
    } catch (err) {
      throw new RegoLoadError([`wasm engine error: error invoking ${what} function: ${this.describe(err)}`]);
    }
  }

  private loadMap(what: string, addr: number): Record<string, number> {
    const v = this.guard('opa_json_dump', () => JSON.parse(this.readCString(this.x.opa_json_dump(addr))) as unknown);
    if (
      v === null ||
      typeof v !== 'object' ||
      Array.isArray(v) ||
      !Object.values(v).every((id) => Number.isInteger(id))
    ) {
      throw new RegoLoadError([`Rego wasm error: OPA ${what} didn't return a dictionary`]);
    }
    return v as Record<string, number>;
  }

  /** The NUL-terminated string at addr. */
  private readCString(addr: number): string {
    const bytes = new Uint8Array(this.memory.buffer);
    const end = bytes.indexOf(0, addr);
    if (addr <= 0 || addr >= bytes.length || end < 0)
      throw new RegoEvalError(`Rego wasm error: invalid string address ${addr}`);
    return decoder.decode(bytes.subarray(addr, end));
  }

  /** opa_malloc + copy + opa_json_parse; returns the value address. */
  private loadJson(json: string, what: string): number {
    const len = Buffer.byteLength(json, 'utf8');
    const addr = this.x.opa_malloc(len);
    encoder.encodeInto(json, new Uint8Array(this.memory.buffer, addr, len));
    const value = this.x.opa_json_parse(addr, len);
    if (value === 0) throw new RegoEvalError(`Rego wasm error: cannot parse the ${what} document`);
    return value;
  }

  /** Loads data after the base heap (reusing the previous load when the document is the same). */
  private loadData(dataJson: string): { addr: number; heap: number } {
    const cached = this.dataCache;
    if (cached && cached.json === dataJson) return cached;
    this.dataCache = undefined;
    this.x.opa_heap_ptr_set(this.baseHeap);
    const addr = this.loadJson(dataJson, 'data');
    const loaded = { json: dataJson, addr, heap: this.x.opa_heap_ptr_get() };
    this.dataCache = loaded;
    return loaded;
  }

  /**
   * Evaluates the entrypoint with JSON input and data; returns the result set as JSON text
   * (`[{"result": ...}]`, `[]` when undefined). Throws RegoEvalError; the instance must then be discarded.
   */
  evaluate(inputJson: string, dataJson: string, entrypoint = 0): string {
    this.evalCtx = undefined;
    if (!Object.values(this.entrypoints).includes(entrypoint)) {
      // burrego checks this on every evaluation: such a module loads, and every evaluation fails
      const known = Object.entries(this.entrypoints).map(([k, v]) => `${JSON.stringify(k)}: ${v}`);
      throw new RegoEvalError(
        `Rego wasm error: Cannot find the specified entrypoint ${entrypoint} inside of {${known.join(', ')}}`,
      );
    }
    try {
      const data = this.loadData(dataJson);
      if (this.fastPath) {
        const len = Buffer.byteLength(inputJson, 'utf8');
        this.ensureMemory(data.heap + len);
        encoder.encodeInto(inputJson, new Uint8Array(this.memory.buffer, data.heap, len));
        const out = this.x.opa_eval!(0, entrypoint, data.addr, data.heap, len, data.heap + len, 0);
        return this.readCString(out);
      }
      this.x.opa_heap_ptr_set(data.heap);
      const input = this.loadJson(inputJson, 'input');
      const ctx = this.x.opa_eval_ctx_new();
      this.x.opa_eval_ctx_set_input(ctx, input);
      this.x.opa_eval_ctx_set_data(ctx, data.addr);
      this.x.opa_eval_ctx_set_entrypoint(ctx, entrypoint);
      this.x.eval(ctx);
      return this.readCString(this.x.opa_json_dump(this.x.opa_eval_ctx_get_result(ctx)));
    } catch (err) {
      this.dataCache = undefined;
      throw new RegoEvalError(this.failure(err, inputJson.length + dataJson.length));
    } finally {
      this.evalCtx = undefined;
    }
  }

  /** Evaluates and parses the result set. */
  evaluateValue(inputJson: string, dataJson: string, entrypoint = 0): unknown {
    const text = this.evaluate(inputJson, dataJson, entrypoint);
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new RegoEvalError(`Rego wasm error: cannot parse the evaluation result: ${(err as Error).message}`);
    }
  }

  /** Grows the memory (host side, as npm-opa-wasm does for opa_eval input) to hold `end` bytes. */
  private ensureMemory(end: number): void {
    const have = this.memory.buffer.byteLength;
    if (end <= have) return;
    try {
      this.memory.grow(Math.ceil((end - have) / WASM_PAGE));
    } catch {
      throw new RegoEvalError(
        `wasm engine error: cannot grow memory to ${end} bytes to hold the input: the policy memory limit of ${this.memoryLimitBytes} bytes would be exceeded`,
      );
    }
  }

  private describe(err: unknown): string {
    if (err instanceof GuestAbort) return `opa_abort: ${err.message}`;
    if (err instanceof BuiltinError)
      return `Builtin error [${JSON.stringify(err.builtin)}]: ${JSON.stringify(err.reason)}`;
    if (err instanceof WebAssembly.RuntimeError) return `wasm trap: ${err.message}`;
    if (err instanceof RangeError && /Maximum call stack/.test(err.message)) return 'wasm trap: call stack exhausted';
    return err instanceof Error ? err.message : String(err);
  }

  /**
   * The burrego-like text of an evaluation failure. When the guest failed (abort, trap) with too little room
   * left under the cap for what it was given, the memory limit is named: that is almost surely the cause.
   */
  private failure(err: unknown, documentBytes: number): string {
    if (err instanceof RegoEvalError) return err.message;
    let msg = `wasm engine error: error invoking opa_eval function: ${this.describe(err)}`;
    const room = this.memoryLimitBytes - this.memory.buffer.byteLength;
    if (
      (err instanceof GuestAbort || err instanceof WebAssembly.RuntimeError) &&
      room < Math.max(WASM_PAGE, documentBytes)
    ) {
      msg += ` (the policy reached its memory limit of ${this.memoryLimitBytes} bytes)`;
    }
    return msg;
  }
}

function globalValue(g: unknown, which: 'major' | 'minor'): number {
  if (g instanceof WebAssembly.Global && typeof g.value === 'number') return g.value;
  throw new RegoLoadError([`Rego wasm error: Cannot find OPA Wasm ABI ${which} version`]);
}
