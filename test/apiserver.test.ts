import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { KubeObject } from '../lib/manifests';
import { startApiServer, type TestApiServer } from './apiserver';

const KUBECTL = '/usr/bin/kubectl';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Real kubectl, run asynchronously: the server answers from this same process. */
function kubectl(kubeconfig: string, cacheDir: string, args: string[], stdin?: string): Promise<Run> {
  return new Promise((resolve) => {
    const child = execFile(KUBECTL, ['--kubeconfig', kubeconfig, '--cache-dir', cacheDir, ...args], { encoding: 'utf8', env: { PATH: process.env.PATH ?? '', HOME: cacheDir } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? -1) : 0, stdout, stderr });
    });
    child.stdin!.end(stdin ?? '');
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
  spec: { selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'app', image: 'nginx:1.27' }] } } },
});

describe('test API server, driven by real kubectl', function () {
  let api: TestApiServer;
  let dir: string;
  let config: string;
  const k = (args: string[], stdin?: string, kubeconfig = config) => kubectl(kubeconfig, path.join(dir, 'cache'), args, stdin);

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
    assert.deepEqual(r.stdout.trim().split('\n').sort(), ['pod/cache-0', 'pod/db-0', 'pod/invoicer', 'pod/web-1', 'pod/web-2']);
  });

  it('get ns shows the system namespaces and the ones the objects live in', async () => {
    const r = await k(['get', 'ns', '-o', 'name']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(r.stdout.trim().split('\n'), ['namespace/billing', 'namespace/default', 'namespace/kube-node-lease', 'namespace/kube-public', 'namespace/kube-system', 'namespace/shop']);
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
    const notField = await k(['get', 'pods', '-n', 'shop', '--field-selector', 'metadata.name!=db-0,metadata.namespace=shop', '-o', 'name']);
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
    assert.match(r.stderr, /Error from server \(Forbidden\): secrets is forbidden: User "viewer" cannot list resource "secrets" in API group "" in the namespace "shop"/);
    const pods = await k(['get', 'pods', '-n', 'shop', '-o', 'name'], undefined, viewer);
    assert.equal(pods.code, 0, pods.stderr);
    const admin = await k(['get', 'secrets', '-n', 'shop']);
    assert.equal(admin.code, 0, admin.stderr);
  });
});
