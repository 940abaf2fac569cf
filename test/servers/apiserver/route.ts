/** Request paths, parsed the way kube-apiserver's request-info resolver splits them. */

export type Route =
  | { type: 'version' }
  | { type: 'root'; root: 'api' | 'apis' }
  | { type: 'groupVersion'; group: string; version: string }
  | { type: 'group'; group: string }
  | {
      type: 'resource';
      group: string;
      version: string;
      resource: string;
      namespace?: string;
      name?: string;
      subresource?: string;
    }
  | { type: 'openapiRoot' }
  | { type: 'openapiGroupVersion'; group: string; version: string }
  | { type: 'unknown' };

function resourceRoute(group: string, version: string, rest: string[]): Route {
  if (rest.length === 0) return { type: 'groupVersion', group, version };
  const base = { type: 'resource' as const, group, version };
  // namespaces/<ns>/<resource>[/<name>[/<subresource>]]; `namespaces/<ns>` alone is the Namespace object.
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    const [, namespace, resource, name, subresource, ...extra] = rest;
    if (extra.length) return { type: 'unknown' };
    return {
      ...base,
      namespace,
      resource,
      ...(name !== undefined ? { name } : {}),
      ...(subresource !== undefined ? { subresource } : {}),
    };
  }
  const [resource, name, subresource, ...extra] = rest;
  if (extra.length) return { type: 'unknown' };
  return {
    ...base,
    resource,
    ...(name !== undefined ? { name } : {}),
    ...(subresource !== undefined ? { subresource } : {}),
  };
}

export function parseRoute(pathname: string): Route {
  const parts = pathname
    .split('/')
    .filter((p) => p !== '')
    .map(decodeURIComponent);
  if (parts.length === 1 && parts[0] === 'version') return { type: 'version' };
  if (parts[0] === 'openapi' && parts[1] === 'v3') {
    if (parts.length === 2) return { type: 'openapiRoot' };
    if (parts.length === 4 && parts[2] === 'api') return { type: 'openapiGroupVersion', group: '', version: parts[3] };
    if (parts.length === 5 && parts[2] === 'apis')
      return { type: 'openapiGroupVersion', group: parts[3], version: parts[4] };
    return { type: 'unknown' };
  }
  if (parts[0] === 'api') {
    if (parts.length === 1) return { type: 'root', root: 'api' };
    return resourceRoute('', parts[1], parts.slice(2));
  }
  if (parts[0] === 'apis') {
    if (parts.length === 1) return { type: 'root', root: 'apis' };
    if (parts.length === 2) return { type: 'group', group: parts[1] };
    return resourceRoute(parts[1], parts[2], parts.slice(3));
  }
  return { type: 'unknown' };
}
