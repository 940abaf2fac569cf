/** Requests on resources: authorization from the forbidden rules, then the verb's handler. */
import type { IncomingMessage } from 'node:http';
import { acceptsPlainJson, notAcceptable, wantsMetadataList } from './accept';
import { answerReview, REVIEW_RESOURCES } from './access-reviews';
import type { UserInfo } from './authn';
import { isForbidden, type ForbiddenRule } from './authz';
import { validateCrd } from './crd-validation';
import {
  createObject,
  deleteObject,
  getObject,
  listObjects,
  PATCH_MEDIA_TYPES,
  patchObject,
  updateObject,
  type Target,
} from './handlers';
import type { ListSnapshots } from './list-snapshots';
import type { ObjectStore } from './object-store';
import { decodeBody, readBody } from './request-body';
import type { Route } from './route';
import type { ServedIndex } from './served-resources';
import { forbidden, methodNotAllowed, pathNotFound } from './status';

export type ResourceRoute = Extract<Route, { type: 'resource' }>;

export interface ResourceContext {
  store: ObjectStore;
  snapshots: ListSnapshots;
  served: () => ServedIndex;
  rules: readonly ForbiddenRule[];
  pageLimitMax?: number;
}

const VERB_OF: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

function verbOf(method: string, route: ResourceRoute, query: URLSearchParams): string {
  if (method === 'GET')
    return route.name !== undefined
      ? 'get'
      : query.get('watch') === 'true' || query.get('watch') === '1'
        ? 'watch'
        : 'list';
  if (method === 'DELETE' && route.name === undefined) return 'deletecollection';
  return VERB_OF[method] ?? method.toLowerCase();
}

/** Authorizes, routes and answers one request on /api/v1/... or /apis/<g>/<v>/...: the status code and the body. */
export async function resourceRequest(
  ctx: ResourceContext,
  req: IncomingMessage,
  route: ResourceRoute,
  query: URLSearchParams,
  who: UserInfo,
): Promise<[number, unknown]> {
  const { store, snapshots, served, rules } = ctx;
  const method = req.method ?? 'GET';
  const verb = verbOf(method, route, query);
  // Namespace objects are addressed as /api/v1/namespaces/<name>: RBAC sees the name as the namespace too.
  const attrNamespace =
    route.namespace ?? (route.group === '' && route.resource === 'namespaces' ? route.name : undefined);
  if (isForbidden(rules, who, { verb, group: route.group, resource: route.resource, namespace: attrNamespace })) {
    throw forbidden({
      user: who.user,
      verb,
      group: route.group,
      resource: route.resource,
      namespace: route.namespace,
      name: route.name,
    });
  }
  const r = served().find(route.group, route.version, route.resource);
  if (!r || route.subresource !== undefined) throw pathNotFound();
  if (!r.namespaced && route.namespace !== undefined) throw pathNotFound();
  if (verb === 'watch') throw methodNotAllowed('watch is not supported by the test API server');
  // Metadata-only answers are written for lists only; a client asking one for anything else gets 406.
  if (verb !== 'list' && wantsMetadataList(req.headers.accept) && !acceptsPlainJson(req.headers.accept))
    throw notAcceptable();
  if (!r.verbs.includes(verb)) throw methodNotAllowed();
  if (method === 'POST' && route.name === undefined && REVIEW_RESOURCES.has(r.resource)) {
    return [
      201,
      answerReview(r.resource, r.version, decodeBody(await readBody(req), r.resource), who, rules, route.namespace),
    ];
  }
  if (
    method === 'POST' &&
    route.name === undefined &&
    r.group === 'authentication.k8s.io' &&
    r.resource === 'selfsubjectreviews'
  ) {
    decodeBody(await readBody(req), r.resource);
    return [
      201,
      {
        kind: 'SelfSubjectReview',
        apiVersion: `authentication.k8s.io/${r.version}`,
        metadata: { creationTimestamp: null },
        status: { userInfo: { username: who.user, groups: who.groups } },
      },
    ];
  }
  const t: Target = { served: r, namespace: route.namespace, name: route.name };
  if (r.namespaced && route.name !== undefined && route.namespace === undefined) throw pathNotFound();
  if (route.name === undefined) {
    if (method === 'GET') {
      const q = new URLSearchParams(query);
      if (ctx.pageLimitMax !== undefined) {
        const asked = Number(q.get('limit') ?? '0');
        if (!(asked > 0 && asked <= ctx.pageLimitMax)) q.set('limit', String(ctx.pageLimitMax));
      }
      return [200, listObjects(store, snapshots, t, q, wantsMetadataList(req.headers.accept))];
    }
    if (method === 'POST') {
      if (r.namespaced && route.namespace === undefined) throw pathNotFound();
      return [201, createObject(store, t, decodeBody(await readBody(req), r.resource), validateCrd)];
    }
    throw methodNotAllowed();
  }
  switch (method) {
    case 'GET':
      return [200, getObject(store, t)];
    case 'PUT':
      return [200, updateObject(store, t, decodeBody(await readBody(req), r.resource), validateCrd)];
    case 'PATCH': {
      const body = await readBody(req);
      return [200, patchObject(store, t, body.mediaType, decodeBody(body, r.resource, PATCH_MEDIA_TYPES), validateCrd)];
    }
    case 'DELETE':
      return [200, deleteObject(store, t)];
    default:
      throw methodNotAllowed();
  }
}
