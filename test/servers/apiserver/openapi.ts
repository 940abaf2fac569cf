/**
 * A minimal OpenAPI v3 (/openapi/v3, /openapi/v3/<api|apis/g>/<v>): one path per resource carrying the operations,
 * their `x-kubernetes-group-version-kind` and the `fieldValidation` query parameter. That is what kubectl
 * create/apply read to decide the server validates fields itself (it then sends ?fieldValidation=Strict instead of
 * downloading schemas); schemas are not served, so client-side schema validation is not possible against this server.
 */
import { createHash } from 'node:crypto';
import type { ServedIndex, ServedResource } from './served-resources';

const gvPath = (group: string, version: string): string =>
  group === '' ? `api/${version}` : `apis/${group}/${version}`;

const QUERY_PARAMS = ['dryRun', 'fieldManager', 'fieldValidation'].map((name) => ({
  name,
  in: 'query',
  schema: { type: 'string' },
}));

function operation(r: ServedResource, action: string): object {
  return {
    operationId: `${action}${r.kind}`,
    parameters: QUERY_PARAMS,
    responses: { '200': { description: 'OK' } },
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': { group: r.group, version: r.version, kind: r.kind },
  };
}

function resourcePaths(r: ServedResource): Record<string, object> {
  const collection = `/${gvPath(r.group, r.version)}/${r.namespaced ? 'namespaces/{namespace}/' : ''}${r.resource}`;
  const canWrite = r.verbs.includes('update');
  return {
    [collection]: { post: operation(r, 'post'), ...(r.verbs.includes('list') ? { get: operation(r, 'list') } : {}) },
    ...(canWrite
      ? {
          [`${collection}/{name}`]: {
            get: operation(r, 'get'),
            put: operation(r, 'put'),
            patch: operation(r, 'patch'),
            delete: operation(r, 'delete'),
          },
        }
      : {}),
  };
}

export function openApiGroupVersion(index: ServedIndex, group: string, version: string): object | undefined {
  const resources = index.resourcesOf(group, version);
  if (resources.length === 0) return undefined;
  return {
    openapi: '3.0.0',
    info: { title: 'Kubernetes', version: 'v1.33.0' },
    paths: Object.assign({}, ...resources.map(resourcePaths)),
    components: { schemas: {} },
  };
}

export function openApiRoot(index: ServedIndex): object {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  const gvs = [['', 'v1'], ...index.groups().flatMap((g) => g.versions.map((v) => [g.name, v]))];
  for (const [group, version] of gvs) {
    const doc = JSON.stringify(openApiGroupVersion(index, group, version));
    const hash = createHash('sha512').update(doc).digest('hex').slice(0, 32).toUpperCase();
    paths[gvPath(group, version)] = { serverRelativeURL: `/openapi/v3/${gvPath(group, version)}?hash=${hash}` };
  }
  return { paths };
}
