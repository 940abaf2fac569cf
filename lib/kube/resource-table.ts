/**
 * Table of the built-in Kubernetes API resources: every kind a kube-apiserver
 * (with kube-aggregator and apiextensions-apiserver) serves as a top-level REST
 * resource, in every group-version it is or was served in.
 *
 * The table is the union of:
 *  - what current releases serve, including beta and alpha group-versions that are
 *    off by default but can be enabled with --runtime-config (up to 1.37), and
 *  - older group-versions that have been removed from the server but are still
 *    found in manifests (extensions/v1beta1, apps/v1beta1, apps/v1beta2, ...).
 *
 * Not included: kinds that only appear as subresource bodies (policy Eviction for
 * pods/eviction, autoscaling Scale, authentication TokenRequest, the *Options
 * kinds), kinds that are never served (admission.k8s.io AdmissionReview,
 * imagepolicy.k8s.io ImageReview) and groups removed before 1.16 or never
 * released (settings.k8s.io PodPreset, auditregistration.k8s.io AuditSink).
 *
 * Sources checked: api/discovery/*.json, test/integration/etcd/data.go (which
 * records the release each group-version-resource was introduced and removed in)
 * and apimachinery's restmapper.go in kubernetes/kubernetes.
 */

import { apiVersionOf } from './api-path';
import type { ResourceType } from './resource-type';

/**
 * Kubernetes' own fallback pluralisation, identical to k8s.io/apimachinery
 * meta.UnsafeGuessKindToResource: lower-case the kind; names ending in
 * "endpoints" stay as they are; "s", "z", "ch", "sh", "x" take "es"; a "y" after
 * a consonant becomes "ies" (after a, e, i, o, u it just takes "s"); anything
 * else takes "s".
 */
export function guessPlural(kind: string): string {
  if (kind.length === 0) return '';
  const singular = goToLower(kind);
  if (singular.endsWith('endpoints')) return singular;
  if (
    singular.endsWith('s') ||
    singular.endsWith('z') ||
    singular.endsWith('ch') ||
    singular.endsWith('sh') ||
    singular.endsWith('x')
  ) {
    return singular + 'es';
  }
  if (
    singular.endsWith('ay') ||
    singular.endsWith('ey') ||
    singular.endsWith('iy') ||
    singular.endsWith('oy') ||
    singular.endsWith('uy')
  ) {
    return singular + 's';
  }
  if (singular.endsWith('y')) return singular.slice(0, -1) + 'ies';
  return singular + 's';
}

/**
 * Go's strings.ToLower maps each code point with Unicode's simple lower-case
 * mapping. JavaScript's toLowerCase uses the full mapping, which differs only for
 * U+0130 (which becomes "i" plus a combining dot) and for a final capital sigma
 * (which becomes "ς" in context). Lower-casing one code point at a time, with
 * U+0130 mapped to "i", gives Go's result.
 */
function goToLower(s: string): string {
  // Fast path: ASCII only, which covers every real kind.
  if (/^[\x00-\x7f]*$/.test(s)) return s.toLowerCase();
  let out = '';
  for (const ch of s) out += ch === '\u0130' ? 'i' : ch.toLowerCase();
  return out;
}

// ---------------------------------------------------------------------------
// The table. One row per (group, kind): [kind, scope, versions, resource?].
// `resource` is given only when it differs from guessPlural(kind).
// Versions are listed newest first. Release notes in comments: "1.36+" means
// first served in 1.36; "-1.21" means last served in 1.21.
// ---------------------------------------------------------------------------

const N = true; // namespaced
const C = false; // cluster-scoped

type Row = readonly [kind: string, namespaced: boolean, versions: string, resource?: string];

