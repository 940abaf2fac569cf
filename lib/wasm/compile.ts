import { createHash } from 'node:crypto';
import {
  capDefinedMemories,
  exportMutableGlobals,
  exportNames,
  HOST_MEMORY_MODULE,
  importDefinedMemory,
  importEntries,
  isWasm,
  WASM_PAGE,
} from './binary';
import {
  defaultMetadata,
  loadProblems,
  MetadataError,
  readMetadata,
  type ExecutionMode,
  type PolicyMetadata,
} from './metadata';
import { wapcContractProblems } from './wapc/host';
import { wasiContractProblems } from './wasi/runtime';
import { UserError } from '../base/user-error';

/** A policy that could not be loaded; the run stops with exit code 2 (nothing can be evaluated reliably). */
export class PolicyLoadError extends UserError<'load' | 'config'> {
  override name = 'PolicyLoadError';
  constructor(message: string, kind: 'load' | 'config' = 'load') {
    super(message, kind);
  }
}

export interface CompiledPolicy {
  module: WebAssembly.Module;
  metadata: PolicyMetadata;
  /** Whether the metadata came from the module's section (false: defaults). */
  annotated: boolean;
  sha256: string;
  size: number;
  /** Exports added for every mutable global, so instances can be restored instead of re-created. */
  snapshotGlobals?: string[];
}

/**
 * Compiles a module once (the same Module serves every worker) and reads its metadata. With a memory limit,
 * the memories the module defines are capped first. `name` is used in error messages.
 */
export async function compilePolicy(
  name: string,
  bytes: Uint8Array,
  memoryLimitBytes?: number,
): Promise<CompiledPolicy> {
  const { code, snapshotGlobals } = hostCode(name, bytes, memoryLimitBytes);
  let module: WebAssembly.Module;
  try {
    module = await WebAssembly.compile(code as Uint8Array<ArrayBuffer>);
  } catch (err) {
    throw new PolicyLoadError(`${name}: invalid WebAssembly module: ${(err as Error).message}`);
  }
  return compiled(name, bytes, module, snapshotGlobals);
}

/**
 * The module as this host runs it (memories capped, see hostCode), without reading its metadata: for running a
 * module whose metadata is being written (annotate).
 */
export function compileHostModule(
  name: string,
  bytes: Uint8Array,
  memoryLimitBytes: number,
): { module: WebAssembly.Module; snapshotGlobals?: string[] } {
  const { code, snapshotGlobals } = hostCode(name, bytes, memoryLimitBytes);
  try {
    return {
      module: new WebAssembly.Module(code as Uint8Array<ArrayBuffer>),
      ...(snapshotGlobals ? { snapshotGlobals } : {}),
    };
  } catch (err) {
    throw new PolicyLoadError(`${name}: invalid WebAssembly module: ${(err as Error).message}`);
  }
}

/** The bytes this host compiles: memories capped, a waPC guest's memory imported, mutable globals exported. */
function hostCode(
  name: string,
  bytes: Uint8Array,
  memoryLimitBytes?: number,
): { code: Uint8Array; snapshotGlobals?: string[] } {
  if (!isWasm(bytes))
    throw new PolicyLoadError(`${name}: not a WebAssembly module (the file does not start with \\0asm)`);
  let code = bytes;
  refuseHostMemoryImport(name, bytes);
  if (memoryLimitBytes !== undefined) {
    try {
      code = capDefinedMemories(bytes, Math.floor(memoryLimitBytes / WASM_PAGE));
    } catch (err) {
      throw new PolicyLoadError(`${name}: ${(err as Error).message}`);
    }
  }
  let snapshotGlobals: string[] | undefined;
  try {
    // waPC guests get their memory from the host, which can then start an instance with more than declared
    // (WapcRuntime pre-sizes instances whose evaluations grow memory).
    if (exportNames(code).includes('__guest_call')) code = importDefinedMemory(code);
    const exported = exportMutableGlobals(code);
    code = exported.bytes;
    snapshotGlobals = exported.names;
  } catch {
    // An unusual module layout: it still runs, with a new instance per evaluation.
  }
  return { code, ...(snapshotGlobals ? { snapshotGlobals } : {}) };
}

/**
 * The host gives a waPC guest its memory through an import from HOST_MEMORY_MODULE that this loader writes
 * itself (importDefinedMemory), from limits already capped. A module that arrives with such an import would
 * choose its own limits: it is refused, whatever its mode.
 */
function refuseHostMemoryImport(name: string, bytes: Uint8Array): void {
  let imports;
  try {
    imports = importEntries(bytes);
  } catch {
    return; // A malformed import section: compiling the module reports it.
  }
  const reserved = imports.find((i) => i.module === HOST_MEMORY_MODULE);
  if (reserved) {
    throw new PolicyLoadError(
      `${name}: the module imports "${reserved.module}.${reserved.name}": "${HOST_MEMORY_MODULE}" is reserved for the memory the host builds under --memory-limit, a policy may not import from it`,
    );
  }
}

function compiled(
  name: string,
  bytes: Uint8Array,
  module: WebAssembly.Module,
  snapshotGlobals: string[] | undefined,
): CompiledPolicy {
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
    ...(snapshotGlobals ? { snapshotGlobals } : {}),
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
      throw new PolicyLoadError(
        `${name}: the policy's metadata declares execution mode ${declared}, but ${requested} was requested`,
      );
    }
    return declared;
  }
  if (looksLikeRego(compiled.module) && requested !== 'opa' && requested !== 'gatekeeper') {
    throw new PolicyLoadError(
      `${name}: this looks like a Rego policy without metadata: use --execution-mode opa or gatekeeper`,
    );
  }
  return requested ?? 'kubewarden-wapc';
}

/** What can be checked without running guest code: exports and imports the mode needs (docs/host-interface.md §1.1, §5). */
export function modeContractProblems(compiled: CompiledPolicy, mode: ExecutionMode): string[] {
  const problems = compiled.annotated ? loadProblems(compiled.metadata) : [];
  if (mode === 'kubewarden-wapc') {
    const contract = wapcContractProblems(compiled.module);
    if (contract.length > 0) problems.push(`not a waPC policy: ${contract.join('; ')}`);
  } else if (mode === 'wasi') {
    const contract = wasiContractProblems(compiled.module);
    if (contract.length > 0) problems.push(`not a WASI policy: ${contract.join('; ')}`);
  }
  return problems;
}
