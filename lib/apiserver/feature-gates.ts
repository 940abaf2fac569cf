/**
 * Default feature-gate states per supported Kubernetes version, for the gates the stage's steps consult
 * (names and stages as in kubernetes pkg/features/kube_features.go of each release; the 1.35 column follows
 * the admission-path reference, the older columns the gates' documented promotion history).
 */
import type { KubernetesVersion } from './context';

const GATES: Readonly<Record<string, Readonly<Record<KubernetesVersion, boolean>>>> = {
  ImageVolume: { '1.33': false, '1.34': false, '1.35': true },
  PodLevelResources: { '1.33': false, '1.34': true, '1.35': true },
  MaxUnavailableStatefulSet: { '1.33': false, '1.34': false, '1.35': true },
  JobPodReplacementPolicy: { '1.33': true, '1.34': true, '1.35': true },
  EnvFiles: { '1.33': false, '1.34': false, '1.35': true },
  SELinuxMountReadWriteOncePod: { '1.33': true, '1.34': true, '1.35': true },
  MutatingAdmissionPolicy: { '1.33': false, '1.34': false, '1.35': false },
  MatchLabelKeysInPodAffinity: { '1.33': true, '1.34': true, '1.35': true },
  MatchLabelKeysInPodTopologySpread: { '1.33': true, '1.34': true, '1.35': true },
  MatchLabelKeysInPodTopologySpreadSelectorMerge: { '1.33': false, '1.34': true, '1.35': true },
  ContainerStopSignals: { '1.33': false, '1.34': false, '1.35': false },
  ClusterTrustBundleProjection: { '1.33': false, '1.34': false, '1.35': false },
  PodCertificateRequest: { '1.33': false, '1.34': false, '1.35': false },
  GenericWorkload: { '1.33': false, '1.34': false, '1.35': false },
  CrossNamespaceVolumeDataSource: { '1.33': false, '1.34': false, '1.35': false },
  HPAConfigurableTolerance: { '1.33': false, '1.34': false, '1.35': true },
};

/** The default gate states of `version`. */
export function defaultFeatureGates(version: KubernetesVersion): Record<string, boolean> {
  const out: Record<string, boolean> = {};
  for (const [name, byVersion] of Object.entries(GATES)) out[name] = byVersion[version];
  return out;
}