const TABLE: Readonly<Record<string, readonly Row[]>> = {
  // core ("" group, apiVersion "v1")
  '': [
    ['Binding', N, 'v1'], // create-only
    ['ComponentStatus', C, 'v1'], // get/list only
    ['ConfigMap', N, 'v1'],
    ['Endpoints', N, 'v1'], // resource "endpoints"
    ['Event', N, 'v1'],
    ['LimitRange', N, 'v1'],
    ['Namespace', C, 'v1'],
    ['Node', C, 'v1'],
    ['PersistentVolume', C, 'v1'],
    ['PersistentVolumeClaim', N, 'v1'],
    ['Pod', N, 'v1'],
    ['PodTemplate', N, 'v1'],
    ['ReplicationController', N, 'v1'],
    ['ResourceQuota', N, 'v1'],
    ['Secret', N, 'v1'],
    ['Service', N, 'v1'],
    ['ServiceAccount', N, 'v1'],
  ],

  'admissionregistration.k8s.io': [
    ['MutatingWebhookConfiguration', C, 'v1 v1beta1'], // v1beta1 -1.21
    ['ValidatingWebhookConfiguration', C, 'v1 v1beta1'], // v1beta1 -1.21
    ['ValidatingAdmissionPolicy', C, 'v1 v1beta1 v1alpha1'], // v1 1.30+, v1beta1 1.28-1.33, v1alpha1 1.26+
    ['ValidatingAdmissionPolicyBinding', C, 'v1 v1beta1 v1alpha1'],
    ['MutatingAdmissionPolicy', C, 'v1 v1beta1 v1alpha1'], // v1 1.36+, v1beta1 1.34+, v1alpha1 1.32-1.37
    ['MutatingAdmissionPolicyBinding', C, 'v1 v1beta1 v1alpha1'],
  ],

  'apiextensions.k8s.io': [
    ['CustomResourceDefinition', C, 'v1 v1beta1'], // v1beta1 -1.21
  ],

  'apiregistration.k8s.io': [
    ['APIService', C, 'v1 v1beta1'], // v1beta1 -1.21
  ],

  apps: [
    // apps/v1beta1 and apps/v1beta2 were removed in 1.16
    ['ControllerRevision', N, 'v1 v1beta2 v1beta1'],
    ['DaemonSet', N, 'v1 v1beta2'],
    ['Deployment', N, 'v1 v1beta2 v1beta1'],
    ['ReplicaSet', N, 'v1 v1beta2'],
    ['StatefulSet', N, 'v1 v1beta2 v1beta1'],
  ],

  // extensions/v1beta1: workloads removed in 1.16, Ingress in 1.22, PodSecurityPolicy in 1.16
  extensions: [
    ['DaemonSet', N, 'v1beta1'],
    ['Deployment', N, 'v1beta1'],
    ['Ingress', N, 'v1beta1'],
    ['NetworkPolicy', N, 'v1beta1'],
    ['PodSecurityPolicy', C, 'v1beta1'],
    ['ReplicaSet', N, 'v1beta1'],
  ],

  'authentication.k8s.io': [
    ['TokenReview', C, 'v1 v1beta1'], // create-only
    ['SelfSubjectReview', C, 'v1 v1beta1 v1alpha1'], // v1 1.28+, v1beta1 1.27+, v1alpha1 1.26+
  ],

  'authorization.k8s.io': [
    // all create-only; v1beta1 -1.21
    ['LocalSubjectAccessReview', N, 'v1 v1beta1'],
    ['SelfSubjectAccessReview', C, 'v1 v1beta1'],
    ['SelfSubjectRulesReview', C, 'v1 v1beta1'],
    ['SubjectAccessReview', C, 'v1 v1beta1'],
  ],

  autoscaling: [
    ['HorizontalPodAutoscaler', N, 'v2 v1 v2beta2 v2beta1'], // v2beta1 -1.24, v2beta2 -1.25
  ],

  batch: [
    ['CronJob', N, 'v1 v1beta1 v2alpha1'], // v1 1.21+, v1beta1 -1.24, v2alpha1 -1.20
    ['Job', N, 'v1'],
  ],

  'certificates.k8s.io': [
    ['CertificateSigningRequest', C, 'v1 v1beta1'], // v1beta1 -1.21
    ['ClusterTrustBundle', C, 'v1beta1 v1alpha1'], // v1beta1 1.33+, v1alpha1 1.26-1.36
    ['PodCertificateRequest', N, 'v1beta1 v1alpha1'], // v1beta1 1.35+, v1alpha1 1.34 only
  ],

  'coordination.k8s.io': [
    ['Lease', N, 'v1 v1beta1'], // v1beta1 -1.21
    ['LeaseCandidate', N, 'v1beta1 v1alpha2 v1alpha1'], // v1beta1 1.33+, v1alpha2 1.32-1.37, v1alpha1 1.31
  ],

  'discovery.k8s.io': [
    ['EndpointSlice', N, 'v1 v1beta1 v1alpha1'], // v1beta1 -1.24, v1alpha1 from 1.16 (early, short-lived)
  ],

  'events.k8s.io': [
    ['Event', N, 'v1 v1beta1'], // v1beta1 -1.24
  ],

  'flowcontrol.apiserver.k8s.io': [
    // v1 1.29+, v1beta3 1.26-1.31, v1beta2 1.23-1.28, v1beta1 1.20-1.25, v1alpha1 1.18-1.20
    ['FlowSchema', C, 'v1 v1beta3 v1beta2 v1beta1 v1alpha1'],
    ['PriorityLevelConfiguration', C, 'v1 v1beta3 v1beta2 v1beta1 v1alpha1'],
  ],

  'internal.apiserver.k8s.io': [['StorageVersion', C, 'v1alpha1']],

  'lifecycle.k8s.io': [
    // alpha, 1.37+
    ['Eviction', N, 'v1alpha1'],
    ['EvictionRequest', N, 'v1alpha1'],
  ],

  'networking.k8s.io': [
    ['Ingress', N, 'v1 v1beta1'], // v1beta1 -1.21
    ['IngressClass', C, 'v1 v1beta1'], // v1beta1 1.18-1.21
    ['NetworkPolicy', N, 'v1'],
    ['IPAddress', C, 'v1 v1beta1 v1alpha1'], // v1 1.33+, v1beta1 1.31-1.36, v1alpha1 1.27-1.30
    ['ServiceCIDR', C, 'v1 v1beta1 v1alpha1'], // v1 1.33+, v1beta1 1.31-1.36, v1alpha1 1.29-1.30
    ['ClusterCIDR', C, 'v1alpha1'], // 1.25-1.28
  ],

  'node.k8s.io': [
    ['RuntimeClass', C, 'v1 v1beta1 v1alpha1'], // v1 1.20+, v1beta1 -1.25, v1alpha1 from 1.12 (early)
  ],

  policy: [
    ['PodDisruptionBudget', N, 'v1 v1beta1'], // v1beta1 -1.24
    ['PodSecurityPolicy', C, 'v1beta1'], // -1.24
  ],

  'rbac.authorization.k8s.io': [
    // v1beta1 and v1alpha1 -1.21
    ['ClusterRole', C, 'v1 v1beta1 v1alpha1'],
    ['ClusterRoleBinding', C, 'v1 v1beta1 v1alpha1'],
    ['Role', N, 'v1 v1beta1 v1alpha1'],
    ['RoleBinding', N, 'v1 v1beta1 v1alpha1'],
  ],

  'resource.k8s.io': [
    // Structured-parameters DRA: v1 1.34+, v1beta2 1.33+, v1beta1 1.32-1.37, v1alpha3 from 1.31.
    ['DeviceClass', C, 'v1 v1beta2 v1beta1 v1alpha3'],
    ['ResourceClaim', N, 'v1 v1beta2 v1beta1 v1alpha3 v1alpha2'],
    ['ResourceClaimTemplate', N, 'v1 v1beta2 v1beta1 v1alpha3 v1alpha2'],
    ['ResourceSlice', C, 'v1 v1beta2 v1beta1 v1alpha3 v1alpha2'],
    ['DeviceTaintRule', C, 'v1beta2 v1alpha3'], // v1beta2 1.36+, v1alpha3 1.33+
    ['ResourcePoolStatusRequest', C, 'v1alpha3'], // 1.36+
    // Classic DRA: v1alpha2 1.27-1.30, PodSchedulingContext also in v1alpha3 in 1.31.
    ['PodSchedulingContext', N, 'v1alpha3 v1alpha2'],
    ['ResourceClass', C, 'v1alpha2'],
    ['ResourceClaimParameters', N, 'v1alpha2', 'resourceclaimparameters'], // 1.30
    ['ResourceClassParameters', N, 'v1alpha2', 'resourceclassparameters'], // 1.30
  ],

  'scheduling.k8s.io': [
    ['PriorityClass', C, 'v1 v1beta1 v1alpha1'], // v1beta1, v1alpha1 -1.21
    // Workload-aware scheduling: v1beta1 1.37+, v1alpha3 1.37+, v1alpha2 1.36, v1alpha1 1.35
    ['Workload', N, 'v1beta1 v1alpha3 v1alpha2 v1alpha1'],
    ['PodGroup', N, 'v1beta1 v1alpha3 v1alpha2'],
    ['CompositePodGroup', N, 'v1alpha3'],
  ],

  'storage.k8s.io': [
    ['CSIDriver', C, 'v1 v1beta1'], // v1beta1 -1.21
    ['CSINode', C, 'v1 v1beta1'], // v1beta1 -1.21
    ['CSIStorageCapacity', N, 'v1 v1beta1 v1alpha1'], // v1beta1 -1.26, v1alpha1 -1.23
    ['StorageClass', C, 'v1 v1beta1'], // v1beta1 -1.21
    ['VolumeAttachment', C, 'v1 v1beta1 v1alpha1'], // v1beta1 -1.21
    ['VolumeAttributesClass', C, 'v1 v1beta1 v1alpha1'], // v1 1.34+, v1beta1 1.31-1.36, v1alpha1 1.29+
  ],

  'storagemigration.k8s.io': [
    ['StorageVersionMigration', C, 'v1 v1beta1 v1alpha1'], // v1 1.37+, v1beta1 1.35+, v1alpha1 from 1.30
  ],
};

