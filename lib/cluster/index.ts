/**
 * Kubernetes API access. Load it with `await import('../cluster/index')` (never a static import outside
 * lib/cluster): it brings in @kubernetes/client-node, which commands without a cluster must not pay for.
 */
export { connectCluster } from './connect';
export { ClusterError, isClusterError, type ClusterErrorKind } from './errors';
export { describe as describeListTarget, DEFAULT_PAGE_SIZE } from './list';
export type {
  ApiResource,
  Cluster,
  ClusterOptions,
  KubeObject,
  ListManyItem,
  ListManyOptions,
  ListOptions,
  ListTarget,
  ResourceRule,
  SubjectAccessReviewSpec,
  SubjectAccessReviewStatus,
} from './types';
