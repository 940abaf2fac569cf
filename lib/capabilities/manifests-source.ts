import { ResourceResolver } from '../kube/resource-resolver';
import type { KubeObject } from '../manifests/types';
import { HostCallError } from './errors';
import type { GetQuery, KubernetesSource, ListQuery } from './kubernetes-source';
import { RbacAuthorizer } from './rbac';
import type { AccessReviewSpec, SubjectAccessReviewStatus } from './requests';
import { objectFilter } from './selectors';

/**
 * The objects given to `check` as the cluster the policies look at: the offline default. Namespaced objects
 * without a namespace are in the default namespace (as `kubectl apply` would put them); scope comes from the
 * built-in table and the CRDs of the input. `can_i` is answered by the RBAC objects of the input.
 */
export class ManifestsSource implements KubernetesSource {
  private readonly resolver = new ResourceResolver();
  private readonly rbac: RbacAuthorizer;

  constructor(
    private readonly objects: readonly KubeObject[],
    private readonly defaultNamespace = 'default',
  ) {
    this.resolver.addCrds(objects);
    this.rbac = new RbacAuthorizer(objects, defaultNamespace);
  }

  private namespaced(apiVersion: string, kind: string): boolean {
    return this.resolver.resolve(apiVersion, kind).namespaced;
  }

  private namespaceOf(o: KubeObject): string | undefined {
    if (!this.namespaced(o.apiVersion, o.kind)) return undefined;
    return o.metadata?.namespace ?? this.defaultNamespace;
  }

  private ofKind(apiVersion: string, kind: string): KubeObject[] {
    return this.objects.filter((o) => o.apiVersion === apiVersion && o.kind === kind);
  }

  async listByNamespace(q: ListQuery & { namespace: string }): Promise<KubeObject[]> {
    if (!this.namespaced(q.apiVersion, q.kind))
      throw new HostCallError(
        `cannot list ${q.apiVersion}/${q.kind} in namespace ${q.namespace}: it is a cluster-wide resource (use list_resources_all)`,
      );
    const keep = objectFilter(q.labelSelector, q.fieldSelector);
    return this.ofKind(q.apiVersion, q.kind).filter(
      (o) => this.namespaceOf(o) === q.namespace && keep(withNamespace(o, q.namespace)),
    );
  }

  async listAll(q: ListQuery): Promise<KubeObject[]> {
    const keep = objectFilter(q.labelSelector, q.fieldSelector);
    return this.ofKind(q.apiVersion, q.kind).filter((o) => keep(withNamespace(o, this.namespaceOf(o))));
  }

  async get(q: GetQuery): Promise<KubeObject | undefined> {
    const namespaced = this.namespaced(q.apiVersion, q.kind);
    if (namespaced && q.namespace === undefined)
      throw new HostCallError(`${q.apiVersion}/${q.kind} is namespaced: get_resource needs a namespace`);
    return this.ofKind(q.apiVersion, q.kind).find(
      (o) => o.metadata?.name === q.name && (!namespaced || this.namespaceOf(o) === q.namespace),
    );
  }

  async canI(review: AccessReviewSpec): Promise<SubjectAccessReviewStatus> {
    return this.rbac.review(review);
  }
}

/** Field selectors on metadata.namespace see the namespace the object lands in. */
function withNamespace(o: KubeObject, ns: string | undefined): KubeObject {
  if (ns === undefined || o.metadata?.namespace === ns) return o;
  return { ...o, metadata: { ...o.metadata, namespace: ns } };
}
