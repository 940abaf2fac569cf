import { promises as fs } from 'node:fs';
import type { Logger } from '../base/log';
import type { PolicyEntry } from '../policy/spec';
import { policiesFromRefs } from '../policy/from-flags';
import type { FetchOptions } from '../store/fetch';
import { listStoredPolicies } from '../store/manage';
import type { ExecutionMode } from '../wasm/metadata';
import { RunInputError } from './run-request';

export interface PolicyRefOptions {
  settings?: Record<string, unknown>;
  executionMode?: ExecutionMode;
  /** kwctl --allow-context-aware: the module's own contextAwareResources; otherwise none (kwctl's NoAccess). */
  allowContextAware: boolean;
  fetch?: FetchOptions;
  log: Logger;
}

/**
 * kwctl's positional `uri_or_sha_prefix_or_yaml_file`: a YAML file of policy resources (every policy in it runs,
 * in order), a unique prefix of the sha256 of a policy in the store, or a policy reference.
 */
export async function policiesFromRunArgument(arg: string, opts: PolicyRefOptions): Promise<PolicyEntry[]> {
  if (/\.ya?ml$/i.test(arg) && (await isFile(arg))) {
    if (opts.settings !== undefined)
      throw new RunInputError(
        `${arg}: settings come from the policy resources; --settings-json and --settings-path apply to a policy reference`,
      );
    const { readPolicyConfig } = await import('../policy/config');
    const entries = await readPolicyConfig([arg], { log: opts.log });
    if (entries.length === 0) throw new RunInputError(`${arg}: no policies.kubewarden.io/v1 policy resources in it`);
    return entries;
  }
  const ref = (await storedUriForShaPrefix(arg, opts.fetch)) ?? arg;
  const [spec] = policiesFromRefs([ref], {
    ...(opts.settings ? { settings: opts.settings } : {}),
    ...(opts.executionMode ? { executionMode: opts.executionMode } : {}),
  });
  if (!opts.allowContextAware) spec.contextAwareResources = [];
  return [spec];
}

/** The reference of the stored policy whose sha256 starts with `arg` (kwctl's get_uri); undefined when none does. */
export async function storedUriForShaPrefix(arg: string, fetch?: FetchOptions): Promise<string | undefined> {
  const sha = arg.replace(/^sha256:/, '').toLowerCase();
  if (!/^[0-9a-f]{4,64}$/.test(sha) || (await isFile(arg))) return undefined;
  const matches = (await listStoredPolicies(fetch ?? {})).filter((p) => p.sha256.startsWith(sha));
  const distinct = new Set(matches.map((m) => m.sha256));
  if (distinct.size > 1)
    throw new RunInputError(
      `${arg}: ambiguous sha256 prefix, it matches ${matches.map((m) => `${m.uri} (${m.sha256.slice(0, 12)})`).join(', ')}`,
    );
  return matches[0]?.uri;
}

async function isFile(p: string): Promise<boolean> {
  try {
    return (await fs.stat(p)).isFile();
  } catch {
    return false;
  }
}
