import type { Logger } from '../log';
import { compilePolicy, createRuntime, PolicyLoadError, resolveExecutionMode, type CompiledPolicy } from '../wasm/load';
import type { PolicyMetadata } from '../wasm/metadata';
import type { PolicyRuntime } from '../wasm/runtime';
import { fetchPolicy, PolicyFetchError } from '../store/fetch';
import type { PolicySpec } from './spec';

/** A policy ready to evaluate: fetched, compiled once, started once, settings validated. */
export interface LoadedPolicy {
  spec: PolicySpec;
  metadata: PolicyMetadata;
  runtime: PolicyRuntime;
  sha256: string;
  /** `{"settings": ...}` tail of every ValidationRequest, serialised once. */
  settingsJson: string;
  allowedToMutate: boolean;
}

/**
 * Loads every policy, as policy-server does at start-up: any failure (fetch, compile, contract, init,
 * invalid settings) is fatal, because evaluating with a policy missing would report wrong verdicts.
 */
export async function loadPolicies(specs: PolicySpec[], log: Logger): Promise<LoadedPolicy[]> {
  const compiled = new Map<string, CompiledPolicy>();
  const out: LoadedPolicy[] = [];
  for (const spec of specs) {
    const name = `policy ${spec.id} (${spec.module})`;
    let c = compiled.get(spec.module);
    if (!c) {
      let bytes: Uint8Array;
      try {
        bytes = await fetchPolicy(spec.module);
      } catch (err) {
        if (err instanceof PolicyFetchError) throw new PolicyLoadError(`${name}: ${err.message}`);
        throw err;
      }
      c = compilePolicy(name, bytes);
      compiled.set(spec.module, c);
    }
    const mode = resolveExecutionMode(name, c, spec.executionMode);
    const runtime = createRuntime(name, c, mode, { policyId: spec.id, log });
    const sv = runtime.validateSettings(spec.settings);
    if (!sv.valid) {
      throw new PolicyLoadError(`${name}: invalid settings (${spec.origin}): ${sv.message ?? 'no message'}`);
    }
    out.push({
      spec,
      metadata: c.metadata,
      runtime,
      sha256: c.sha256,
      settingsJson: JSON.stringify(spec.settings ?? {}),
      allowedToMutate: spec.allowedToMutate ?? c.metadata.mutating,
    });
  }
  return out;
}
