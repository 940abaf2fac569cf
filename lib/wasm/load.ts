import { createHash } from 'node:crypto';
import type { Logger } from '../log';
import { createDispatcher } from '../capabilities/dispatcher';
import { isWasm } from './custom-section';
import { defaultMetadata, loadProblems, MetadataError, readMetadata, type ExecutionMode, type PolicyMetadata } from './metadata';
import type { PolicyRuntime } from './runtime';
import { WapcRuntime } from './wapc/runtime';
import { WapcLoadError } from './wapc/host';

/** A policy that could not be loaded; the run stops with exit code 2 (nothing can be evaluated reliably). */
export class PolicyLoadError extends Error {
  override name = 'PolicyLoadError';
}

export interface CompiledPolicy {
  module: WebAssembly.Module;
  metadata: PolicyMetadata;
  /** Whether the metadata came from the module's section (false: defaults). */
  annotated: boolean;
  sha256: string;
  size: number;
}

/** Compiles a module once and reads its metadata. `name` is used in error messages. */
export function compilePolicy(name: string, bytes: Uint8Array): CompiledPolicy {
  if (!isWasm(bytes)) throw new PolicyLoadError(`${name}: not a WebAssembly module (the file does not start with \\0asm)`);
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(bytes as Uint8Array<ArrayBuffer>);
  } catch (err) {
    throw new PolicyLoadError(`${name}: invalid WebAssembly module: ${(err as Error).message}`);
  }
  let metadata: PolicyMetadata | undefined;
  try {
    metadata = readMetadata(module);
  } catch (err) {
    if (err instanceof MetadataError) throw new PolicyLoadError(`${name}: ${err.message}`);
    throw err;
  }
  return {
    module,
    metadata: metadata ?? defaultMetadata(),
    annotated: metadata !== undefined,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    size: bytes.length,
  };
}

/** Whether a module looks like compiled Rego (kwctl's test: any export starting with `opa_`). */
export function looksLikeRego(module: WebAssembly.Module): boolean {
  return WebAssembly.Module.exports(module).some((e) => e.name.startsWith('opa_'));
}

/**
 * Decides the execution mode like kwctl: the metadata wins, a flag must agree with it, a module without
 * metadata that exports `opa_*` needs the flag.
 */
export function resolveExecutionMode(name: string, compiled: CompiledPolicy, requested?: ExecutionMode): ExecutionMode {
  if (compiled.annotated) {
    const declared = compiled.metadata.executionMode;
    if (requested && requested !== declared) {
      throw new PolicyLoadError(`${name}: the policy's metadata declares execution mode ${declared}, but ${requested} was requested`);
    }
    return declared;
  }
  if (looksLikeRego(compiled.module) && requested !== 'opa' && requested !== 'gatekeeper') {
    throw new PolicyLoadError(`${name}: this looks like a Rego policy without metadata: use --execution-mode opa or gatekeeper`);
  }
  return requested ?? 'kubewarden-wapc';
}

export interface RuntimeOptions {
  policyId: string;
  log: Logger;
}

/** Builds the runtime for a compiled policy and checks that it can start, as policy-server does at load. */
export function createRuntime(name: string, compiled: CompiledPolicy, mode: ExecutionMode, opts: RuntimeOptions): PolicyRuntime {
  if (compiled.annotated) {
    const problems = loadProblems(compiled.metadata);
    if (problems.length > 0) throw new PolicyLoadError(`${name}: ${problems.join('; ')}`);
  }
  switch (mode) {
    case 'kubewarden-wapc': {
      const runtime = new WapcRuntime(compiled.module, {
        hostCall: createDispatcher(opts.policyId, opts.log),
        log: (m) => opts.log.debug(`[${opts.policyId}] ${m}`),
      });
      try {
        runtime.probe();
      } catch (err) {
        if (err instanceof WapcLoadError) throw new PolicyLoadError(`${name}: ${err.message}`);
        throw err;
      }
      return runtime;
    }
    default:
      throw new PolicyLoadError(`${name}: execution mode ${mode} is not supported yet (only kubewarden-wapc)`);
  }
}
