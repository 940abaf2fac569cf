import type { ClusterError } from '../cluster/errors';
import type { ApiResource, Cluster, ListTarget } from '../cluster/types';
import { ClusterSource } from '../capabilities/cluster-source';
import { RunCapabilities, type HostCapabilityOptions } from '../capabilities/run';
import type { Logger, LogLevel } from '../base/log';
import type { KubeObject } from '../manifests/types';
import { apiVersionOf, resourcePath } from '../kube/api-path';
import { METADATA_NAME_LABEL } from '../admission/match';
import { startEngine } from '../evaluation/engine';
import { IN_FLIGHT_PER_WORKER } from '../evaluation/in-flight';
import type { PolicyEntry } from '../policy/spec';
import { unitSummary } from '../evaluation/units';
import { policyResources, withMetadata } from '../report/enrich';
import type { AuditReport } from '../report/audit';
import { summarize, type Result } from '../evaluation/result';
import type { FetchOptions } from '../store/fetch';
import type { EvaluationLimits } from '../wasm/limits';
import { RequestTooLargeError } from '../admission/request';
import { nestingDepth } from '../base/json-depth';
import { DEFAULT_LIMITS } from '../manifests/limits';
import { evaluateLive, type LiveObject } from './evaluate';
import { selectAudited, type AuditedUnit } from './select';
import { inShard, type Shard } from './shard';
import { skippedCounter } from './skipped';

export interface AuditOptions {
  cluster: Cluster;
  policies: PolicyEntry[];
  /** `-n`: one namespace (and no cluster-scoped resources); absent with `-A`. */
  namespace?: string;
  /** `--ignore-namespaces`: never scanned (audit-scanner's -i). */
  ignoreNamespaces?: string[];
  /**
   * Where Kubewarden runs: never scanned with -A, as audit-scanner adds its `--kubewarden-namespace` to the skipped
   * namespaces (`internal/audit-scanner/k8s/client.go` NewClient, GetAuditedNamespaces). `-n` scans it anyway, as
   * audit-scanner's ScanNamespace does.
   */
  kubewardenNamespace?: string;
  /** policy-server's always-accept namespace (`--always-accept-kubewarden-namespace`). */
  alwaysAcceptNamespace?: string;
  /** Sharding for large clusters: this run scans only its share of the namespaces. */
  shard?: Shard;
  includeWildcard: boolean;
  pageSize?: number;
  /** `--max-pages`: pages read for one list at most (lib/cluster/list.ts DEFAULT_MAX_PAGES). */
  maxPages?: number;
  parallelNamespaces: number;
  parallelResources: number;
  evaluationLimits?: EvaluationLimits;
  workers: number;
  log: Logger;
  logLevel?: LogLevel;
  fetch?: FetchOptions;
  /** Record or replay the host capability exchanges (the kubernetes source is the audited cluster). */
  hostCapabilities?: Omit<HostCapabilityOptions, 'kubernetesSource'>;
  /** Objects evaluated so far, of the objects listed so far. */
  onProgress?: (evaluated: number, listed: number) => void;
}

