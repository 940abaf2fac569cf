import { isWasm } from '../wasm/binary';
import { loadProblems, type PolicyMetadata } from '../wasm/metadata';
import { PolicyFetchError } from './errors';
import { storeContext, type FetchOptions } from './fetch';
import { TransportError } from '../net/transport-error';
import { buildPolicyArtifact, readModuleMetadata } from './oci';
import { formatRegistryRef, parseSourceRef, pinnedRef } from './ref';

export interface PushResult {
  /** `registry://host/repo@sha256:...` */
  pinned: string;
  manifestDigest: string;
  /** The reference pushed to, normalised. */
  uri: string;
  annotated: boolean;
}

/**
 * Pushes a module as an OCI artifact (docs/host-interface.md §7), like `kwctl push`: refuses files that are not wasm, and
 * modules without metadata (or with metadata policy-server would refuse) unless `force`.
 */
export async function pushPolicy(
  wasm: Uint8Array,
  ref: string,
  opts: FetchOptions & { force?: boolean },
): Promise<PushResult> {
  if (!isWasm(wasm))
    throw new PolicyFetchError('not a WebAssembly module (the file does not start with \\0asm)', 'not-wasm');
  const source = parseSourceRef(ref.includes('://') ? ref : `registry://${ref}`);
  if (source.kind !== 'registry')
    throw new PolicyFetchError(`${ref}: push needs a registry reference (registry://host/repo:tag)`, 'invalid-ref');
  let md: PolicyMetadata | undefined;
  try {
    md = readModuleMetadata(wasm);
  } catch (err) {
    throw new PolicyFetchError(`the module's metadata is invalid: ${(err as Error).message}`, 'not-wasm');
  }
  if (!opts.force) {
    if (!md)
      throw new PolicyFetchError(
        'the module has no io.kubewarden.metadata section: annotate it first (kubectl wasmpolicy annotate), or push anyway with --force',
        'not-wasm',
      );
    const problems = loadProblems(md);
    if (problems.length > 0)
      throw new PolicyFetchError(
        `policy-server would refuse this module: ${problems.join('; ')} (push anyway with --force)`,
        'not-wasm',
      );
  }
  const artifact = buildPolicyArtifact(wasm, md);
  const ctx = storeContext(opts);
  let digest: string;
  try {
    digest = await (await ctx.client()).push(source.ref, artifact);
  } catch (err) {
    if (err instanceof TransportError)
      throw new PolicyFetchError(
        `${formatRegistryRef(source.ref)}: cannot reach ${err.hostPort}: ${err.message}`,
        err.kind,
      );
    throw err;
  }
  return {
    pinned: pinnedRef(source.ref, digest),
    manifestDigest: digest,
    uri: formatRegistryRef(source.ref),
    annotated: md !== undefined,
  };
}
