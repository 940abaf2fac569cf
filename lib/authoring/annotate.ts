import * as jsyaml from 'js-yaml';
import { silentLogger } from '../base/log';
import { createDispatcher } from '../capabilities/dispatcher';
import { isWasm, replaceCustomSection } from '../wasm/binary';
import { METADATA_SECTION, parseMetadata, type PolicyMetadata } from '../wasm/metadata';
import { WapcRuntime } from '../wasm/wapc/runtime';

export class AnnotateError extends Error {
  override name = 'AnnotateError';
}

/**
 * What `kwctl annotate` does: validate metadata.yml, learn protocolVersion from the module (waPC asks the
 * guest; other modes are "Unknown"), optionally store a usage text, and write the custom section.
 */
export function annotate(wasm: Uint8Array, metadataYaml: string, usage?: string): { bytes: Uint8Array; metadata: PolicyMetadata } {
  if (!isWasm(wasm)) throw new AnnotateError('input is not a WebAssembly module');
  let raw: unknown;
  try {
    raw = jsyaml.load(metadataYaml);
  } catch (err) {
    throw new AnnotateError(`metadata is not valid YAML: ${(err as Error).message}`);
  }
  let md: PolicyMetadata;
  try {
    md = parseMetadata(raw, 'metadata');
  } catch (err) {
    throw new AnnotateError((err as Error).message);
  }
  let module: WebAssembly.Module;
  try {
    module = new WebAssembly.Module(wasm as Uint8Array<ArrayBuffer>);
  } catch (err) {
    throw new AnnotateError(`invalid WebAssembly module: ${(err as Error).message}`);
  }
  if (md.executionMode === 'kubewarden-wapc') {
    const runtime = new WapcRuntime(module, { hostCall: createDispatcher('annotate', silentLogger), log: () => {} });
    let version: string;
    try {
      version = runtime.protocolVersion();
    } catch (err) {
      throw new AnnotateError(`cannot learn the protocol version from the policy: ${(err as Error).message}`);
    }
    if (version !== 'v1') throw new AnnotateError(`the policy reports protocol version ${JSON.stringify(version)}; only "v1" is known`);
    md.protocolVersion = 'v1';
  } else {
    md.protocolVersion = 'Unknown';
  }
  if (usage !== undefined) md.annotations['io.kubewarden.policy.usage'] = usage;
  const bytes = replaceCustomSection(wasm, METADATA_SECTION, Buffer.from(JSON.stringify(md), 'utf8'));
  return { bytes, metadata: md };
}
