/**
 * The one door to @kubernetes/client-node. Only lib/cluster imports it, and lib/cluster itself is reached through
 * a dynamic import(), so commands that never talk to a cluster do not load it.
 *
 * Only the kubeconfig model and its authenticators (bearer tokens, token files, client certificates, exec
 * credential plugins) are used; requests go through lib/cluster/transport.ts. KubeConfig comes from its own
 * module rather than the package root: the root re-exports every generated API client and model, which adds
 * about 300 kB to the bundle for nothing (the package has no "exports" map, and the version is pinned to 1.4.x).
 */
export { KubeConfig } from '@kubernetes/client-node/dist/config.js';
export type { Cluster as KubeConfigCluster, Context as KubeConfigContext, User as KubeConfigUser } from '@kubernetes/client-node/dist/config_types.js';
