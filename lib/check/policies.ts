import type { PolicyEntry } from '../policy/spec';
import { PolicySetError } from '../policy/policy-set-error';

/** What `check` was given to run: each part absent when its flag was not used. */
export interface CheckPolicySources {
  /** `-p` (with its settings). */
  flags: PolicyEntry[];
  /** `--policies`: the files named and what they define. */
  config?: { files: readonly string[]; entries: PolicyEntry[] };
  /** `--from-cluster`: the cluster's active policies. */
  cluster?: PolicyEntry[];
}

/**
 * The policies `check` runs: `-p`, `--policies` and `--from-cluster` together, the cluster's first, then the
 * configuration's, then the flags'; none of them given means the bundled set. Ids must be unique.
 */
export function checkPolicySet(given: CheckPolicySources, bundled: () => PolicyEntry[]): PolicyEntry[] {
  const anyGiven = given.flags.length > 0 || given.config !== undefined || given.cluster !== undefined;
  const policies = anyGiven ? [...(given.cluster ?? []), ...(given.config?.entries ?? []), ...given.flags] : bundled();
  if (policies.length === 0) {
    throw new PolicySetError(
      given.cluster
        ? '--from-cluster: the cluster has no active Kubewarden policies'
        : given.config
          ? `no policies to run: --policies ${given.config.files.join(' ')} defines none`
          : 'no policies to run: the bundled set is missing (run npm run build) and no -p was given',
      'no-policies',
    );
  }
  const ids = new Set<string>();
  for (const p of policies) {
    if (ids.has(p.id))
      throw new PolicySetError(`two policies are named ${p.id} (from -p and --policies); rename one`, 'duplicate-id');
    ids.add(p.id);
  }
  return policies;
}
