import type { Logger } from '../base/log';
import type { Cluster } from '../cluster/types';
import { bundledPolicySet } from '../policy/bundled';
import { DEFAULT_KUBEWARDEN_NAMESPACE, readPolicyConfig } from '../policy/config';
import type { ModuleVerification } from '../policy/cluster-verification';
import { readClusterPolicies } from '../policy/from-cluster';
import { readKubewardenDeployment, type KubewardenDeployment } from '../policy/kubewarden-deployment';
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
  /** `--kubewarden-namespace`, when given. */
  kubewardenNamespace?: string;
}

export interface AuditPolicySet {
  policies: PolicyEntry[];
  /** Never scanned with -A (audit-scanner's --kubewarden-namespace). */
  kubewardenNamespace: string;
  /** The cluster's policy-server Deployments, when its policies are used. */
  deployment?: KubewardenDeployment;
  /** The PolicyServers' verification configs, when the cluster's policies are used. */
  verification?: ModuleVerification;
}

/**
 * The policies `audit` runs: `-p` and `--policies` as given; else the cluster's own policies when Kubewarden is
 * installed (each with its PolicyServer's sources and verification config), and then the cluster also says where
 * Kubewarden runs (unless `--kubewarden-namespace` does); else the bundled set.
 */
export async function auditPolicySet(
  given: AuditPolicySources,
  cluster: Cluster,
  log: Logger,
): Promise<AuditPolicySet> {
  if (given.flags.length > 0 || given.configFiles.length > 0) {
    const kubewardenNamespace = given.kubewardenNamespace ?? DEFAULT_KUBEWARDEN_NAMESPACE;
    const fromConfig =
      given.configFiles.length > 0
        ? await readPolicyConfig([...given.configFiles], {
            log,
            kubewardenNamespace,
            defaultNamespace: cluster.namespace,
          })
        : [];
    return { policies: [...fromConfig, ...given.flags], kubewardenNamespace };
  }
  const deployment = given.kubewardenNamespace === undefined ? await readKubewardenDeployment(cluster, log) : undefined;
  const kubewardenNamespace = given.kubewardenNamespace ?? deployment?.namespace ?? DEFAULT_KUBEWARDEN_NAMESPACE;
  if (deployment)
    log.info(
      `Kubewarden runs in namespace ${deployment.namespace} (policy-server Deployments ${deployment.deployments.join(', ')}): it is not audited`,
    );
  const fromCluster = await readClusterPolicies(cluster, { log, kubewardenNamespace });
  if (given.fromCluster && !fromCluster.installed)
    throw new PolicySetError(
      `--from-cluster: ${cluster.server} (context ${cluster.context}) serves no policies.kubewarden.io/v1 resources: is Kubewarden installed?`,
      'not-installed',
    );
  if (fromCluster.installed) {
    if (fromCluster.entries.length === 0)
      throw new PolicySetError(
        `the cluster (context ${cluster.context}) has Kubewarden installed but no policies; give policies with -p or --policies`,
        'no-policies',
      );
    log.info(`auditing with the cluster's ${fromCluster.entries.length} Kubewarden policies`);
    return {
      policies: fromCluster.entries,
      kubewardenNamespace,
      verification: fromCluster.verification,
      ...(deployment ? { deployment } : {}),
    };
  }
  log.info('Kubewarden is not installed in the cluster: auditing with the bundled policy set');
  const bundled = bundledPolicySet();
  if (bundled.length === 0)
    throw new PolicySetError(
      'no policies to run: the bundled set is missing (run npm run build) and no -p was given',
      'no-policies',
    );
  return { policies: bundled, kubewardenNamespace };
}
