/**
 * API discovery: every resource the server serves, CRDs and aggregated APIs included. Aggregated discovery
 * (apidiscovery.k8s.io/v2, two requests) is asked for first; a server that answers with the legacy documents
 * (APIVersions, APIGroupList) is then asked for each group version's APIResourceList. A group version that fails
 * (an aggregated API whose backend is down, typically) is left out with a warning, as kubectl does.
 */
import { apiVersionOf } from '../kube/api-path';
import type { Logger } from '../base/log';
import { isClusterError } from './errors';
import type { Transport } from './transport';
import type { ApiResource } from './types';

export interface Discovery {
  resources: ApiResource[];
  /** Group ("" for core) → its preferred version. */
  preferred: Map<string, string>;
}

const AGGREGATED_ACCEPT = [
  'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList',
  'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList',
  'application/json',
].join(',');

/** Group versions fetched at once from a legacy server. */
const LEGACY_PARALLEL = 8;

// Wire shapes, only the fields read.
interface AggregatedList {
  kind: 'APIGroupDiscoveryList';
  items?: Array<{
    metadata?: { name?: string };
    versions?: Array<{
      version: string;
      freshness?: string;
      resources?: Array<{ resource: string; responseKind?: { kind?: string }; scope?: string; verbs?: string[] }>;
    }>;
  }>;
}
interface ApiVersions {
  kind: 'APIVersions';
  versions?: string[];
}
interface ApiGroupList {
  kind: 'APIGroupList';
  groups?: Array<{ name: string; versions?: Array<{ version: string }>; preferredVersion?: { version: string } }>;
}
interface ApiResourceList {
  resources?: Array<{ name: string; kind: string; namespaced: boolean; verbs?: string[] }>;
}
type RootDocument = AggregatedList | ApiVersions | ApiGroupList | { kind?: string };

export async function discover(t: Transport, log: Logger): Promise<Discovery> {
  const [core, groups] = await Promise.all([
    t.json<RootDocument>('GET', '/api', { accept: AGGREGATED_ACCEPT }),
    t.json<RootDocument>('GET', '/apis', { accept: AGGREGATED_ACCEPT }),
  ]);
  const out: Discovery = { resources: [], preferred: new Map() };
  const legacyVersions: Array<{ group: string; version: string }> = [];
  for (const [doc, isCore] of [
    [core, true],
    [groups, false],
  ] as const) {
    if (doc.kind === 'APIGroupDiscoveryList') addAggregated(out, doc as AggregatedList, isCore, log);
    else if (doc.kind === 'APIVersions' && isCore) {
      const versions = (doc as ApiVersions).versions ?? [];
      if (versions[0]) out.preferred.set('', versions[0]);
      for (const v of versions) legacyVersions.push({ group: '', version: v });
    } else if (doc.kind === 'APIGroupList' && !isCore) {
      for (const g of (doc as ApiGroupList).groups ?? []) {
        const versions = g.versions ?? [];
        const preferred = g.preferredVersion?.version ?? versions[0]?.version;
        if (preferred) out.preferred.set(g.name, preferred);
        for (const v of versions) legacyVersions.push({ group: g.name, version: v.version });
      }
    } else {
      log.warn(
        `discovery: ${t.where} answered ${isCore ? '/api' : '/apis'} with an unexpected document (kind ${doc.kind ?? 'missing'}); it is ignored`,
      );
    }
  }
  const lists = await mapLimited(legacyVersions, LEGACY_PARALLEL, (gv) =>
    fetchGroupVersion(t, gv.group, gv.version, log),
  );
  for (const list of lists) out.resources.push(...list);
  return out;
}

function addAggregated(out: Discovery, doc: AggregatedList, isCore: boolean, log: Logger): void {
  for (const item of doc.items ?? []) {
    const group = isCore ? '' : (item.metadata?.name ?? '');
    const versions = item.versions ?? [];
    // Versions are listed in preference order.
    if (versions[0] && !out.preferred.has(group)) out.preferred.set(group, versions[0].version);
    for (const v of versions) {
      if (v.freshness === 'Stale') {
        log.warn(
          `discovery: ${apiVersionOf(group, v.version)} is stale on the server (its API service is not answering); it is left out`,
        );
        continue;
      }
      for (const r of v.resources ?? []) {
        if (!r.resource || r.resource.includes('/') || !r.responseKind?.kind) continue;
        out.resources.push({
          group,
          version: v.version,
          resource: r.resource,
          kind: r.responseKind.kind,
          namespaced: r.scope === 'Namespaced',
          verbs: r.verbs ?? [],
        });
      }
    }
  }
}

async function fetchGroupVersion(t: Transport, group: string, version: string, log: Logger): Promise<ApiResource[]> {
  const path = group === '' ? `/api/${version}` : `/apis/${group}/${version}`;
  try {
    const list = await t.json<ApiResourceList>('GET', path);
    return (list.resources ?? [])
      .filter((r) => !r.name.includes('/'))
      .map((r) => ({
        group,
        version,
        resource: r.name,
        kind: r.kind,
        namespaced: Boolean(r.namespaced),
        verbs: r.verbs ?? [],
      }));
  } catch (err) {
    if (!isClusterError(err)) throw err;
    log.warn(
      `discovery: cannot get the resources of ${apiVersionOf(group, version)}: ${err.message}; they are left out`,
    );
    return [];
  }
}

async function mapLimited<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}
