/**
 * Default states of the feature gates the defaulting, PrepareForCreate and plugin rules consult, per
 * supported Kubernetes minor version.
 *
 * Source: kubernetes/kubernetes `pkg/features/kube_features.go`, map `defaultVersionedKubernetesFeatureGates`
 * (read on the main branch after v1.35.0, whose versioned specs record each gate's stage and default from the
 * release it entered: the state for version V is the last spec whose version is <= V), and, for
 * MutatingAdmissionPolicy, `staging/src/k8s.io/apiserver/pkg/features/kube_features.go`. A gate a version
 * does not know is listed as `absent` there: its field does not exist in that version's schema, so strict
 * decoding already removes it.
 */
import type { KubernetesVersion, ObjectContext } from '../context';

export type GateStage = 'Alpha' | 'Beta' | 'GA' | 'Deprecated' | 'absent';
export interface GateState {
  stage: GateStage;
  enabled: boolean;
}

const off = (stage: GateStage): GateState => ({ stage, enabled: false });
const on = (stage: GateStage): GateState => ({ stage, enabled: true });
const ABSENT: GateState = { stage: 'absent', enabled: false };

/** gate → version → default state. */
export const FEATURE_GATES: Readonly<Record<string, Readonly<Record<KubernetesVersion, GateState>>>> = {
  // Alpha 1.32, Beta off 1.33, Beta on 1.35 (image volume pullPolicy default; volume dropped when off).
  ImageVolume: { '1.33': off('Beta'), '1.34': off('Beta'), '1.35': on('Beta') },
  // Alpha 1.32, Beta on 1.34 (pod-level resources: defaults, QoS, spec.resources dropped when off).
  PodLevelResources: { '1.33': off('Alpha'), '1.34': on('Beta'), '1.35': on('Beta') },
  // Alpha 1.24, Beta on 1.35 (StatefulSet rollingUpdate.maxUnavailable default / dropped when off).
  MaxUnavailableStatefulSet: { '1.33': off('Alpha'), '1.34': off('Alpha'), '1.35': on('Beta') },
  // Alpha 1.34, Beta on 1.35 (env valueFrom.fileKeyRef; the field does not exist in 1.33).
  EnvFiles: { '1.33': ABSENT, '1.34': off('Alpha'), '1.35': on('Beta') },
  // Beta on 1.29, GA locked 1.34 (Job spec.podReplacementPolicy default).
  JobPodReplacementPolicy: { '1.33': on('Beta'), '1.34': on('GA'), '1.35': on('GA') },
  // Beta on 1.28 (CSIDriver spec.seLinuxMount default).
  SELinuxMountReadWriteOncePod: { '1.33': on('Beta'), '1.34': on('Beta'), '1.35': on('Beta') },
  // Alpha 1.33 (container lifecycle.stopSignal dropped).
  ContainerStopSignals: { '1.33': off('Alpha'), '1.34': off('Alpha'), '1.35': off('Alpha') },
  // Beta off 1.33 (projected clusterTrustBundle sources dropped).
  ClusterTrustBundleProjection: { '1.33': off('Beta'), '1.34': off('Beta'), '1.35': off('Beta') },
  // Alpha 1.34, Beta off 1.35 (projected podCertificate sources dropped).
  PodCertificateRequest: { '1.33': ABSENT, '1.34': off('Alpha'), '1.35': off('Beta') },
  // Alpha 1.35 (pod spec.workloadRef dropped).
  GenericWorkload: { '1.33': ABSENT, '1.34': ABSENT, '1.35': off('Alpha') },
  // Alpha 1.26 (PVC dataSourceRef.namespace dropped).
  CrossNamespaceVolumeDataSource: { '1.33': off('Alpha'), '1.34': off('Alpha'), '1.35': off('Alpha') },
  // GA locked 1.33 (PVC dataSource/dataSourceRef mirroring).
  AnyVolumeDataSource: { '1.33': on('GA'), '1.34': on('GA'), '1.35': on('GA') },
  // Alpha 1.33, Beta on 1.35 (HPA behavior.*.tolerance dropped when off).
  HPAConfigurableTolerance: { '1.33': off('Alpha'), '1.34': off('Alpha'), '1.35': on('Beta') },
  // Beta 1.31, GA locked 1.33 (matchLabelKeys merged into pod (anti)affinity selectors).
  MatchLabelKeysInPodAffinity: { '1.33': on('GA'), '1.34': on('GA'), '1.35': on('GA') },
  // Beta on 1.27 (topologySpreadConstraints matchLabelKeys allowed).
  MatchLabelKeysInPodTopologySpread: { '1.33': on('Beta'), '1.34': on('Beta'), '1.35': on('Beta') },
  // Beta on 1.34 (the API server, not the scheduler, merges matchLabelKeys into the spread selector).
  MatchLabelKeysInPodTopologySpreadSelectorMerge: { '1.33': ABSENT, '1.34': on('Beta'), '1.35': on('Beta') },
  // Beta off 1.32, GA 1.34 (pod spec.resourceClaims and container resources.claims dropped when off).
  DynamicResourceAllocation: { '1.33': off('Beta'), '1.34': on('GA'), '1.35': on('GA') },
  // Alpha 1.34, Beta on 1.35 (pod spec.hostnameOverride dropped when off).
  HostnameOverride: { '1.33': ABSENT, '1.34': off('Alpha'), '1.35': on('Beta') },
  // Alpha 1.34, Beta on 1.35 (container restartPolicyRules / regular-container restartPolicy dropped when off).
  ContainerRestartRules: { '1.33': ABSENT, '1.34': off('Alpha'), '1.35': on('Beta') },
  // Alpha 1.33, Beta off 1.34, Beta on 1.35 (CSIDriver nodeAllocatableUpdatePeriodSeconds dropped when off).
  MutableCSINodeAllocatableCount: { '1.33': off('Alpha'), '1.34': off('Beta'), '1.35': on('Beta') },
  // Beta on 1.35 (CSIDriver serviceAccountTokenInSecrets; absent before).
  CSIServiceAccountTokenSecrets: { '1.33': ABSENT, '1.34': ABSENT, '1.35': on('Beta') },
  // Beta off 1.31, GA on 1.34 (PVC/PV spec.volumeAttributesClassName dropped when off).
  VolumeAttributesClass: { '1.33': off('Beta'), '1.34': on('GA'), '1.35': on('GA') },
  // Alpha 1.32, Beta off 1.34 (staging apiserver features; MutatingAdmissionPolicy plugin inert).
  MutatingAdmissionPolicy: { '1.33': off('Alpha'), '1.34': off('Beta'), '1.35': off('Beta') },
};

/** Whether `gate` is on for this object: an explicit setting in the context wins over the version default. */
export function gateEnabled(ctx: Pick<ObjectContext, 'featureGates' | 'kubernetesVersion'>, gate: string): boolean {
  const explicit = ctx.featureGates[gate];
  if (explicit !== undefined) return explicit;
  const known = FEATURE_GATES[gate];
  if (known === undefined) throw new Error(`feature gate ${gate} is not in lib/apiserver/defaults/feature-gates.ts`);
  return known[ctx.kubernetesVersion].enabled;
}