// ---------------------------------------------------------------------------
// Expansion and index (built once, at module load).
// ---------------------------------------------------------------------------

function keyOf(apiVersion: string, kind: string): string {
  return `${apiVersion}\n${kind}`;
}

function build(): { list: readonly ResourceType[]; index: ReadonlyMap<string, ResourceType> } {
  const list: ResourceType[] = [];
  const index = new Map<string, ResourceType>();
  for (const [group, rows] of Object.entries(TABLE)) {
    for (const [kind, namespaced, versions, resource] of rows) {
      const plural = resource ?? guessPlural(kind);
      for (const version of versions.split(' ')) {
        const info: ResourceType = Object.freeze({ group, version, kind, resource: plural, namespaced });
        const key = keyOf(apiVersionOf(group, version), kind);
        if (index.has(key)) throw new Error(`builtin-resources: duplicate entry ${key.replace('\n', ' ')}`);
        index.set(key, info);
        list.push(info);
      }
    }
  }
  return { list: Object.freeze(list), index };
}

const BUILT = build();

/** Every built-in entry (for discovery by a test API server and for rule expansion). */
export const BUILTIN_RESOURCES: readonly ResourceType[] = BUILT.list;

/** apiVersion as written in manifests ("v1", "apps/v1"), kind → info, or undefined if not built-in. */
export function lookupBuiltin(apiVersion: string, kind: string): ResourceType | undefined {
  return BUILT.index.get(keyOf(apiVersion, kind));
}
