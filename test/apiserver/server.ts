/** The HTTPS server: authentication, authorization, routing to discovery and resource handlers, request log. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { KubeObject } from '../../lib/manifests';
import { lookupBuiltin } from '../../lib/admission/builtin-resources';
import { makePki, type TestPki } from '../registry/pki';
import { acceptsPlainJson, notAcceptable } from './accept';
import { answerReview, REVIEW_RESOURCES } from './access-reviews';
import { authenticate, impersonated, type TokenTable, type UserInfo } from './authn';
import { isForbidden, type ForbiddenRule } from './authz';
import { issueClientCert, type ClientCert } from './client-cert';
import { AGGREGATED_MEDIA_TYPE, aggregatedDiscovery, apiGroupList, apiResourceList, apiVersions, wantsAggregated } from './discovery';
import { createObject, deleteObject, getObject, listObjects, PATCH_MEDIA_TYPES, patchObject, updateObject, type Target } from './handlers';
import { writeKubeconfig, type KubeconfigOptions } from './kubeconfig';
import { listSnapshots } from './list-snapshots';
import { decodeBody, readBody } from './request-body';
import { groupOf, ObjectStore } from './object-store';
import { openApiGroupVersion, openApiRoot } from './openapi';
import { parseRoute, type Route } from './route';
import { crdResources, SERVER_VERSION, ServedIndex } from './served-resources';
import { applyServerDefaults, isCrd } from './server-defaults';
import { ApiError, badRequest, forbidden, invalid, methodNotAllowed, pathNotFound, unauthorized } from './status';

export interface ApiServerOptions {
  /** Objects stored at start (CRDs among them are served). Missing namespaces are created. */
  objects?: KubeObject[];
  /** CRD objects stored at start, before `objects` (e.g. `kubewardenCrds()`, `reportCrds()`). */
  crds?: KubeObject[];
  /** Bearer tokens → users; the server's own `token` (user "test-admin", group system:masters) is always valid. */
  tokens?: TokenTable;
  forbidden?: ForbiddenRule[];
  /** Cap on `limit`: a larger (or no) limit still gets pages of at most this many items. */
  pageLimitMax?: number;
  /** The Nth continue request (1-based) and every later one answer 410 Expired, to test list restarts. */
  expireContinueAfter?: number;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The authenticated user, undefined when authentication failed. */
  user?: string;
  status: number;
}

export interface TestApiServer {
  /** `https://127.0.0.1:PORT` */
  url: string;
  caFile: string;
  caPem: string;
  /** A valid bearer token (user "test-admin", groups system:masters and system:authenticated). */
  token: string;
  /** Writes a kubeconfig for this server into `dir` and returns its path. */
  kubeconfig(dir: string, opts?: KubeconfigOptions): string;
  /** A client certificate the server accepts: CN = user, O = groups. */
  clientCert(user: string, groups?: string[]): ClientCert;
  /** The live store: tests may read it and `put`/`delete` objects (discovery follows CRD changes). */
  objects: ObjectStore;
  requests: RecordedRequest[];
  /** Makes every outstanding continue token answer 410 Expired, as etcd compaction does. */
  expireContinueTokens(): void;
  close(): Promise<void>;
}

const ADMIN = { user: 'test-admin', groups: ['system:masters'] };
/** The namespaces every real cluster has. */
const SYSTEM_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

function send(res: ServerResponse, code: number, body: unknown, contentType = 'application/json'): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': contentType, 'Content-Length': Buffer.byteLength(text), 'Cache-Control': 'no-cache, private' });
  res.end(text);
}

const VERB_OF: Record<string, string> = { POST: 'create', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };

function verbOf(method: string, route: Extract<Route, { type: 'resource' }>, query: URLSearchParams): string {
  if (method === 'GET') return route.name !== undefined ? 'get' : query.get('watch') === 'true' || query.get('watch') === '1' ? 'watch' : 'list';
  return VERB_OF[method] ?? method.toLowerCase();
}

