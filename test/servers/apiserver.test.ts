import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { KubeObject } from '../../lib/manifests';
import * as https from 'node:https';
import {
  customResourceDefinition,
  kubewardenCrds,
  reportCrds,
  seedFromCorpus,
  startApiServer,
  type ClientCert,
  type TestApiServer,
} from './apiserver';
import { issueClientCert } from './apiserver/client-cert';
import { makePki } from './registry/pki';

const KUBECTL = '/usr/bin/kubectl';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Real kubectl, run asynchronously: the server answers from this same process. */
function kubectl(kubeconfig: string, cacheDir: string, args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(
      KUBECTL,
      ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args],
      { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: cacheDir } },
      (err, stdout, stderr) => {
        resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
      },
    );
    child.stdin!.end(stdin ?? '');
  });
}

interface HttpReply {
  status: number;
  contentType: string;
  body: any; // parsed JSON, asserted field by field
}

/** One HTTPS request to the server, trusting its CA, with its valid token unless told otherwise. */
function call(
  api: TestApiServer,
  method: string,
  urlPath: string,
  o: { body?: unknown; token?: string | null; headers?: Record<string, string>; cert?: ClientCert } = {},
): Promise<HttpReply> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { Accept: 'application/json', ...(o.headers ?? {}) };
    if (o.token !== null) headers.Authorization = `Bearer ${o.token ?? api.token}`;
    const text = o.body === undefined ? undefined : typeof o.body === 'string' ? o.body : JSON.stringify(o.body);
    if (text !== undefined) headers['Content-Type'] ??= 'application/json';
    const tls = o.cert ? { cert: readFileSync(o.cert.certFile), key: readFileSync(o.cert.keyFile) } : {};
    const req = https.request(new URL(urlPath, api.url), { method, ca: api.caPem, headers, ...tls }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (data += d));
      res.on('end', () =>
        resolve({
          status: res.statusCode ?? 0,
          contentType: String(res.headers['content-type']),
          body: data ? JSON.parse(data) : undefined,
        }),
      );
    });
    req.on('error', reject);
    req.end(text);
  });
}

const pod = (ns: string, name: string, labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace: ns, labels },
  spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] },
});

const deployment = (ns: string, name: string): KubeObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name, namespace: ns, labels: { app: name } },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } },
  },
});