/** `audit`: what the cluster holds today, evaluated as audit-scanner does, without a policy-server. */
export async function runAudit(opts: AuditOptions): Promise<AuditReport> {
  // Context-aware policies read the cluster being audited (record/replay may wrap or replace it).
  const caps = new RunCapabilities(
    { kubernetesSource: () => new ClusterSource(opts.cluster), ...opts.hostCapabilities },
    opts.fetch,
    opts.log,
  );
  caps.start([], opts.cluster.namespace);
  const engine = startEngine(opts.policies, caps, opts);
  const { loading, workers } = engine;
  // Namespaces (their labels serve namespaceSelector) and discovery load while the policies compile.
  const namespacesP = scannedNamespaces(opts).catch(async (err) => {
    await loading.then(
      ({ pool }) => pool.close(),
      () => undefined,
    );
    throw err;
  });
  const [{ policies, pool }, namespaces] = await Promise.all([loading, namespacesP]);
  try {
    const units = engine.bind(policies);
    const selection = selectAudited(units, { includeWildcard: opts.includeWildcard });
    for (const n of selection.notAudited) opts.log.info(`policy ${n.id} is not audited: ${n.reason}`);
    const resources = await auditedResources(opts.cluster, selection.audited);
    const targets = listTargets(resources, namespaces, opts);
    const labels = new Map(namespaces.map((n) => [n.name, n.labels]));
    const namespaceLabels = (name: string): Record<string, string> =>
      labels.get(name) ?? { [METADATA_NAME_LABEL]: name };
    // Per target, per object in list order: results keep a stable order whatever order evaluations finish in.
    const perTarget: Result[][][] = targets.map(() => []);
    const targetIndex = new Map(targets.map((t, i) => [t, i]));
    const originals = new WeakMap<Result, KubeObject>();
    const inFlight = new Set<Promise<void>>();
    let evaluated = 0;
    let objects = 0;
    opts.onProgress?.(0, 0);
    for await (const item of opts.cluster.listMany(targets, {
      parallel: opts.parallelNamespaces * opts.parallelResources,
      perResource: opts.parallelNamespaces,
      perNamespace: opts.parallelResources,
      list: {
        ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
        ...(opts.maxPages ? { maxPages: opts.maxPages } : {}),
      },
    })) {
      const slots = perTarget[targetIndex.get(item.target)!];
      if ('error' in item) {
        slots.push([listError(item.target, item.error)]);
        continue;
      }
      if (item.target.res.namespaced && !labels.has(String(item.object.metadata?.namespace ?? ''))) continue;
      const position = slots.length;
      slots.push([]);
      objects++;
      const object = item.object;
      // What reports need of the object (its uid and resourceVersion), not the whole of it, stays after evaluation.
      const identity = identityOf(object);
      // Results of a live object name it by its API path.
      const source = {
        file: resourcePath(item.target.res, object.metadata?.namespace, object.metadata?.name ?? ''),
        line: 0,
        docIndex: 0,
      };
      const job = evaluateOne(
        selection.audited,
        pool,
        { object, res: item.target.res, source },
        namespaceLabels,
        opts.alwaysAcceptNamespace,
      ).then((results) => {
        for (const r of results) originals.set(r, identity);
        slots[position] = results;
        opts.onProgress?.(++evaluated, objects);
      });
      const tracked = job.finally(() => inFlight.delete(tracked));
      inFlight.add(tracked);
      if (inFlight.size >= workers * IN_FLIGHT_PER_WORKER) await Promise.race(inFlight);
    }
    await Promise.all(inFlight);
    const results = perTarget.flat(2);
    const summaries = units.map((u) => withMetadata(unitSummary(u), u));
    const skippedPolicies = await skippedCounter(opts.cluster, selection.skipped, namespaceLabels);
    const audited = new Set(selection.audited.map((a) => a.unit.id));
    return {
      results,
      original: (r) => originals.get(r),
      policyResource: policyResources(units),
      skippedPolicies,
      policies: summaries.filter((p) => audited.has(p.id)),
      summary: summarize(results, objects, audited.size),
      notAudited: selection.notAudited,
      scanned: { resources: resources.length, namespaces: namespaces.length, lists: targets.length },
    };
  } finally {
    await pool.close();
    await caps.finish();
  }
}

interface ScannedNamespace {
  name: string;
  labels: Record<string, string>;
}