/** A CRD must be named `<plural>.<group>` and carry names, like apiextensions validation demands. */
function validateCrd(obj: KubeObject): void {
  if (!isCrd(groupOf(obj.apiVersion), obj.kind)) return;
  const name = obj.metadata?.name ?? '';
  const spec = obj.spec as { group?: string; names?: { plural?: string; kind?: string }; versions?: unknown[] } | undefined;
  const plural = spec?.names?.plural;
  if (!spec?.group || !plural || !spec.names?.kind || !Array.isArray(spec.versions) || spec.versions.length === 0) {
    throw invalid('CustomResourceDefinition', 'apiextensions.k8s.io', name, 'spec', 'Required value: group, names.plural, names.kind and versions are required');
  }
  if (name !== `${plural}.${spec.group}`) {
    throw invalid('CustomResourceDefinition', 'apiextensions.k8s.io', name, 'metadata.name', `Invalid value: "${name}": must be spec.names.plural+"."+spec.group`);
  }
  if (crdResources(obj).length === 0) throw invalid('CustomResourceDefinition', 'apiextensions.k8s.io', name, 'spec.versions', 'Invalid value: must serve at least one version');
}

/** Whether an object's kind is namespaced: from the served types, then the built-in table; unknown kinds keep their namespace. */
function namespacedKind(index: ServedIndex, obj: KubeObject): boolean | undefined {
  const served = index.byKind(groupOf(obj.apiVersion), obj.kind);
  if (served) return served.namespaced;
  return lookupBuiltin(obj.apiVersion, obj.kind)?.namespaced;
}

