import * as jsyaml from 'js-yaml';
import { createLogger, type LogLevel } from '../base/log';
import { isWasm, replaceCustomSection } from '../wasm/binary';
import { DEFAULT_EVALUATION_LIMITS, type EvaluationLimits } from '../wasm/limits';
import { compileHostModule } from '../wasm/compile';
import { METADATA_SECTION, parseMetadata, type PolicyMetadata } from '../wasm/metadata';
import { EvaluationPool } from '../wasm/pool/pool';

export class AnnotateError extends Error {
  override name = 'AnnotateError';
}

export interface AnnotateOptions {
  usage?: string;
  /**
   * The sandbox the guest's protocol_version runs in: the deadline, memory cap and output cap of `check`
   * (asking a module its version runs its init and one guest call, which may be hostile).
   */
  limits?: EvaluationLimits;
  /** Where the guest's own log lines go (warnings only by default). */
  logLevel?: LogLevel;
}

/**
 * What `kwctl annotate` does: validate metadata.yml, learn protocolVersion from the module (waPC asks the
 * guest; other modes are "Unknown"), optionally store a usage text, and write the custom section.
 */
export async function annotate(
  wasm: Uint8Array,
  metadataYaml: string,
  opts: AnnotateOptions = {},
): Promise<{ bytes: Uint8Array; metadata: PolicyMetadata }> {
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
  const limits = opts.limits ?? DEFAULT_EVALUATION_LIMITS;
  let host: ReturnType<typeof compileHostModule>;
  try {
    host = compileHostModule('the module', wasm, limits.memoryLimitBytes);
  } catch (err) {
    throw new AnnotateError((err as Error).message.replace(/^the module: /, ''));
  }
  if (md.executionMode === 'kubewarden-wapc') {
    const version = await askProtocolVersion(host, limits, opts.logLevel ?? 'warn');
    if (version !== 'v1')
      throw new AnnotateError(`the policy reports protocol version ${JSON.stringify(version)}; only "v1" is known`);
    md.protocolVersion = 'v1';
  } else {
    md.protocolVersion = 'Unknown';
  }
  if (opts.usage !== undefined) md.annotations['io.kubewarden.policy.usage'] = opts.usage;
  const bytes = replaceCustomSection(wasm, METADATA_SECTION, Buffer.from(JSON.stringify(md), 'utf8'));
  return { bytes, metadata: md };
}

/** Runs the guest's protocol_version in an evaluation worker, under the deadline and caps `check` uses. */
async function askProtocolVersion(
  host: ReturnType<typeof compileHostModule>,
  limits: EvaluationLimits,
  logLevel: LogLevel,
): Promise<unknown> {
  const pool = new EvaluationPool(
    [
      {
        id: 'annotate',
        mode: 'kubewarden-wapc',
        module: host.module,
        policyType: 'kubernetes',
        settingsJson: '{}',
        limits,
        ...(host.snapshotGlobals ? { snapshotGlobals: host.snapshotGlobals } : {}),
      },
    ],
    { workers: 1, log: createLogger(logLevel), logLevel },
  );
  try {
    const outcome = await pool.prepare(0, 'protocol-version');
    if (!outcome.ok) throw new AnnotateError(`cannot learn the protocol version from the policy: ${outcome.message}`);
    return outcome.protocolVersion;
  } finally {
    await pool.close();
  }
}
