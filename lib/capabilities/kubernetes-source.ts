import type { KubeObject } from '../manifests/types';
import type { AccessReviewSpec, SubjectAccessReviewStatus } from './requests';

export interface ListQuery {
  apiVersion: string;
  kind: string;
  /** Kubernetes string form, e.g. `app=web,tier notin (db)`. */
  labelSelector?: string;
  /** e.g. `metadata.name=x,status.phase!=Running`. */
  fieldSelector?: string;
}

export interface GetQuery {
  apiVersion: string;
  kind: string;
  name: string;
  namespace?: string;
  /** Skip the source's short-lived cache, if it has one. */
  disableCache: boolean;
}

/**
 * Where the kubernetes capability reads from: the manifests of the run, a cluster, or a recorded session.
 * Methods reject with HostCallError for what the policy gets as a host error (unknown kind, cluster-scoped
 * kind listed by namespace, ...). `get` resolves `undefined` when the object does not exist.
 */
export interface KubernetesSource {
  listByNamespace(q: ListQuery & { namespace: string }): Promise<KubeObject[]>;
  listAll(q: ListQuery): Promise<KubeObject[]>;
  get(q: GetQuery): Promise<KubeObject | undefined>;
  canI(review: AccessReviewSpec, disableCache: boolean): Promise<SubjectAccessReviewStatus>;
}
