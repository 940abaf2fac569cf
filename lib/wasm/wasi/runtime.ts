import type { SettingsValidationResponse } from '../../kube/admission-review';
import type { HostCallHandler } from '../wapc/host';
import { OutputLimitError } from '../limits';
import { parseSettingsResponse, parseValidationResponse } from '../responses';
import {
  INTERNAL_ERROR_CODE,
  validationRequestParts,
  type EvaluationInput,
  type PolicyRuntime,
  type RuntimeOutcome,
} from '../runtime';
import { ByteQueue, WasiExit, WasiPreview1, WASI_MODULES } from './preview1';
import type { StderrTail } from './stderr-tail';

export interface WasiRuntimeOptions {
  hostCall: HostCallHandler;
  /** stderr lines (policy-server logs them as warnings). */
  log: (message: string) => void;
  maxOutputBytes: number;
  /** Shared with the main thread, which answers a timed-out run with it (see stderr-tail.ts). */
  stderrTail?: StderrTail;
}

const enc = new TextEncoder();
const dec = new TextDecoder();
/** Import names a WASI policy may use for host capabilities (Javy's name is renamed by annotate, docs/host-interface.md §3). */
const HOST_CALL_MODULES = new Set(['host', 'kubewarden:javy/host']);

/** A WASI module's contract problems, checked once at load. */
export function wasiContractProblems(module: WebAssembly.Module): string[] {
  const problems: string[] = [];
  if (!WebAssembly.Module.exports(module).some((e) => e.name === '_start' && e.kind === 'function')) {
    problems.push('a WASI policy must export "_start"');
  }
  for (const imp of WebAssembly.Module.imports(module)) {
    if ((WASI_MODULES as readonly string[]).includes(imp.module)) continue;
    if (HOST_CALL_MODULES.has(imp.module) && imp.name === 'call') continue;
    if (imp.kind === 'memory') {
      // The host provides no memory: a WASI policy defines its own, which the loader caps (capDefinedMemories).
      problems.push(`it imports the memory "${imp.module}.${imp.name}", which a Kubewarden host does not provide`);
      continue;
    }
    problems.push(`it imports "${imp.module}.${imp.name}", which a Kubewarden host does not provide`);
  }
  return problems;
}

interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  trap?: string;
  /** The guest was stopped by the host (output limit): its own stderr is not the reason. */
  stopped?: boolean;
}

/**
 * Kubewarden's `wasi` mode (docs/host-interface.md §5): a brand-new instance per operation, `_start` run once with argv
 * `policy.wasm validate|validate-settings`, the document on stdin, the answer on stdout; no env, no files.
 * `host.call` appends its reply (or error) to stdin, which the guest reads until it is empty.
 */
export class WasiRuntime implements PolicyRuntime {
  readonly mode = 'wasi' as const;

  constructor(
    private readonly module: WebAssembly.Module,
    private readonly opts: WasiRuntimeOptions,
  ) {}

  validateSettings(settings: unknown): SettingsValidationResponse {
    const r = this.run('validate-settings', [enc.encode(JSON.stringify(settings ?? {}))]);
    if (r.exitCode !== 0 || r.trap !== undefined) return { valid: false, message: failureText(r) };
    return parseSettingsResponse(r.stdout);
  }

  validate(input: EvaluationInput): RuntimeOutcome {
    const r = this.run('validate', validationRequestParts(input));
    if (r.exitCode !== 0 || r.trap !== undefined) {
      return { ok: false, message: failureText(r), code: INTERNAL_ERROR_CODE, reason: 'error' };
    }
    const parsed = parseValidationResponse(r.stdout);
    if (!parsed.ok) {
      return {
        ...parsed,
        message: parsed.message.replace(
          'invalid response from policy: ',
          'Cannot deserialize policy validation response: ',
        ),
      };
    }
    return parsed;
  }

  private run(command: string, stdinParts: readonly Uint8Array[]): RunResult {
    const stdin = new ByteQueue();
    for (const part of stdinParts) stdin.push(part);
    const out = new Capture(this.opts.maxOutputBytes, 'wrote to stdout');
    const err = new Capture(this.opts.maxOutputBytes, 'wrote to stderr');
    const tail = this.opts.stderrTail;
    tail?.reset();
    const stderr = (b: Uint8Array): void => {
      err.add(b);
      tail?.append(b);
    };
    const wasi = new WasiPreview1({
      args: ['policy.wasm', command],
      env: {},
      stdin,
      stdout: (b) => out.add(b),
      stderr,
    });
    let memory: WebAssembly.Memory | undefined;
    const read = (ptr: number, len: number): Uint8Array =>
      new Uint8Array(memory!.buffer).slice(ptr >>> 0, (ptr >>> 0) + (len >>> 0));
    const hostCall = (
      bd: number,
      bdLen: number,
      ns: number,
      nsLen: number,
      op: number,
      opLen: number,
      p: number,
      pLen: number,
    ): number => {
      try {
        stdin.push(
          this.opts.hostCall(
            dec.decode(read(bd, bdLen)),
            dec.decode(read(ns, nsLen)),
            dec.decode(read(op, opLen)),
            read(p, pLen),
          ),
        );
        return 0;
      } catch (e) {
        if (e instanceof OutputLimitError) throw e;
        stdin.push(enc.encode(e instanceof Error ? e.message : String(e)));
        return 1;
      }
    };
    const imports: WebAssembly.Imports = { ...wasi.importsFor(this.module) };
    for (const imp of WebAssembly.Module.imports(this.module)) {
      if (HOST_CALL_MODULES.has(imp.module) && imp.name === 'call') imports[imp.module] = { call: hostCall };
    }
    let exitCode = 0;
    let trap: string | undefined;
    let stopped = false;
    try {
      const instance = new WebAssembly.Instance(this.module, imports);
      memory = instance.exports.memory as WebAssembly.Memory;
      wasi.bindMemory(memory);
      const start = instance.exports._start;
      if (typeof start !== 'function') throw new Error('the module does not export "_start"');
      (start as () => void)();
    } catch (e) {
      if (e instanceof WasiExit) exitCode = e.code;
      else if (e instanceof OutputLimitError) {
        trap = e.message;
        stopped = true;
      } else trap = e instanceof Error ? e.message : String(e);
    }
    const errText = err.text();
    if (errText.trim() !== '') for (const line of errText.trimEnd().split('\n')) this.opts.log(line);
    return {
      exitCode,
      stdout: out.text(),
      stderr: errText,
      ...(trap !== undefined ? { trap } : {}),
      ...(stopped ? { stopped } : {}),
    };
  }
}

/** policy-evaluator reports the trimmed stderr of a failed run; we add the trap or exit code when stderr is empty. */
function failureText(r: RunResult): string {
  if (r.stopped && r.trap !== undefined) return r.trap;
  const stderr = r.stderr.trim();
  if (stderr !== '') return stderr;
  return r.trap !== undefined ? r.trap : `the policy exited with code ${r.exitCode}`;
}

class Capture {
  private parts: Uint8Array[] = [];
  private size = 0;
  constructor(
    private readonly limit: number,
    private readonly what: string,
  ) {}
  add(b: Uint8Array): void {
    this.size += b.length;
    if (this.size > this.limit) throw new OutputLimitError(this.what, this.limit);
    this.parts.push(b);
  }
  text(): string {
    return dec.decode(Buffer.concat(this.parts));
  }
}