/** The namespaces this run scans, with their labels: `-n NS`, or every namespace (less ignored ones, in this shard). */
async function scannedNamespaces(opts: AuditOptions): Promise<ScannedNamespace[]> {
  const c = opts.cluster;
  const nsRes = await c.resolve('v1', 'Namespace');
  if (!nsRes) throw new Error(`${c.server} serves no v1 Namespace resource`);
  const toScanned = (o: KubeObject): ScannedNamespace => {
    const name = String(o.metadata?.name ?? '');
    return { name, labels: { ...(o.metadata?.labels ?? {}), [METADATA_NAME_LABEL]: name } };
  };
  if (opts.namespace !== undefined) {
    // Reading the namespace may be forbidden to a namespaced auditor: then only the automatic label is known.
    const ns = await c.get(nsRes, opts.namespace).catch(() => undefined);
    return [ns ? toScanned(ns) : { name: opts.namespace, labels: { [METADATA_NAME_LABEL]: opts.namespace } }];
  }
  const ignored = new Set(opts.ignoreNamespaces ?? []);
  if (opts.kubewardenNamespace !== undefined) ignored.add(opts.kubewardenNamespace);
  const out: ScannedNamespace[] = [];
  for await (const o of c.list(nsRes, {
    ...(opts.pageSize ? { pageSize: opts.pageSize } : {}),
    ...(opts.maxPages ? { maxPages: opts.maxPages } : {}),
  })) {
    const n = toScanned(o);
    if (!ignored.has(n.name) && (!opts.shard || inShard(n.name, opts.shard))) out.push(n);
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** Every listable resource the audited rules name (wildcards expanded by discovery), in a stable order. */
async function auditedResources(cluster: Cluster, audited: readonly AuditedUnit[]): Promise<ApiResource[]> {
  const byKey = new Map<string, ApiResource>();
  for (const a of audited) {
    for (const rule of a.rules) {
      for (const res of await cluster.resourcesFor(rule)) {
        if (rule.scope === 'Cluster' && res.namespaced) continue;
        if (rule.scope === 'Namespaced' && !res.namespaced) continue;
        byKey.set(`${res.group}/${res.version}/${res.resource}`, res);
      }
    }
  }
  return [...byKey.values()].sort((a, b) => `${a.group}/${a.resource}`.localeCompare(`${b.group}/${b.resource}`));
}

/**
 * The lists to make: with -A, one per resource across all namespaces; with -n or a shard, one per namespace and
 * namespaced resource (as audit-scanner scans); plus one per cluster-scoped resource with -A (the first shard).
 */
function listTargets(
  resources: readonly ApiResource[],
  namespaces: readonly ScannedNamespace[],
  opts: AuditOptions,
): ListTarget[] {
  const targets: ListTarget[] = [];
  if (opts.namespace === undefined && !opts.shard) {
    // Every namespace: one list per resource across all of them (objects of ignored namespaces are dropped as they
    // come) costs a handful of requests where namespace by namespace costs resources × namespaces.
    for (const res of resources) if (res.namespaced) targets.push({ res });
  } else {
    for (const ns of namespaces)
      for (const res of resources) if (res.namespaced) targets.push({ res, namespace: ns.name });
  }
  // Cluster-scoped objects belong to no namespace: with -n they are out of scope, and with shards the first shard takes them.
  const clusterWide = opts.namespace === undefined && (!opts.shard || opts.shard.index === 0);
  if (clusterWide) for (const res of resources) if (!res.namespaced) targets.push({ res });
  return targets;
}

function identityOf(o: KubeObject): KubeObject {
  const { name, namespace, uid, resourceVersion } = o.metadata ?? {};
  return { apiVersion: o.apiVersion, kind: o.kind, metadata: { name, namespace, uid, resourceVersion } };
}

/**
 * One object that cannot be evaluated (nested deeper than the manifests' limit, a request too large to build) is
 * one error result; the audit goes on with the others.
 */
async function evaluateOne(
  audited: readonly AuditedUnit[],
  pool: Parameters<typeof evaluateLive>[1],
  live: LiveObject,
  namespaceLabels: (name: string) => Record<string, string>,
  alwaysAcceptNamespace: string | undefined,
): Promise<Result[]> {
  const unusable = (message: string): Result[] => [
    {
      source: live.source,
      object: {
        apiVersion: live.object.apiVersion,
        kind: live.object.kind,
        ...(typeof live.object.metadata?.name === 'string' ? { name: live.object.metadata.name } : {}),
        ...(live.res.namespaced && typeof live.object.metadata?.namespace === 'string'
          ? { namespace: live.object.metadata.namespace }
          : {}),
      },
      verdict: 'error',
      message,
    },
  ];
  if (nestingDepth(live.object, DEFAULT_LIMITS.maxDepth) > DEFAULT_LIMITS.maxDepth)
    return unusable(`the object nests deeper than ${DEFAULT_LIMITS.maxDepth} levels`);
  try {
    return await evaluateLive(audited, pool, live, namespaceLabels, alwaysAcceptNamespace);
  } catch (err) {
    if (err instanceof RequestTooLargeError) return unusable(err.message);
    throw err;
  }
}

/** A list that failed (403 on one resource, typically) is an error entry; the audit goes on. */
function listError(t: ListTarget, err: ClusterError): Result {
  const file = resourcePath(t.res, t.namespace);
  return {
    source: { file, line: 0, docIndex: 0 },
    object: {
      apiVersion: apiVersionOf(t.res.group, t.res.version),
      kind: t.res.kind,
      ...(t.namespace !== undefined ? { namespace: t.namespace } : {}),
    },
    verdict: 'error',
    message: `cannot list ${t.res.resource}${t.namespace !== undefined ? ` in namespace ${t.namespace}` : t.res.namespaced ? ' in all namespaces' : ''}: ${err.message}`,
  };
}
