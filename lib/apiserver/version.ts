/** Which schema and defaulting version a run uses: `--kubernetes-version`, or the cluster's, clamped. */
import { KUBERNETES_VERSIONS, NEWEST_KUBERNETES_VERSION, type KubernetesVersion } from './context';

export interface ChosenVersion {
  version: KubernetesVersion;
  /** Why the cluster's version was not used as is (for a warning). */
  note?: string;
}

/** The supported version nearest the server's `/version` (`minor` may carry a `+`, as managed clusters write it). */
export function versionForServer(major: string, minor: string): ChosenVersion {
  const m = /^(\d+)/.exec(minor);
  if (major !== '1' || !m)
    return {
      version: NEWEST_KUBERNETES_VERSION,
      note: `the server reports version ${major}.${minor}, which is not understood: using ${NEWEST_KUBERNETES_VERSION}`,
    };
  const wanted = `1.${Number(m[1])}`;
  if ((KUBERNETES_VERSIONS as readonly string[]).includes(wanted)) return { version: wanted as KubernetesVersion };
  const oldest = KUBERNETES_VERSIONS[0];
  const nearest = Number(m[1]) < Number(oldest.slice(2)) ? oldest : NEWEST_KUBERNETES_VERSION;
  return {
    version: nearest,
    note: `the server runs Kubernetes ${wanted}; the nearest supported version is ${nearest}, used instead`,
  };
}
