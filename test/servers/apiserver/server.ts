/** The HTTPS server: authentication, authorization, routing to discovery and resource handlers, request log. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as https from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { KubeObject } from '../../../lib/manifests';
import { makePki, type TestPki } from '../registry/pki';
import { acceptsPlainJson, notAcceptable, wantsMetadataList } from './accept';
import { authenticate, impersonated, type TokenTable } from './authn';
import { isForbidden, type ForbiddenRule } from './authz';
import { issueClientCert, type ClientCert } from './client-cert';
import {
  AGGREGATED_MEDIA_TYPE,
  aggregatedDiscovery,
  apiGroupList,
  apiResourceList,
  apiVersions,
  wantsAggregated,
} from './discovery';
import { seedStore } from './initial-objects';
import { writeKubeconfig, type KubeconfigOptions } from './kubeconfig';
import { listSnapshots } from './list-snapshots';
import { ObjectStore } from './object-store';
import { openApiGroupVersion, openApiRoot } from './openapi';
import { sendJson } from './response';
import { resourceRequest, type ResourceContext } from './resource-requests';
import { parseRoute } from './route';
import { SERVER_VERSION, ServedIndex } from './served-resources';
import { isCrd } from './server-defaults';
import { ApiError, forbidden, pathNotFound, unauthorized } from './status';

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
  /** Every continue request is answered with the token it sent (a server bug): the list never ends. */
  repeatContinue?: boolean;
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  /** The authenticated user, undefined when authentication failed. */
  user?: string;
  status: number;
  /** The request's Accept header, e.g. to see whether a client asked for aggregated discovery. */
  accept?: string;
  /** Whether the answer was gzip-compressed. */
  gzip?: boolean;
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

export async function startApiServer(opts: ApiServerOptions = {}): Promise<TestApiServer> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-apiserver-'));
  const pki: TestPki = makePki(dir);
  const caPem = readFileSync(pki.caPem, 'utf8');
  const token = randomBytes(24).toString('base64url');
  const tokens: TokenTable = { ...(opts.tokens ?? {}), [token]: ADMIN };
  const rules = opts.forbidden ?? [];
  const store = new ObjectStore();
  const snapshots = listSnapshots(opts.expireContinueAfter, opts.repeatContinue);
  const requests: RecordedRequest[] = [];

  let index: ServedIndex | undefined;
  const served = (): ServedIndex =>
    (index ??= new ServedIndex(store.list('apiextensions.k8s.io', 'CustomResourceDefinition')));
  store.onChange = (group, kind) => {
    if (isCrd(group, kind)) index = undefined;
  };

  seedStore(store, served, opts.crds ?? [], opts.objects ?? []);

  let serverAddress = '';

  const resources: ResourceContext = { store, snapshots, served, rules, pageLimitMax: opts.pageLimitMax };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://127.0.0.1');
    const record: RecordedRequest = {
      method: req.method ?? 'GET',
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      status: 0,
      accept: req.headers.accept,
    };
    requests.push(record);
    const reply = (code: number, body: unknown, contentType = 'application/json') => {
      record.status = code;
      record.gzip = sendJson(res, code, body, contentType, req.headers['accept-encoding']);
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
      const accept = req.headers.accept;
      if (!aggregated && !acceptsPlainJson(accept) && !wantsMetadataList(accept)) throw notAcceptable();
      switch (route.type) {
        case 'version':
          return reply(200, {
            ...SERVER_VERSION,
            gitCommit: '0000000000000000000000000000000000000000',
            gitTreeState: 'clean',
            buildDate: '2025-04-23T00:00:00Z',
            goVersion: process.version,
            compiler: 'gc',
            platform: `${process.platform}/${process.arch === 'x64' ? 'amd64' : process.arch}`,
          });
        case 'root':
          if (aggregated) return reply(200, aggregatedDiscovery(served(), route.root), AGGREGATED_MEDIA_TYPE);
          return reply(200, route.root === 'api' ? apiVersions(serverAddress) : apiGroupList(served()));
        case 'group': {
          const g = served()
            .groups()
            .find((x) => x.name === route.group);
          if (!g) throw pathNotFound();
          const versions = g.versions.map((version) => ({ groupVersion: `${g.name}/${version}`, version }));
          return reply(200, {
            kind: 'APIGroup',
            apiVersion: 'v1',
            name: g.name,
            versions,
            preferredVersion: versions[0],
          });
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
          const [code, body] = await resourceRequest(resources, req, route, url.searchParams, who);
          return reply(code, body);
        }
        default:
          throw pathNotFound();
      }
    } catch (err) {
      if (err instanceof ApiError) return reply(err.status.code, err.status);
      reply(500, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: `test API server bug: ${(err as Error).stack}`,
        reason: 'InternalError',
        code: 500,
      });
    }
  };

  const server = https.createServer(
    {
      key: readFileSync(pki.serverKey),
      cert: readFileSync(pki.serverCert),
      ca: caPem,
      requestCert: true,
      rejectUnauthorized: false,
    },
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
