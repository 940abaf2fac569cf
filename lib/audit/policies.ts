import type { Logger } from '../base/log';
import type { Cluster } from '../cluster/types';
import { bundledPolicySet } from '../policy/bundled';
import { loadPolicyConfig } from '../policy/config';
import { readClusterPolicies, type ClusterPolicies } from '../policy/from-cluster';
import { PolicySetError } from '../policy/policy-set-error';
import type { PolicyEntry } from '../policy/spec';

/** What `audit` was given to run. */
export interface AuditPolicySources {
  /** `-p` (with its settings). */
  flags: PolicyEntry[];
  /** `--policies` files. */
  configFiles: readonly string[];
  /** `--from-cluster`: only the cluster's policies. */
  fromCluster: boolean;
  kubewardenNamespace: string;
}

/**
 * The policies `audit` runs: `-p` and `--policies` as given; else the cluster's own policies when Kubewarden is
 * installed (with its PolicyServers' sources); else the bundled set.
 */
export async function auditPolicySet(given: AuditPolicySources, cluster: Cluster, log: Logger): Promise<{ policies: PolicyEntry[]; extraSources?: ClusterPolicies['sources'] }> {
  if (given.flags.length > 0 || given.configFiles.length > 0) {
    const fromConfig = given.configFiles.length > 0 ? await loadPolicyConfig([...given.configFiles], { log, kubewardenNamespace: given.kubewardenNamespace, defaultNamespace: cluster.namespace }) : [];
    return { policies: [...fromConfig, ...given.flags] };
  }
  const fromCluster = await readClusterPolicies(cluster, { log, kubewardenNamespace: given.kubewardenNamespace });
  if (given.fromCluster && !fromCluster.installed) throw new PolicySetError(`--from-cluster: ${cluster.server} (context ${cluster.context}) serves no policies.kubewarden.io/v1 resources: is Kubewarden installed?`, 'not-installed');
  if (fromCluster.installed) {
    if (fromCluster.entries.length === 0) throw new PolicySetError(`the cluster (context ${cluster.context}) has Kubewarden installed but no policies; give policies with -p or --policies`, 'no-policies');
    log.info(`auditing with the cluster's ${fromCluster.entries.length} Kubewarden policies`);
    return { policies: fromCluster.entries, extraSources: fromCluster.sources };
  }
  log.info('Kubewarden is not installed in the cluster: auditing with the bundled policy set');
  const bundled = bundledPolicySet();
  if (bundled.length === 0) throw new PolicySetError('no policies to run: the bundled set is missing (run npm run build) and no -p was given', 'no-policies');
  return { policies: bundled };
}
