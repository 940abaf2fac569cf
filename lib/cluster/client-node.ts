/**
 * The one door to @kubernetes/client-node. Only lib/cluster imports it, and lib/cluster itself is reached through
 * a dynamic import(), so commands that never talk to a cluster do not load it.
 *
 * What is used: the kubeconfig entry model (clusters, users, contexts as kubectl names their fields) and two
 * authenticators, exec credential plugins and token files. They are imported from their own modules, not from the
 * package root nor through KubeConfig: KubeConfig's module pulls in every generated API model, node-fetch and the
 * proxy and OIDC stacks, about 1.5 MB of bundle that cost every start of the CLI some 50 ms of CPU even when never
 * loaded (measured; see docs/cluster-access.md). The package has no "exports" map and is pinned to 1.4.x.
 */
export { ExecAuth } from '@kubernetes/client-node/dist/exec_auth.js';
export { FileAuth } from '@kubernetes/client-node/dist/file_auth.js';
export { newClusters, newContexts, newUsers } from '@kubernetes/client-node/dist/config_types.js';
export type {
  Cluster as KubeConfigCluster,
  Context as KubeConfigContext,
  User as KubeConfigUser,
} from '@kubernetes/client-node/dist/config_types.js';
