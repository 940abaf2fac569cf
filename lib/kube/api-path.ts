import type { ResourceNames } from './resource-type';

/** "apps/v1" → {group: "apps", version: "v1"}; "v1" → the core group. */
export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

/** "apps", "v1" → "apps/v1"; the core group → "v1". */
export function apiVersionOf(group: string, version: string): string {
  return group === '' ? version : `${group}/${version}`;
}

/** The URL path of a resource's collection (in a namespace, or across all), or of one object in it. */
export function resourcePath(res: ResourceNames, namespace: string | undefined, name?: string): string {
  const root = res.group === '' ? `/api/${res.version}` : `/apis/${res.group}/${res.version}`;
  // A namespace means nothing to a cluster-scoped resource (kubectl ignores -n for them too).
  const ns = res.namespaced && namespace ? `/namespaces/${encodeURIComponent(namespace)}` : '';
  return `${root}${ns}/${res.resource}${name !== undefined ? `/${encodeURIComponent(name)}` : ''}`;
}