describe('test API server, driven by real kubectl', function () {
  let api: TestApiServer;
  let dir: string;
  let config: string;
  const k = (args: string[], stdin?: string, kubeconfig = config) =>
    kubectl(kubeconfig, path.join(dir, 'cache'), args, stdin);

  before(async function () {
    dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-apiserver-test-'));
    api = await startApiServer({
      objects: [
        pod('shop', 'web-1', { app: 'web', tier: 'front' }),
        pod('shop', 'web-2', { app: 'web', tier: 'front' }),
        pod('shop', 'db-0', { app: 'db' }),
        pod('shop', 'cache-0', { app: 'cache' }),
        pod('billing', 'invoicer', { app: 'invoicer' }),
        deployment('shop', 'web'),
      ],
      tokens: { 'viewer-token': { user: 'viewer', groups: ['viewers'] } },
      forbidden: [{ user: 'viewer', group: '', resource: 'secrets' }],
    });
    config = api.kubeconfig(dir);
  });
  after(async () => {
    await api?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('get pods -A lists pods of every namespace', async () => {
    const r = await k(['get', 'pods', '-A', '-o', 'name']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n').sort(), [
      'pod/cache-0',
      'pod/db-0',
      'pod/invoicer',
      'pod/web-1',
      'pod/web-2',
    ]);
  });

  it('get ns shows the system namespaces and the ones the objects live in', async () => {
    const r = await k(['get', 'ns', '-o', 'name']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      'namespace/billing',
      'namespace/default',
      'namespace/kube-node-lease',
      'namespace/kube-public',
      'namespace/kube-system',
      'namespace/shop',
    ]);
    const json = await k(['get', 'ns', 'shop', '-o', 'json']);
    assert.equal(JSON.parse(json.stdout).metadata.labels['kubernetes.io/metadata.name'], 'shop');
  });

  it('get deploy -n X -o json returns the stored object with server-set metadata', async () => {
    const r = await k(['get', 'deploy', '-n', 'shop', '-o', 'json']);
    assert.equal(r.code, 0, r.stderr);
    const list = JSON.parse(r.stdout);
    assert.equal(list.items.length, 1);
    const d = list.items[0];
    assert.equal(d.kind, 'Deployment');
    assert.equal(d.apiVersion, 'apps/v1');
    assert.equal(d.metadata.name, 'web');
    assert.match(d.metadata.uid, /^[0-9a-f-]{36}$/);
    assert.match(d.metadata.resourceVersion, /^\d+$/);
    assert.match(d.metadata.creationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('--chunk-size=2 pages through the list with continue tokens', async () => {
    const before = api.requests.length;
    const r = await k(['get', 'pods', '-A', '--chunk-size=2', '-o', 'name']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim().split('\n').length, 5);
    const lists = api.requests.slice(before).filter((q) => q.path === '/api/v1/pods');
    assert.equal(lists.length, 3);
    assert.ok(lists.every((q) => q.query.limit === '2'));
    assert.equal(lists.filter((q) => q.query.continue).length, 2);
  });

  it('-l selects by label, --field-selector by name', async () => {
    const byLabel = await k(['get', 'pods', '-n', 'shop', '-l', 'app=web', '-o', 'name']);
    assert.equal(byLabel.stdout.trim(), 'pod/web-1\npod/web-2');
    const setBased = await k(['get', 'pods', '-A', '-l', 'app in (db,invoicer),!tier', '-o', 'name']);
    assert.equal(setBased.stdout.trim(), 'pod/invoicer\npod/db-0');
    const byField = await k(['get', 'pods', '-A', '--field-selector', 'metadata.name=db-0', '-o', 'name']);
    assert.equal(byField.stdout.trim(), 'pod/db-0');
    const notField = await k([
      'get',
      'pods',
      '-n',
      'shop',
      '--field-selector',
      'metadata.name!=db-0,metadata.namespace=shop',
      '-o',
      'name',
    ]);
    assert.equal(notField.stdout.trim(), 'pod/cache-0\npod/web-1\npod/web-2');
    const unsupported = await k(['get', 'pods', '--field-selector', 'spec.bogus=1']);
    assert.notEqual(unsupported.code, 0);
    assert.match(unsupported.stderr, /field label not supported: spec\.bogus/);
  });

  it('get of a missing object prints the real NotFound message', async () => {
    const r = await k(['get', 'pod', 'nope', '-n', 'shop']);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Error from server \(NotFound\): pods "nope" not found/);
  });

  it('a namespace that does not exist lists as empty', async () => {
    const r = await k(['get', 'pods', '-n', 'no-such-namespace', '-o', 'name']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '');
  });

  it('a bad token makes kubectl report Unauthorized', async () => {
    const bad = api.kubeconfig(dir, { token: 'not-a-token', fileName: 'bad-kubeconfig' });
    const r = await k(['get', 'pods'], undefined, bad);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Unauthorized/);
    assert.ok(api.requests.some((q) => q.status === 401 && q.user === undefined));
  });

  it('a forbidden resource shows the Forbidden message, for that user only', async () => {
    const viewer = api.kubeconfig(dir, { token: 'viewer-token', fileName: 'viewer-kubeconfig' });
    const r = await k(['get', 'secrets', '-n', 'shop'], undefined, viewer);
    assert.notEqual(r.code, 0);
    assert.match(
      r.stderr,
      /Error from server \(Forbidden\): secrets is forbidden: User "viewer" cannot list resource "secrets" in API group "" in the namespace "shop"/,
    );
    const pods = await k(['get', 'pods', '-n', 'shop', '-o', 'name'], undefined, viewer);
    assert.equal(pods.code, 0, pods.stderr);
    const admin = await k(['get', 'secrets', '-n', 'shop']);
    assert.equal(admin.code, 0, admin.stderr);
  });
});

describe('test API server: writes, discovery changes and access reviews through kubectl', function () {
  let api: TestApiServer;
  let dir: string;
  let config: string;
  const k = (args: string[], stdin?: string, kubeconfig = config) =>
    kubectl(kubeconfig, path.join(dir, 'cache'), args, stdin);

  before(async function () {
    dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-apiserver-test-'));
    api = await startApiServer({
      crds: reportCrds(),
      objects: [pod('team-a', 'app-0')],
      forbidden: [{ user: 'auditor', group: '', resource: 'secrets', namespace: 'team-a', verb: 'list' }],
    });
    config = api.kubeconfig(dir, { namespace: 'team-a' });
  });
  after(async () => {
    await api?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('api-resources lists the report CRDs, and a CRD created later appears in discovery', async () => {
    const before = await k(['api-resources', '-o', 'name']);
    assert.equal(before.code, 0, before.stderr);
    const names = before.stdout.trim().split('\n');
    for (const n of [
      'pods',
      'deployments.apps',
      'policyreports.wgpolicyk8s.io',
      'clusterpolicyreports.wgpolicyk8s.io',
      'reports.openreports.io',
      'clusterreports.openreports.io',
    ]) {
      assert.ok(names.includes(n), `${n} missing from api-resources`);
    }
    assert.ok(!names.includes('clusteradmissionpolicies.policies.kubewarden.io'));
    // Separate documents, not a `kind: List`: kubectl validates a List through /openapi/v2, which is not served.
    const created = await k(
      ['create', '-f', '-'],
      kubewardenCrds()
        .map((c) => JSON.stringify(c))
        .join('\n---\n'),
    );
    assert.equal(created.code, 0, created.stderr);
    assert.match(
      created.stdout,
      /customresourcedefinition\.apiextensions\.k8s\.io\/clusteradmissionpolicies\.policies\.kubewarden\.io created/,
    );
    const after = await k(['api-resources', '--api-group', 'policies.kubewarden.io', '-o', 'wide']);
    assert.equal(after.code, 0, after.stderr);
    for (const kind of [
      'ClusterAdmissionPolicy',
      'AdmissionPolicy',
      'ClusterAdmissionPolicyGroup',
      'AdmissionPolicyGroup',
      'PolicyServer',
    ]) {
      assert.match(after.stdout, new RegExp(`\\bpolicies\\.kubewarden\\.io/v1\\s+(true|false)\\s+${kind}\\b`));
    }
    assert.match(after.stdout, /^policyservers\s+ps\s+policies\.kubewarden\.io\/v1\s+false\s+PolicyServer/m);
  });

  it('kubectl create -f a PolicyReport stores it; get reads it back; a second create is AlreadyExists', async () => {
    const report = {
      apiVersion: 'wgpolicyk8s.io/v1alpha2',
      kind: 'PolicyReport',
      metadata: { name: 'wasmpolicy-audit', labels: { 'app.kubernetes.io/managed-by': 'kubectl-wasmpolicy' } },
      summary: { pass: 1, fail: 0, warn: 0, error: 0, skip: 0 },
      results: [{ policy: 'image-tag', result: 'pass', source: 'kubectl-wasmpolicy' }],
    };
    const r = await k(['create', '-f', '-'], JSON.stringify(report));
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'policyreport.wgpolicyk8s.io/wasmpolicy-audit created');
    const got = await k(['get', 'polr', 'wasmpolicy-audit', '-o', 'json']);
    assert.equal(got.code, 0, got.stderr);
    const obj = JSON.parse(got.stdout);
    assert.equal(obj.metadata.namespace, 'team-a');
    assert.deepEqual(obj.results, report.results);
    const stored = api.objects.get('wgpolicyk8s.io', 'PolicyReport', 'team-a', 'wasmpolicy-audit');
    assert.equal(stored?.metadata?.uid, obj.metadata.uid);
    const again = await k(['create', '-f', '-'], JSON.stringify(report));
    assert.notEqual(again.code, 0);
    assert.match(again.stderr, /\(AlreadyExists\).*policyreports\.wgpolicyk8s\.io "wasmpolicy-audit" already exists/);
  });

  it('kubectl apply creates, then patches an existing object', async () => {
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { mode: 'audit' } };
    const first = await k(['apply', '-f', '-'], JSON.stringify(cm));
    assert.equal(first.code, 0, first.stderr);
    assert.equal(first.stdout.trim(), 'configmap/settings created');
    const second = await k(['apply', '-f', '-'], JSON.stringify({ ...cm, data: { mode: 'enforce' } }));
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout.trim(), 'configmap/settings configured');
    assert.deepEqual(api.objects.get('', 'ConfigMap', 'team-a', 'settings')?.data, { mode: 'enforce' });
    const twoContainers = deployment('team-a', 'web');
    const spec = (twoContainers.spec as { template: { spec: { containers: Array<{ name: string; image: string }> } } })
      .template.spec;
    spec.containers.push({ name: 'proxy', image: 'envoy:1' });
    assert.equal((await k(['apply', '-f', '-'], JSON.stringify(twoContainers))).code, 0);
    spec.containers[1].image = 'envoy:2';
    const changed = await k(['apply', '-f', '-'], JSON.stringify(twoContainers));
    assert.equal(changed.code, 0, changed.stderr);
    assert.equal(changed.stdout.trim(), 'deployment.apps/web configured');
    const stored = api.objects.get('apps', 'Deployment', 'team-a', 'web')?.spec as typeof twoContainers.spec & {
      template: { spec: { containers: unknown[] } };
    };
    assert.deepEqual(stored.template.spec.containers, [
      { name: 'app', image: 'nginx:1.27' },
      { name: 'proxy', image: 'envoy:2' },
    ]);
  });

  it("create namespace, auth whoami and delete: the protobuf bodies of kubectl's typed clients", async () => {
    const ns = await k(['create', 'namespace', 'team-b']);
    assert.equal(ns.code, 0, ns.stderr);
    assert.equal(
      api.objects.get('', 'Namespace', '', 'team-b')?.metadata?.labels?.['kubernetes.io/metadata.name'],
      'team-b',
    );
    const who = await k(['auth', 'whoami', '-o', 'json']);
    assert.equal(who.code, 0, who.stderr);
    assert.deepEqual(JSON.parse(who.stdout).status.userInfo, {
      username: 'test-admin',
      groups: ['system:masters', 'system:authenticated'],
    });
    const del = await k(['delete', 'pod', 'app-0']);
    assert.equal(del.code, 0, del.stderr);
    assert.equal(del.stdout.trim(), 'pod "app-0" deleted');
    assert.equal(api.objects.get('', 'Pod', 'team-a', 'app-0'), undefined);
    api.objects.put(pod('team-b', 'doomed'));
    const delNs = await k(['delete', 'namespace', 'team-b']);
    assert.equal(delNs.code, 0, delNs.stderr);
    assert.equal(api.objects.list('', 'Pod', 'team-b').length, 0);
  });

  it('auth can-i answers yes, and no where a rule forbids it (also through --as)', async () => {
    const yes = await k(['auth', 'can-i', 'list', 'secrets']);
    assert.equal(yes.code, 0, yes.stderr);
    assert.equal(yes.stdout.trim(), 'yes');
    const no = await k(['auth', 'can-i', 'list', 'secrets', '--as', 'auditor']);
    assert.equal(no.code, 1);
    assert.equal(no.stdout.trim(), 'no');
    const elsewhere = await k(['auth', 'can-i', 'list', 'secrets', '-n', 'team-b', '--as', 'auditor']);
    assert.equal(elsewhere.stdout.trim(), 'yes');
    const cert = api.clientCert('auditor', ['auditors']);
    const certConfig = api.kubeconfig(dir, { clientCert: cert, fileName: 'cert-kubeconfig', namespace: 'team-a' });
    const byCert = await k(['auth', 'can-i', 'list', 'secrets'], undefined, certConfig);
    assert.equal(byCert.stdout.trim(), 'no');
    const listed = await k(['get', 'secrets'], undefined, certConfig);
    assert.match(
      listed.stderr,
      /secrets is forbidden: User "auditor" cannot list resource "secrets" in API group "" in the namespace "team-a"/,
    );
    assert.ok(api.requests.some((q) => q.user === 'auditor' && q.status === 403));
  });
});

