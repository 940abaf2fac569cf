import type { ApiResource, Cluster as ClusterClient } from '../cluster/types';
import type { KubeObject } from '../manifests/types';
import { HostCallError } from './errors';
import type { GetQuery, KubernetesSource, ListQuery } from './kubernetes-source';
import type { AccessReviewSpec, SubjectAccessReviewStatus } from './requests';

export type { ApiResource };

/** The part of the cluster client (lib/cluster, a type import only: it stays lazily loaded) this adapter needs. */
export type Cluster = Pick<ClusterClient, 'resolve' | 'list' | 'get' | 'subjectAccessReview'>;

/** policy-evaluator caches get_resource and can_i answers this long unless the request says disable_cache. */
export const CLUSTER_CACHE_MS = 5000;

interface Cached<T> {
  at: number;
  value: Promise<T>;
}

/** The kubernetes capability backed by a live cluster. */
export class ClusterSource implements KubernetesSource {
  private readonly gets = new Map<string, Cached<KubeObject | undefined>>();
  private readonly reviews = new Map<string, Cached<SubjectAccessReviewStatus>>();

  constructor(
    private readonly cluster: Cluster,
    private readonly now: () => number = Date.now,
  ) {}

  private async resource(apiVersion: string, kind: string): Promise<ApiResource> {
    const res = await this.cluster.resolve(apiVersion, kind);
    if (!res)
      throw new HostCallError(
        `Cannot find the Kubernetes resource ${apiVersion}/${kind}: the cluster does not serve it`,
      );
    return res;
  }

  private async collect(
    res: ApiResource,
    opts: { namespace?: string; labelSelector?: string; fieldSelector?: string },
  ): Promise<KubeObject[]> {
    const out: KubeObject[] = [];
    for await (const o of this.cluster.list(res, opts)) out.push(o);
    return out;
  }

  async listByNamespace(q: ListQuery & { namespace: string }): Promise<KubeObject[]> {
    const res = await this.resource(q.apiVersion, q.kind);
    if (!res.namespaced)
      throw new HostCallError(
        `cannot list ${q.apiVersion}/${q.kind} in namespace ${q.namespace}: it is a cluster-wide resource (use list_resources_all)`,
      );
    return this.collect(res, { namespace: q.namespace, ...selectors(q) });
  }

  async listAll(q: ListQuery): Promise<KubeObject[]> {
    return this.collect(await this.resource(q.apiVersion, q.kind), selectors(q));
  }

  get(q: GetQuery): Promise<KubeObject | undefined> {
    const key = JSON.stringify([q.apiVersion, q.kind, q.name, q.namespace ?? null]);
    return this.cached(this.gets, key, q.disableCache, async () => {
      const res = await this.resource(q.apiVersion, q.kind);
      if (res.namespaced && q.namespace === undefined)
        throw new HostCallError(`${q.apiVersion}/${q.kind} is namespaced: get_resource needs a namespace`);
      return this.cluster.get(res, q.name, res.namespaced ? q.namespace : undefined);
    });
  }

  canI(review: AccessReviewSpec, disableCache: boolean): Promise<SubjectAccessReviewStatus> {
    return this.cached(this.reviews, JSON.stringify(review), disableCache, () =>
      this.cluster.subjectAccessReview(review),
    );
  }

  private cached<T>(map: Map<string, Cached<T>>, key: string, disable: boolean, load: () => Promise<T>): Promise<T> {
    const now = this.now();
    const hit = map.get(key);
    if (!disable && hit && now - hit.at < CLUSTER_CACHE_MS) return hit.value;
    const value = load();
    // Failures are not cached: the next call asks again.
    map.set(key, { at: now, value });
    value.catch(() => map.delete(key));
    return value;
  }
}

function selectors(q: ListQuery): { labelSelector?: string; fieldSelector?: string } {
  return {
    ...(q.labelSelector ? { labelSelector: q.labelSelector } : {}),
    ...(q.fieldSelector ? { fieldSelector: q.fieldSelector } : {}),
  };
}
