import type { KubeConfigCluster, KubeConfigContext, KubeConfigUser } from './client-node';

/** A kubeconfig's content, one file's or merged. */
export interface KubeConfigData {
  clusters: KubeConfigCluster[];
  users: KubeConfigUser[];
  contexts: KubeConfigContext[];
  currentContext?: string;
}
