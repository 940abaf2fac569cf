import type { Cluster } from '../cluster/types';
import type { Logger } from '../base/log';
import type { KubeObject } from '../manifests/types';

/**
 * Where the cluster runs Kubewarden, read from its policy-server Deployments: the controller creates them in its
 * deployments namespace (`internal/controller/policyserver_controller_deployment.go` reconcilePolicyServerDeployment,
 * the Helm chart's release namespace) and, when the chart's `alwaysAcceptAdmissionReviewsOnDeploymentsNamespace` is
 * on (its default), gives the policy-server container the environment variable below, which policy-server reads as
 * `--always-accept-admission-reviews-on-namespace`.
 */
export interface KubewardenDeployment {
  /** The namespace of the policy-server Deployments. */
  namespace: string;
  /** The namespace policy-server always accepts requests in; undefined when the Deployments do not set it. */
  alwaysAcceptNamespace?: string;
  /** `namespace/name` of each Deployment read, for messages. */
  deployments: string[];
}

export const ALWAYS_ACCEPT_ENV = 'KUBEWARDEN_ALWAYS_ACCEPT_ADMISSION_REVIEWS_ON_NAMESPACE';

/**
 * Labels the controller puts on policy-server Deployments, newest first: the recommended labels of current releases,
 * then the single label of older ones (`kubewarden/policy-server`, later `kubewarden.io/policy-server`).
 */
const SELECTORS = [
  'app.kubernetes.io/component=policy-server,app.kubernetes.io/part-of=kubewarden',
  'kubewarden.io/policy-server',
  'kubewarden/policy-server',
];

/** Reads the policy-server Deployments; undefined when there are none or they cannot be listed (logged). */
export async function readKubewardenDeployment(
  cluster: Cluster,
  log: Logger,
): Promise<KubewardenDeployment | undefined> {
  const res = await cluster.resolve('apps/v1', 'Deployment');
  if (!res) return undefined;
  for (const labelSelector of SELECTORS) {
    const found: KubeObject[] = [];
    try {
      for await (const o of cluster.list(res, { labelSelector })) found.push(o);
    } catch (err) {
      log.info(
        `cannot list the policy-server Deployments (${(err as Error).message}): the Kubewarden namespace is taken from --kubewarden-namespace`,
      );
      return undefined;
    }
    if (found.length > 0) return fromDeployments(found, log);
  }
  return undefined;
}

/** The Deployments' namespace and the always-accept namespace their policy-server container is given. */
export function fromDeployments(found: readonly KubeObject[], log: Logger): KubewardenDeployment {
  const sorted = [...found].sort((a, b) =>
    `${a.metadata?.namespace}/${a.metadata?.name}`.localeCompare(`${b.metadata?.namespace}/${b.metadata?.name}`),
  );
  const namespaces = [...new Set(sorted.map((d) => String(d.metadata?.namespace ?? '')))];
  if (namespaces.length > 1)
    log.warn(
      `policy-server Deployments in several namespaces (${namespaces.join(', ')}): taking ${namespaces[0]} as the Kubewarden namespace`,
    );
  const out: KubewardenDeployment = {
    namespace: namespaces[0],
    deployments: sorted.map((d) => `${d.metadata?.namespace}/${d.metadata?.name}`),
  };
  for (const d of sorted) {
    const value = alwaysAcceptOf(d);
    if (value !== undefined) {
      out.alwaysAcceptNamespace = value;
      break;
    }
  }
  return out;
}

function alwaysAcceptOf(d: KubeObject): string | undefined {
  const containers = ((d.spec as { template?: { spec?: { containers?: unknown } } } | undefined)?.template?.spec
    ?.containers ?? []) as { env?: { name?: unknown; value?: unknown }[] }[];
  if (!Array.isArray(containers)) return undefined;
  for (const c of containers) {
    for (const e of Array.isArray(c?.env) ? c.env : [])
      if (e?.name === ALWAYS_ACCEPT_ENV && typeof e.value === 'string' && e.value !== '') return e.value;
  }
  return undefined;
}

/**
 * The namespace policy-server always accepts requests in: with `--always-accept-kubewarden-namespace`, the
 * Kubewarden namespace; with `--no-always-accept-kubewarden-namespace`, none; by default, what the cluster's
 * policy-server Deployments say (none without a cluster).
 */
export function alwaysAcceptNamespaceFor(
  flag: boolean | undefined,
  kubewardenNamespace: string,
  deployment: KubewardenDeployment | undefined,
): string | undefined {
  if (flag === true) return kubewardenNamespace;
  if (flag === false) return undefined;
  return deployment?.alwaysAcceptNamespace;
}

export const ALWAYS_ACCEPT_OPTION = {
  type: 'boolean',
  describe:
    "Accept every request in the Kubewarden namespace without evaluating, as policy-server does with the Helm chart's alwaysAcceptAdmissionReviewsOnDeploymentsNamespace (default: as the cluster's policy-server runs with --from-cluster, else off)",
} as const;
