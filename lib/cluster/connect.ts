/**
 * connectCluster: the kubeconfig resolved as kubectl resolves it, and a Cluster that talks to its server.
 * Nothing is sent until the first call, so a command that ends up not needing the cluster costs no round trip.
 */
import { subjectAccessReview } from './access-review';
import { ClusterError } from './errors';
import { discover, type Discovery } from './discovery';
import { resolveKubeConfig } from './kubeconfig';
import { listMany } from './list-many';
import { listObjects } from './list';
import { applyObject, getObject } from './objects';
import { expandRule, findResource } from './resources';
import { createTransport } from './transport';
import type {
  ApiResource,
  Cluster,
  ClusterOptions,
  KnownState,
  KubeObject,
  ListManyItem,
  ListManyOptions,
  ListOptions,
  ListTarget,
  ResourceRule,
  SubjectAccessReviewSpec,
} from './types';

const DEFAULT_TIMEOUT_MS = 30_000;

export async function connectCluster(opts: ClusterOptions): Promise<Cluster> {
  const env = opts.env ?? process.env;
  const cfg = resolveKubeConfig({
    kubeconfig: opts.kubeconfig,
    context: opts.context,
    namespace: opts.namespace,
    env,
    serviceAccountDir: opts.serviceAccountDir,
  });
  const log = opts.log;
  const t = createTransport(cfg, opts.requestTimeoutMs ?? DEFAULT_TIMEOUT_MS, env);
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

  const resolve = async (apiVersion: string, kind: string) => findResource(await discovered(), apiVersion, kind);

  async function apply(obj: KubeObject, known?: KnownState): Promise<KubeObject> {
    const res = await resolve(obj.apiVersion, obj.kind);
    if (!res) throw new ClusterError(`${t.where} does not serve ${obj.kind} in ${obj.apiVersion}`, 'not-found');
    return applyObject(t, res, obj, cfg.namespace, known);
  }

  return {
    server: cfg.server,
    context: cfg.context,
    namespace: cfg.namespace,
    discover: async () => (await discovered()).resources,
    serverVersion: () => t.json<{ major: string; minor: string; gitVersion?: string }>('GET', '/version'),
    resolve,
    resourcesFor: async (rule: ResourceRule) => expandRule(await discovered(), rule),
    list: (res: ApiResource, o: ListOptions = {}): AsyncIterable<KubeObject> => listObjects(t, res, o, log),
    get: (res: ApiResource, name: string, namespace?: string) =>
      getObject(t, res, name, namespace ?? (res.namespaced ? cfg.namespace : undefined)),
    subjectAccessReview: (spec: SubjectAccessReviewSpec) => subjectAccessReview(t, spec),
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
