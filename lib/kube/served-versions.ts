/**
 * Which built-in group-versions a kube-apiserver serves with its default `--runtime-config`, per release. Since
 * Kubernetes 1.24 new beta APIs are off by default (KEP-3136), so for the releases below that is exactly the GA
 * group-versions of each release: `kubectl api-versions` on a default cluster of that release. The API server's
 * equivalent-resource registry (which `matchPolicy: Equivalent` reads, k8s.io/apiserver
 * admission/plugin/webhook/generic/webhook.go) only knows the group-versions it serves: a webhook rule on
 * `batch/v1beta1 cronjobs` does not match a `batch/v1` CronJob on 1.25+, where batch/v1beta1 is gone.
 */
import { apiVersionOf } from './api-path';
import { BUILTIN_RESOURCES } from './resource-table';
import type { ResourceType } from './resource-type';

export type KubernetesVersion = '1.33' | '1.34' | '1.35';
export const KUBERNETES_VERSIONS: readonly KubernetesVersion[] = ['1.33', '1.34', '1.35'];
/** Until `--kubernetes-version` chooses one: the newest release the tables describe. */
export const DEFAULT_KUBERNETES_VERSION: KubernetesVersion = '1.35';

const GA_1_33 = [
  'v1',
  'admissionregistration.k8s.io/v1',
  'apiextensions.k8s.io/v1',
  'apiregistration.k8s.io/v1',
  'apps/v1',
  'authentication.k8s.io/v1',
  'authorization.k8s.io/v1',
  'autoscaling/v1',
  'autoscaling/v2',
  'batch/v1',
  'certificates.k8s.io/v1',
  'coordination.k8s.io/v1',
  'discovery.k8s.io/v1',
  'events.k8s.io/v1',
  'flowcontrol.apiserver.k8s.io/v1',
  'networking.k8s.io/v1',
  'node.k8s.io/v1',
  'policy/v1',
  'rbac.authorization.k8s.io/v1',
  'scheduling.k8s.io/v1',
  'storage.k8s.io/v1',
];

/** Group-versions served by default, per release (1.34: DRA's resource.k8s.io/v1 goes GA). */
const SERVED: Record<KubernetesVersion, readonly string[]> = {
  '1.33': GA_1_33,
  '1.34': [...GA_1_33, 'resource.k8s.io/v1'],
  '1.35': [...GA_1_33, 'resource.k8s.io/v1'],
};

/**
 * Kinds that joined a served group-version later than the group-version itself: the release (minor) they are
 * served from. VolumeAttributesClass went GA in 1.34, MutatingAdmissionPolicy goes GA in 1.36.
 */
const KIND_SINCE: Readonly<Record<string, number>> = {
  'storage.k8s.io/v1 VolumeAttributesClass': 34,
  'admissionregistration.k8s.io/v1 MutatingAdmissionPolicy': 36,
  'admissionregistration.k8s.io/v1 MutatingAdmissionPolicyBinding': 36,
};

export function isKubernetesVersion(v: string): v is KubernetesVersion {
  return (KUBERNETES_VERSIONS as readonly string[]).includes(v);
}

/** The built-in group-versions (`v1`, `apps/v1`, ...) the release serves by default. */
export function servedGroupVersions(
  kubernetesVersion: KubernetesVersion = DEFAULT_KUBERNETES_VERSION,
): ReadonlySet<string> {
  return new Set(SERVED[kubernetesVersion]);
}

const servedCache = new Map<KubernetesVersion, readonly ResourceType[]>();

/** The rows of the built-in resource table the release serves by default. */
export function servedBuiltinResources(
  kubernetesVersion: KubernetesVersion = DEFAULT_KUBERNETES_VERSION,
): readonly ResourceType[] {
  let out = servedCache.get(kubernetesVersion);
  if (!out) {
    const groupVersions = servedGroupVersions(kubernetesVersion);
    const minor = Number(kubernetesVersion.split('.')[1]);
    out = BUILTIN_RESOURCES.filter((r) => {
      const gv = apiVersionOf(r.group, r.version);
      if (!groupVersions.has(gv)) return false;
      const since = KIND_SINCE[`${gv} ${r.kind}`];
      return since === undefined || minor >= since;
    });
    servedCache.set(kubernetesVersion, out);
  }
  return out;
}
