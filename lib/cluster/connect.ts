/**
 * connectCluster: the kubeconfig resolved as kubectl resolves it, and a Cluster that talks to its server.
 * Nothing is sent until the first call, so a command that ends up not needing the cluster costs no round trip.
 */
import { ClusterError, httpError } from './errors';
import { discover, type Discovery } from './discovery';
import { resolveKubeConfig } from './kubeconfig';
import { listMany } from './list-many';
import { listObjects, resourcePath, withTypeMeta } from './list';
import { expandRule, findResource } from './resources';
import { createTransport } from './transport';
import type {
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

const DEFAULT_TIMEOUT_MS = 30_000;
/** PUTs retried when someone else changed the object between our read and our write. */
const APPLY_ATTEMPTS = 3;

export async function connectCluster(opts: ClusterOptions): Promise<Cluster> {
  const cfg = resolveKubeConfig({
    kubeconfig: opts.kubeconfig,
    context: opts.context,
    namespace: opts.namespace,
    env: opts.env ?? process.env,
    serviceAccountDir: opts.serviceAccountDir,
  });
  const log = opts.log;
  const t = createTransport(cfg, opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS);
  log.debug(`cluster: ${t.where}, namespace ${cfg.namespace}, from ${cfg.source}`);
  let discovery: Promise<Discovery> | undefined;

  const discovered = (): Promise<Discovery> => {
    // A failed discovery is not kept: the next call tries again.
    discovery ??= discover(t, log).catch((err: unknown) => {
      discovery = undefined;
      throw err;
    });
    return discovery;
  };

  const list = (res: ApiResource, o: ListOptions = {}): AsyncIterable<KubeObject> => listObjects(t, res, o, log);

  async function get(res: ApiResource, name: string, namespace?: string): Promise<KubeObject | undefined> {
    const path = resourcePath(res, namespace ?? (res.namespaced ? cfg.namespace : undefined), name);
    const r = await t.request('GET', path);
    if (r.status === 404) return undefined;
    if (r.status < 200 || r.status > 299) throw httpError(r.status, r.body, t.where);
    return withTypeMeta(parseObject(r.body, path), res);
  }

  function parseObject(body: string, path: string): KubeObject {
    try {
      return JSON.parse(body) as KubeObject;
    } catch {
      throw new ClusterError(`the answer from ${t.where} to GET ${path} is not JSON`, 'invalid-response');
    }
  }

  async function apply(obj: KubeObject): Promise<KubeObject> {
    const res = findResource(await discovered(), obj.apiVersion, obj.kind);
    if (!res) throw new ClusterError(`${t.where} does not serve ${obj.kind} in ${obj.apiVersion}`, 'not-found');
    const namespace = res.namespaced ? obj.metadata?.namespace || cfg.namespace : undefined;
    const body: KubeObject = namespace ? { ...obj, metadata: { ...obj.metadata, namespace } } : obj;
    const name = obj.metadata?.name;
    const collection = resourcePath(res, namespace);
    if (!name) return t.json<KubeObject>('POST', collection, { body });
    for (let attempt = 1; ; attempt++) {
      const current = await get(res, name, namespace);
      if (!current) {
        try {
          return await t.json<KubeObject>('POST', collection, { body });
        } catch (err) {
          // Created by someone else since our read: update it instead.
          if (err instanceof ClusterError && err.kind === 'conflict' && attempt < APPLY_ATTEMPTS) continue;
          throw err;
        }
      }
      const resourceVersion = current.metadata?.resourceVersion;
      try {
        return await t.json<KubeObject>('PUT', resourcePath(res, namespace, name), { body: { ...body, metadata: { ...body.metadata, resourceVersion } } });
      } catch (err) {
        if (err instanceof ClusterError && err.kind === 'conflict' && attempt < APPLY_ATTEMPTS) continue;
        throw err;
      }
    }
  }

  async function subjectAccessReview(spec: SubjectAccessReviewSpec): Promise<SubjectAccessReviewStatus> {
    const review = await t.json<{ status?: SubjectAccessReviewStatus }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
    });
    if (!review.status || typeof review.status.allowed !== 'boolean') {
      throw new ClusterError(`the SubjectAccessReview answer from ${t.where} has no status.allowed`, 'invalid-response');
    }
    return review.status;
  }

  return {
    server: cfg.server,
    context: cfg.context,
    namespace: cfg.namespace,
    discover: async () => (await discovered()).resources,
    resolve: async (apiVersion, kind) => findResource(await discovered(), apiVersion, kind),
    resourcesFor: async (rule: ResourceRule) => expandRule(await discovered(), rule),
    list,
    get,
    subjectAccessReview,
    apply,
    listMany: (targets: ListTarget[], o: ListManyOptions): AsyncIterable<ListManyItem> =>
      listMany((target) => listObjects(t, target.res, { ...o.list, namespace: target.namespace }, log), targets, {
        parallel: o.parallel,
        perResource: o.perResource,
        perNamespace: o.perNamespace,
      }),
    close: () => t.close(),
  };
}
