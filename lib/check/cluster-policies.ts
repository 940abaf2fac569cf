import type { Logger } from '../base/log';
import type { Cluster } from '../cluster/types';
import type { ModuleVerification } from '../policy/cluster-verification';
import { DEFAULT_KUBEWARDEN_NAMESPACE } from '../policy/config';
import { readClusterPolicies } from '../policy/from-cluster';
import { readKubewardenDeployment, type KubewardenDeployment } from '../policy/kubewarden-deployment';
import { PolicySetError } from '../policy/policy-set-error';
import { isActive, type PolicyEntry } from '../policy/spec';

export interface CheckClusterPolicies {
  /** The cluster's active policies: the ones its PolicyServers run. */
  entries: PolicyEntry[];
  /** Where Kubewarden runs: `--kubewarden-namespace`, else the namespace of the policy-server Deployments. */
  kubewardenNamespace: string;
  deployment?: KubewardenDeployment;
  /** The PolicyServers' verification configs, by module. */
  verification: ModuleVerification;
}

/**
 * `check --from-cluster`: the cluster's own policies (only the active ones, as a cluster runs only those), where
 * Kubewarden runs and whether its policy-server always accepts requests there, and the PolicyServers'
 * verification configs.
 */
export async function checkClusterPolicies(
  cluster: Cluster,
  o: { log: Logger; kubewardenNamespace?: string },
): Promise<CheckClusterPolicies> {
  const deployment = await readKubewardenDeployment(cluster, o.log);
  const kubewardenNamespace = o.kubewardenNamespace ?? deployment?.namespace ?? DEFAULT_KUBEWARDEN_NAMESPACE;
  const read = await readClusterPolicies(cluster, { log: o.log, kubewardenNamespace });
  if (!read.installed) {
    throw new PolicySetError(
      `--from-cluster: ${cluster.server} (context ${cluster.context}) serves no policies.kubewarden.io/v1 resources: is Kubewarden installed?`,
      'not-installed',
    );
  }
  const entries = read.entries.filter(isActive);
  if (entries.length < read.entries.length)
    o.log.info(
      `--from-cluster: ${read.entries.length - entries.length} policies are not active in the cluster and are left out`,
    );
  return { entries, kubewardenNamespace, verification: read.verification, ...(deployment ? { deployment } : {}) };
}