export async function startApiServer(opts: ApiServerOptions = {}): Promise<TestApiServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-apiserver-'));
  const pki: TestPki = makePki(dir);
  const caPem = readFileSync(pki.caPem, 'utf8');
  const token = randomBytes(24).toString('base64url');
  const tokens: TokenTable = { ...(opts.tokens ?? {}), [token]: ADMIN };
  const rules = opts.forbidden ?? [];
  const store = new ObjectStore();
  const snapshots = listSnapshots(opts.expireContinueAfter);
  const requests: RecordedRequest[] = [];

  let index: ServedIndex | undefined;
  const served = (): ServedIndex => (index ??= new ServedIndex(store.list('apiextensions.k8s.io', 'CustomResourceDefinition')));
  store.onChange = (group, kind) => {
    if (isCrd(group, kind)) index = undefined;
  };

  const seed = (obj: KubeObject): void => {
    // A shallow copy is enough: put() stores a deep copy, and only top-level fields and metadata are changed here.
    const copy: KubeObject = { ...obj, metadata: { ...(obj.metadata ?? {}) } };
    const meta = (copy.metadata ??= {});
    const namespaced = namespacedKind(served(), copy);
    if (namespaced === true && !meta.namespace) meta.namespace = 'default';
    if (namespaced === false) delete meta.namespace;
    if (meta.namespace && !store.get('', 'Namespace', '', meta.namespace)) {
      store.put(applyServerDefaults({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: meta.namespace } }));
    }
    store.put(applyServerDefaults(copy));
  };
  for (const ns of SYSTEM_NAMESPACES) seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (const crd of opts.crds ?? []) seed(crd);
  const crdsFirst = [...(opts.objects ?? [])].sort((a, b) => Number(isCrd(groupOf(b.apiVersion), b.kind)) - Number(isCrd(groupOf(a.apiVersion), a.kind)));
  for (const obj of crdsFirst) seed(obj);

  let serverAddress = '';

  const resourceRequest = async (req: IncomingMessage, route: Extract<Route, { type: 'resource' }>, query: URLSearchParams, who: UserInfo): Promise<[number, unknown]> => {
    const method = req.method ?? 'GET';
    const verb = verbOf(method, route, query);
    // Namespace objects are addressed as /api/v1/namespaces/<name>: RBAC sees the name as the namespace too.
    const attrNamespace = route.namespace ?? (route.group === '' && route.resource === 'namespaces' ? route.name : undefined);
    if (isForbidden(rules, who, { verb, group: route.group, resource: route.resource, namespace: attrNamespace })) {
      throw forbidden({ user: who.user, verb, group: route.group, resource: route.resource, namespace: route.namespace, name: route.name });
    }
    const r = served().find(route.group, route.version, route.resource);
    if (!r || route.subresource !== undefined) throw pathNotFound();
    if (!r.namespaced && route.namespace !== undefined) throw pathNotFound();
    if (method === 'POST' && route.name === undefined && REVIEW_RESOURCES.has(r.resource)) {
      return [201, answerReview(r.resource, r.version, decodeBody(await readBody(req), r.resource), who, rules, route.namespace)];
    }
    if (method === 'POST' && route.name === undefined && r.group === 'authentication.k8s.io' && r.resource === 'selfsubjectreviews') {
      decodeBody(await readBody(req), r.resource);
      return [201, { kind: 'SelfSubjectReview', apiVersion: `authentication.k8s.io/${r.version}`, metadata: { creationTimestamp: null }, status: { userInfo: { username: who.user, groups: who.groups } } }];
    }
    const t: Target = { served: r, namespace: route.namespace, name: route.name };
    if (r.namespaced && route.name !== undefined && route.namespace === undefined) throw pathNotFound();
    if (route.name === undefined) {
      if (method === 'GET') {
        if (verb === 'watch') throw methodNotAllowed();
        const q = new URLSearchParams(query);
        if (opts.pageLimitMax !== undefined) {
          const asked = Number(q.get('limit') ?? '0');
          if (!(asked > 0 && asked <= opts.pageLimitMax)) q.set('limit', String(opts.pageLimitMax));
        }
        return [200, listObjects(store, snapshots, t, q)];
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
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const record: RecordedRequest = { method: req.method ?? 'GET', path: url.pathname, query: Object.fromEntries(url.searchParams), status: 0 };
    requests.push(record);
    const reply = (code: number, body: unknown, contentType?: string) => {
      record.status = code;
      send(res, code, body, contentType);
    };
    try {
      const caller = authenticate(req, tokens);
      if (!caller) throw unauthorized();
      const as = impersonated(req);
      if (as && isForbidden(rules, caller, { verb: 'impersonate', group: '', resource: 'users' })) {
        throw forbidden({ user: caller.user, verb: 'impersonate', group: '', resource: 'users', name: as.user });
      }
      const who = as ?? caller;
      record.user = who.user;
      const route = parseRoute(url.pathname);
      const aggregated = route.type === 'root' && wantsAggregated(req.headers.accept);
      if (!aggregated && !acceptsPlainJson(req.headers.accept)) throw notAcceptable();
      switch (route.type) {
        case 'version':
          return reply(200, { ...SERVER_VERSION, gitCommit: '0000000000000000000000000000000000000000', gitTreeState: 'clean', buildDate: '2025-04-23T00:00:00Z', goVersion: process.version, compiler: 'gc', platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}` });
        case 'root':
          if (aggregated) return reply(200, aggregatedDiscovery(served(), route.root), AGGREGATED_MEDIA_TYPE);
          return reply(200, route.root === 'api' ? apiVersions(serverAddress) : apiGroupList(served()));
        case 'group': {
          const g = served().groups().find((x) => x.name === route.group);
          if (!g) throw pathNotFound();
          const versions = g.versions.map((version) => ({ groupVersion: `${g.name}/${version}`, version }));
          return reply(200, { kind: 'APIGroup', apiVersion: 'v1', name: g.name, versions, preferredVersion: versions[0] });
        }
        case 'openapiRoot':
          return reply(200, openApiRoot(served()));
        case 'openapiGroupVersion': {
          const doc = openApiGroupVersion(served(), route.group, route.version);
          if (!doc) throw pathNotFound();
          return reply(200, doc);
        }
        case 'groupVersion':
          if (!served().hasGroupVersion(route.group, route.version)) throw pathNotFound();
          return reply(200, apiResourceList(served(), route.group, route.version));
        case 'resource': {
          const [code, body] = await resourceRequest(req, route, url.searchParams, who);
          return reply(code, body);
        }
        default:
          throw pathNotFound();
      }
    } catch (err) {
      if (err instanceof ApiError) return reply(err.status.code, err.status);
      reply(500, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `test API server bug: ${(err as Error).stack}`, reason: 'InternalError', code: 500 });
    }
  };

  const server = https.createServer(
    { key: readFileSync(pki.serverKey), cert: readFileSync(pki.serverCert), ca: caPem, requestCert: true, rejectUnauthorized: false },
    (req, res) => void handle(req, res),
  );
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  serverAddress = `127.0.0.1:${port}`;
  const url = `https://${serverAddress}`;
  let certs = 0;

  return {
    url,
    caFile: pki.caPem,
    caPem,
    token,
    kubeconfig: (kubeDir, o) => writeKubeconfig(kubeDir, { url, caFile: pki.caPem, caPem, token }, o),
    clientCert: (user, groups = []) => issueClientCert(pki, user, groups, `client-${++certs}`),
    objects: store,
    requests,
    expireContinueTokens: () => snapshots.expireAll(),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        server.closeAllConnections();
      }),
  };
}