describe('test API server: the wire protocol, over plain HTTPS', function () {
  let api: TestApiServer;
  const pods = Array.from({ length: 7 }, (_, i) => pod(i < 4 ? 'a' : 'b', `p-${i}`, { n: String(i % 2) }));

  before(async () => {
    api = await startApiServer({ objects: pods, crds: reportCrds(), expireContinueAfter: 3 });
  });
  after(async () => api?.close());

  it('401 Unauthorized Status for a missing or unknown token', async () => {
    for (const token of [null, 'wrong']) {
      const r = await call(api, 'GET', '/api/v1/pods', { token });
      assert.equal(r.status, 401);
      assert.deepEqual(r.body, {
        kind: 'Status',
        apiVersion: 'v1',
        metadata: {},
        status: 'Failure',
        message: 'Unauthorized',
        reason: 'Unauthorized',
        code: 401,
      });
    }
  });

  it('client certificates: CN is the user, O the groups; one from another CA is Unauthorized', async () => {
    const ssr = { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' };
    const mine = await call(api, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
      token: null,
      body: ssr,
      cert: api.clientCert('carol', ['ops', 'dev']),
    });
    assert.equal(mine.status, 201);
    assert.deepEqual(mine.body.status.userInfo, { username: 'carol', groups: ['ops', 'dev', 'system:authenticated'] });
    const otherDir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-other-ca-'));
    try {
      const foreign = issueClientCert(makePki(otherDir), 'mallory', ['system:masters'], 'foreign');
      const r = await call(api, 'GET', '/api/v1/pods', { token: null, cert: foreign });
      assert.equal(r.status, 401);
      assert.equal(r.body.reason, 'Unauthorized');
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }
  });

  it('aggregated discovery when asked, with the same media type back; legacy otherwise', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json';
    const agg = await call(api, 'GET', '/apis', { headers: { Accept: accept } });
    assert.equal(agg.status, 200);
    assert.equal(agg.contentType, 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    assert.equal(agg.body.kind, 'APIGroupDiscoveryList');
    const reports = agg.body.items.find((g: { metadata: { name: string } }) => g.metadata.name === 'wgpolicyk8s.io');
    assert.deepEqual(
      reports.versions[0].resources.map((r: { resource: string; scope: string }) => `${r.resource}:${r.scope}`).sort(),
      ['clusterpolicyreports:Cluster', 'policyreports:Namespaced'],
    );
    const core = await call(api, 'GET', '/api', { headers: { Accept: accept } });
    assert.equal(core.body.items[0].versions[0].version, 'v1');
    assert.ok(core.body.items[0].versions[0].resources.some((r: { resource: string }) => r.resource === 'pods'));
    const legacy = await call(api, 'GET', '/apis');
    assert.equal(legacy.contentType, 'application/json');
    assert.equal(legacy.body.kind, 'APIGroupList');
    const apps = legacy.body.groups.find((g: { name: string }) => g.name === 'apps');
    assert.deepEqual(apps.preferredVersion, { groupVersion: 'apps/v1', version: 'v1' });
    const autoscaling = legacy.body.groups.find((g: { name: string }) => g.name === 'autoscaling');
    assert.deepEqual(
      autoscaling.versions.map((v: { version: string }) => v.version),
      ['v2', 'v1'],
    );
    const rl = await call(api, 'GET', '/apis/wgpolicyk8s.io/v1alpha2');
    assert.equal(rl.body.kind, 'APIResourceList');
    assert.equal(rl.body.resources.find((r: { name: string }) => r.name === 'policyreports').namespaced, true);
    assert.equal((await call(api, 'GET', '/apis/policies.kubewarden.io/v1')).status, 404);
  });

  it('pages carry continue and remainingItemCount, stay consistent across writes, and the 3rd continue is 410 Expired', async () => {
    const first = await call(api, 'GET', '/api/v1/pods?limit=3');
    assert.equal(first.body.kind, 'PodList');
    assert.deepEqual(
      first.body.items.map((p: { metadata: { name: string } }) => p.metadata.name),
      ['p-0', 'p-1', 'p-2'],
    );
    assert.equal(first.body.items[0].kind, undefined, 'built-in list items carry no kind, as on a real server');
    assert.equal(first.body.metadata.remainingItemCount, 4);
    const rv = first.body.metadata.resourceVersion;
    api.objects.put(pod('a', 'p-00'));
    const second = await call(
      api,
      'GET',
      `/api/v1/pods?limit=3&continue=${encodeURIComponent(first.body.metadata.continue)}`,
    );
    assert.deepEqual(
      second.body.items.map((p: { metadata: { name: string } }) => p.metadata.name),
      ['p-3', 'p-4', 'p-5'],
    );
    assert.equal(second.body.metadata.resourceVersion, rv);
    assert.equal(second.body.metadata.remainingItemCount, 1);
    const third = await call(
      api,
      'GET',
      `/api/v1/pods?limit=3&continue=${encodeURIComponent(second.body.metadata.continue)}`,
    );
    assert.equal(third.status, 200);
    assert.equal(third.body.metadata.continue, undefined);
    const restart = await call(api, 'GET', '/api/v1/pods?limit=3');
    const expired = await call(
      api,
      'GET',
      `/api/v1/pods?limit=3&continue=${encodeURIComponent(restart.body.metadata.continue)}`,
    );
    assert.equal(expired.status, 410);
    assert.deepEqual(expired.body, {
      kind: 'Status',
      apiVersion: 'v1',
      metadata: {},
      status: 'Failure',
      message:
        'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter.',
      reason: 'Expired',
      code: 410,
    });
    const garbage = await call(api, 'GET', '/api/v1/pods?limit=3&continue=bm90LWEtdG9rZW4');
    assert.equal(garbage.status, 400);
    assert.equal(garbage.body.reason, 'BadRequest');
    api.objects.delete('', 'Pod', 'a', 'p-00');
  });

  it('selectors filter before paging and drop remainingItemCount', async () => {
    const r = await call(api, 'GET', '/api/v1/namespaces/a/pods?labelSelector=n%3D1&limit=1');
    assert.deepEqual(
      r.body.items.map((p: { metadata: { name: string } }) => p.metadata.name),
      ['p-1'],
    );
    assert.ok(r.body.metadata.continue);
    assert.equal(r.body.metadata.remainingItemCount, undefined);
    const bad = await call(api, 'GET', '/api/v1/pods?labelSelector=a%20in%20(b');
    assert.equal(bad.status, 400);
    assert.match(bad.body.message, /unable to parse requirement/);
  });

  it('get, 404 with details, and paths that do not route', async () => {
    const got = await call(api, 'GET', '/api/v1/namespaces/b/pods/p-4');
    assert.equal(got.body.kind, 'Pod');
    assert.equal(got.body.apiVersion, 'v1');
    const missing = await call(api, 'GET', '/apis/apps/v1/namespaces/a/deployments/web');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.message, 'deployments.apps "web" not found');
    assert.deepEqual(missing.body.details, { name: 'web', group: 'apps', kind: 'deployments' });
    const ns = await call(api, 'GET', '/api/v1/namespaces/a');
    assert.equal(ns.body.kind, 'Namespace');
    assert.equal((await call(api, 'GET', '/api/v1/namespaces/a/namespaces')).status, 404);
    assert.equal((await call(api, 'GET', '/api/v1/nopes')).status, 404);
  });

  it('create and update check the body against the URL; a stale resourceVersion is a 409 Conflict', async () => {
    const base = '/apis/wgpolicyk8s.io/v1alpha2/namespaces/a/policyreports';
    const created = await call(api, 'POST', base, {
      body: { apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'PolicyReport', metadata: { name: 'r1' }, results: [] },
    });
    assert.equal(created.status, 201);
    assert.equal(created.body.metadata.namespace, 'a');
    const wrongVersion = await call(api, 'POST', base, {
      body: { apiVersion: 'wgpolicyk8s.io/v1beta1', kind: 'PolicyReport', metadata: { name: 'r2' } },
    });
    assert.equal(wrongVersion.status, 400);
    assert.match(wrongVersion.body.message, /does not match the expected API version \(wgpolicyk8s\.io\/v1alpha2\)/);
    const wrongNs = await call(api, 'POST', base, {
      body: { apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'PolicyReport', metadata: { name: 'r2', namespace: 'b' } },
    });
    assert.equal(wrongNs.status, 400);
    const noName = await call(api, 'POST', base, {
      body: { apiVersion: 'wgpolicyk8s.io/v1alpha2', kind: 'PolicyReport', metadata: {} },
    });
    assert.equal(noName.status, 422);
    assert.equal(noName.body.reason, 'Invalid');
    const noNs = await call(api, 'POST', '/apis/wgpolicyk8s.io/v1alpha2/namespaces/ghost/policyreports', {
      body: { metadata: { name: 'r3' } },
    });
    assert.equal(noNs.status, 404);
    assert.equal(noNs.body.message, 'namespaces "ghost" not found');
    const updated = await call(api, 'PUT', `${base}/r1`, {
      body: { ...created.body, results: [{ policy: 'p', result: 'fail' }] },
    });
    assert.equal(updated.status, 200);
    assert.notEqual(updated.body.metadata.resourceVersion, created.body.metadata.resourceVersion);
    assert.equal(updated.body.metadata.uid, created.body.metadata.uid);
    const stale = await call(api, 'PUT', `${base}/r1`, { body: created.body });
    assert.equal(stale.status, 409);
    assert.equal(stale.body.reason, 'Conflict');
    assert.match(
      stale.body.message,
      /^Operation cannot be fulfilled on policyreports\.wgpolicyk8s\.io "r1": the object has been modified/,
    );
    const renamed = await call(api, 'PUT', `${base}/r1`, {
      body: { ...updated.body, metadata: { ...updated.body.metadata, name: 'other' } },
    });
    assert.equal(renamed.status, 400);
    const list = await call(api, 'GET', base);
    assert.equal(list.body.items[0].kind, 'PolicyReport', 'custom resource list items carry apiVersion and kind');
    const deleted = await call(api, 'DELETE', `${base}/r1`);
    assert.equal(deleted.status, 200);
    assert.equal((await call(api, 'GET', `${base}/r1`)).status, 404);
  });

  it('resourceVersion: refused beside continue; "0" ignores limit as the watch cache does', async () => {
    const first = await call(api, 'GET', '/api/v1/namespaces/b/pods?limit=1');
    const both = await call(
      api,
      'GET',
      `/api/v1/namespaces/b/pods?limit=1&resourceVersion=5&continue=${encodeURIComponent(first.body.metadata.continue)}`,
    );
    assert.equal(both.status, 400);
    assert.equal(both.body.message, 'specifying resource version is not allowed when using continue');
    const any = await call(api, 'GET', '/api/v1/pods?limit=2&resourceVersion=0');
    assert.equal(any.body.items.length, 7);
    assert.equal(any.body.metadata.continue, undefined);
  });

  it('media types: 406 when plain JSON is not acceptable, 415 for bodies it cannot read, YAML bodies accepted', async () => {
    const table = await call(api, 'GET', '/api/v1/pods', {
      headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io' },
    });
    assert.equal(table.status, 406);
    assert.equal(table.body.reason, 'NotAcceptable');
    const kubectlStyle = await call(api, 'GET', '/api/v1/pods', {
      headers: { Accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' },
    });
    assert.equal(kubectlStyle.status, 200);
    assert.equal(kubectlStyle.body.kind, 'PodList');
    const proto = await call(api, 'POST', '/api/v1/namespaces/a/configmaps', {
      body: 'k8s\u0000',
      headers: { 'Content-Type': 'application/vnd.kubernetes.protobuf' },
    });
    assert.equal(proto.status, 415);
    assert.match(proto.body.message, /decodes protobuf only for/);
    const yaml = await call(api, 'POST', '/api/v1/namespaces/a/configmaps', {
      body: 'metadata:\n  name: from-yaml\ndata:\n  k: v\n',
      headers: { 'Content-Type': 'application/yaml' },
    });
    assert.equal(yaml.status, 201, JSON.stringify(yaml.body));
    assert.deepEqual(yaml.body.data, { k: 'v' });
    const applyPatch = await call(api, 'PATCH', '/api/v1/namespaces/a/configmaps/from-yaml', {
      body: 'data: {}',
      headers: { 'Content-Type': 'application/apply-patch+yaml' },
    });
    assert.equal(applyPatch.status, 415);
  });

  it('PATCH: JSON patch, merge patch, and strategic merge that merges containers by name', async () => {
    const cm = '/api/v1/namespaces/a/configmaps/patched';
    await call(api, 'POST', '/api/v1/namespaces/a/configmaps', {
      body: { metadata: { name: 'patched' }, data: { k: 'v' } },
    });
    const merge = await call(api, 'PATCH', cm, {
      body: { data: { k: null, j: 'w' } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    assert.deepEqual(merge.body.data, { j: 'w' });
    const json = await call(api, 'PATCH', cm, {
      body: [
        { op: 'add', path: '/data/x', value: 'y' },
        { op: 'test', path: '/data/j', value: 'w' },
      ],
      headers: { 'Content-Type': 'application/json-patch+json' },
    });
    assert.deepEqual(json.body.data, { j: 'w', x: 'y' });
    const failedTest = await call(api, 'PATCH', cm, {
      body: [{ op: 'test', path: '/data/j', value: 'nope' }],
      headers: { 'Content-Type': 'application/json-patch+json' },
    });
    assert.equal(failedTest.status, 422);
    const stale = await call(api, 'PATCH', cm, {
      body: { metadata: { resourceVersion: '1' }, data: { z: '1' } },
      headers: { 'Content-Type': 'application/merge-patch+json' },
    });
    assert.equal(stale.status, 409);
    const p = '/api/v1/namespaces/b/pods/p-4';
    await call(api, 'PUT', p, {
      body: {
        ...pod('b', 'p-4'),
        spec: {
          containers: [
            { name: 'app', image: 'nginx:1.27' },
            { name: 'sidecar', image: 'envoy:1' },
          ],
        },
      },
    });
    const smp = await call(api, 'PATCH', p, {
      body: {
        spec: {
          '$setElementOrder/containers': [{ name: 'app' }, { name: 'sidecar' }],
          containers: [{ name: 'sidecar', image: 'envoy:2' }],
        },
      },
      headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
    });
    assert.equal(smp.status, 200, JSON.stringify(smp.body));
    assert.deepEqual(smp.body.spec.containers, [
      { name: 'app', image: 'nginx:1.27' },
      { name: 'sidecar', image: 'envoy:2' },
    ]);
    const onCustom = await call(api, 'PATCH', '/apis/wgpolicyk8s.io/v1alpha2/namespaces/a/policyreports/none', {
      body: {},
      headers: { 'Content-Type': 'application/strategic-merge-patch+json' },
    });
    assert.equal(onCustom.status, 415);
  });

  it('pageLimitMax caps every page, asked for or not; expireContinueTokens() makes tokens stale', async () => {
    const capped = await startApiServer({ objects: pods, pageLimitMax: 2 });
    try {
      const unasked = await call(capped, 'GET', '/api/v1/pods');
      assert.equal(unasked.body.items.length, 2);
      assert.equal(unasked.body.metadata.remainingItemCount, 5);
      const big = await call(capped, 'GET', '/api/v1/pods?limit=100');
      assert.equal(big.body.items.length, 2);
      const small = await call(capped, 'GET', '/api/v1/pods?limit=1');
      assert.equal(small.body.items.length, 1);
      const otherList = await call(
        capped,
        'GET',
        `/api/v1/namespaces/a/pods?continue=${encodeURIComponent(big.body.metadata.continue)}`,
      );
      assert.equal(otherList.status, 400);
      assert.match(otherList.body.message, /continues a different list/);
      capped.expireContinueTokens();
      const compacted = await call(
        capped,
        'GET',
        `/api/v1/pods?continue=${encodeURIComponent(big.body.metadata.continue)}`,
      );
      assert.equal(compacted.status, 410);
      assert.equal(compacted.body.reason, 'Expired');
    } finally {
      await capped.close();
    }
  });

  it('SubjectAccessReview (JSON) is answered from the forbidden rules', async () => {
    const forbidding = await startApiServer({
      forbidden: [{ user: 'bob', group: 'apps', resource: 'deployments', verb: 'list' }],
    });
    try {
      const review = (user: string, verb: string) =>
        call(forbidding, 'POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
          body: {
            apiVersion: 'authorization.k8s.io/v1',
            kind: 'SubjectAccessReview',
            spec: { user, resourceAttributes: { verb, group: 'apps', resource: 'deployments', namespace: 'x' } },
          },
        });
      const denied = await review('bob', 'list');
      assert.equal(denied.status, 201);
      assert.equal(denied.body.status.allowed, false);
      assert.equal((await review('bob', 'get')).body.status.allowed, true);
      assert.equal((await review('alice', 'list')).body.status.allowed, true);
    } finally {
      await forbidding.close();
    }
  });
});

describe('test API server: scale', function () {
  it('lists 10,000 pods in pages of 500 well under a second', async () => {
    // About 300 bytes of JSON each, a small real pod: 500 of them pass kube-apiserver's 128 KiB gzip threshold.
    const objects = Array.from({ length: 10_000 }, (_, i) => {
      const p = pod(`ns-${i % 20}`, `pod-${String(i).padStart(5, '0')}`, { app: `a${i % 7}` });
      (p.spec as { containers: object[] }).containers = [
        { name: 'app', image: 'nginx:1.27', resources: { limits: { cpu: '100m', memory: '64Mi' } } },
      ];
      return p;
    });
    const api = await startApiServer({ objects });
    try {
      await call(api, 'GET', '/api/v1/namespaces'); // the TLS connection, not the list, is warmed up
      const started = performance.now();
      let token: string | undefined;
      let seen = 0;
      let pages = 0;
      do {
        const r = await call(
          api,
          'GET',
          `/api/v1/pods?limit=500${token ? `&continue=${encodeURIComponent(token)}` : ''}`,
        );
        assert.equal(r.status, 200);
        seen += r.body.items.length;
        pages++;
        token = r.body.metadata.continue;
      } while (token);
      const ms = performance.now() - started;
      assert.equal(seen, 10_000);
      assert.equal(pages, 20);
      assert.ok(ms < 1000, `10k pods took ${ms.toFixed(0)} ms`);
      console.log(`      10,000 pods in 20 pages: ${ms.toFixed(0)} ms`);
      const dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-apiserver-scale-'));
      try {
        api.requests.length = 0;
        const r = await kubectl(api.kubeconfig(dir), path.join(dir, 'cache'), ['get', 'pods', '-A', '-o', 'name']);
        assert.equal(r.code, 0, r.stderr);
        assert.equal(r.stdout.trim().split('\n').length, 10_000);
        const pages = api.requests.filter((q) => q.path === '/api/v1/pods');
        assert.equal(pages.length, 20, 'kubectl pages by 500 by default');
        assert.ok(
          pages.every((q) => q.gzip),
          `pages over 128 KiB are gzip-compressed for clients that accept it: ${JSON.stringify(pages.slice(0, 2))}`,
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    } finally {
      await api.close();
    }
  });
});

describe('test API server: seeded from the curated corpus', function () {
  let api: TestApiServer;
  let dir: string;
  let seeded: Awaited<ReturnType<typeof seedFromCorpus>>;

  before(async function () {
    seeded = await seedFromCorpus();
    dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-apiserver-corpus-'));
    api = await startApiServer({ objects: seeded.objects });
  });
  after(async () => {
    await api?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('keeps named objects once each, in namespaces that exist', () => {
    // 730 before repeated YAML keys were read as kubectl reads them (the last value wins): five more documents are objects.
    assert.equal(
      seeded.objects.length,
      735,
      'named objects of test/fixtures/corpus, once each, plus the Namespaces they need',
    );
    assert.ok(seeded.skipped > 0);
    const keys = seeded.objects.map(
      (o) =>
        `${o.apiVersion.split('/').length > 1 ? o.apiVersion.split('/')[0] : ''}/${o.kind}/${o.metadata?.namespace ?? ''}/${o.metadata?.name}`,
    );
    assert.equal(new Set(keys).size, keys.length);
    const namespaces = new Set(seeded.objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata!.name));
    for (const o of seeded.objects)
      if (o.metadata?.namespace)
        assert.ok(namespaces.has(o.metadata.namespace), `${o.metadata.namespace} has no Namespace`);
    const deployments = seeded.objects.filter((o) => o.kind === 'Deployment' && o.apiVersion === 'apps/v1');
    assert.ok(deployments.length > 20 && deployments.every((d) => d.metadata?.namespace));
    const crb = seeded.objects.find((o) => o.kind === 'ClusterRoleBinding');
    assert.equal(crb?.metadata?.namespace, undefined);
  });

  it('a second seeding comes from memory, as a copy the caller may change', async () => {
    const started = performance.now();
    const again = await seedFromCorpus();
    assert.ok(performance.now() - started < 2000);
    assert.equal(again.objects.length, seeded.objects.length);
    again.objects[0].metadata!.name = 'changed';
    assert.notEqual((await seedFromCorpus()).objects[0].metadata!.name, 'changed');
  });

  it('serves the corpus CRDs and their objects to kubectl', async () => {
    const config = api.kubeconfig(dir);
    const cache = path.join(dir, 'cache');
    const crds = await kubectl(config, cache, ['get', 'crd', '-o', 'name']);
    assert.equal(crds.code, 0, crds.stderr);
    assert.equal(
      crds.stdout.trim().split('\n').length,
      seeded.objects.filter((o) => o.kind === 'CustomResourceDefinition').length,
    );
    const rules = await kubectl(config, cache, [
      'get',
      'prometheusrules.monitoring.coreos.com',
      '-A',
      '-o',
      'name',
      '--chunk-size=5',
    ]);
    assert.equal(rules.code, 0, rules.stderr);
    assert.equal(
      rules.stdout.trim().split('\n').length,
      seeded.objects.filter((o) => o.kind === 'PrometheusRule').length,
    );
    const all = await kubectl(config, cache, ['get', 'deploy', '-A', '-o', 'name']);
    assert.equal(
      all.stdout.trim().split('\n').length,
      seeded.objects.filter((o) => o.kind === 'Deployment' && o.apiVersion === 'apps/v1').length,
    );
  });
});

describe('test API server: CRD validation', function () {
  it('refuses a CRD whose name is not <plural>.<group>', async () => {
    const api = await startApiServer();
    try {
      const crd = customResourceDefinition({
        group: 'example.com',
        kind: 'Widget',
        plural: 'widgets',
        scope: 'Namespaced',
        versions: ['v1'],
      });
      crd.metadata!.name = 'widget.example.com';
      const r = await call(api, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', { body: crd });
      assert.equal(r.status, 422);
      assert.match(r.body.message, /metadata\.name: Invalid value: "widget\.example\.com"/);
    } finally {
      await api.close();
    }
  });
});
