/**
 * Discovery documents: the legacy ones (APIVersions, APIGroupList, APIResourceList) and aggregated discovery
 * (apidiscovery.k8s.io/v2 APIGroupDiscoveryList), which kubectl ≥1.30 asks for first through the Accept header.
 */
import type { ServedIndex, ServedResource } from './served-resources';

export const AGGREGATED_MEDIA_TYPE = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList';

/** True when the Accept header asks for the v2 aggregated document (by any of its parameter orders). */
export function wantsAggregated(accept: string | undefined): boolean {
  if (!accept) return false;
  return accept.split(',').some((mediaType) => {
    const [type, ...params] = mediaType.split(';').map((s) => s.trim());
    if (type !== 'application/json') return false;
    const p = new Map(params.map((kv) => kv.split('=').map((s) => s.trim()) as [string, string]));
    return p.get('g') === 'apidiscovery.k8s.io' && p.get('v') === 'v2' && p.get('as') === 'APIGroupDiscoveryList';
  });
}

export function apiVersions(serverAddress: string): object {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress }],
  };
}

export function apiGroupList(index: ServedIndex): object {
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: index.groups().map((g) => {
      const versions = g.versions.map((version) => ({ groupVersion: `${g.name}/${version}`, version }));
      return { name: g.name, versions, preferredVersion: versions[0] };
    }),
  };
}

export function apiResourceList(index: ServedIndex, group: string, version: string): object {
  return {
    kind: 'APIResourceList',
    apiVersion: 'v1',
    groupVersion: group === '' ? version : `${group}/${version}`,
    resources: index.resourcesOf(group, version).map((r) => ({
      name: r.resource,
      singularName: r.singular,
      namespaced: r.namespaced,
      kind: r.kind,
      verbs: r.verbs,
      ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
      ...(r.categories.length ? { categories: r.categories } : {}),
    })),
  };
}

function aggregatedResource(r: ServedResource): object {
  return {
    resource: r.resource,
    responseKind: { group: r.group, version: r.version, kind: r.kind },
    scope: r.namespaced ? 'Namespaced' : 'Cluster',
    singularResource: r.singular,
    verbs: r.verbs,
    ...(r.shortNames.length ? { shortNames: r.shortNames } : {}),
    ...(r.categories.length ? { categories: r.categories } : {}),
  };
}

function aggregatedGroup(index: ServedIndex, name: string, versions: readonly string[]): object {
  return {
    metadata: name === '' ? {} : { name },
    versions: versions.map((version) => ({
      version,
      resources: index.resourcesOf(name, version).map(aggregatedResource),
      freshness: 'Current',
    })),
  };
}

/** `/api` (core only) or `/apis` (every other group), aggregated. */
export function aggregatedDiscovery(index: ServedIndex, root: 'api' | 'apis'): object {
  const items =
    root === 'api'
      ? [aggregatedGroup(index, '', ['v1'])]
      : index.groups().map((g) => aggregatedGroup(index, g.name, g.versions));
  return { kind: 'APIGroupDiscoveryList', apiVersion: 'apidiscovery.k8s.io/v2', metadata: {}, items };
}
