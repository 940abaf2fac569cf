import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { stringify } from 'yaml';
import { chooseConfigFiles } from '../../../lib/cluster/config-files';
import type { Discovery } from '../../../lib/cluster/discovery';
import { discover } from '../../../lib/cluster/discovery';
import { resolveKubeConfig } from '../../../lib/cluster/kubeconfig';
import { listMany } from '../../../lib/cluster/list-many';
import { expandRule } from '../../../lib/cluster/resources';
import { createTransport, type Transport } from '../../../lib/cluster/transport';
import {
  ClusterError,
  connectCluster,
  type ApiResource,
  type Cluster,
  type ClusterOptions,
  type KubeObject,
  type ListManyItem,
  type ListTarget,
} from '../../../lib/cluster/index';
import { createLogger, silentLogger } from '../../../lib/base/log';
import { startApiServer, type TestApiServer } from '../../servers/apiserver/index';
import { ROOT } from '../../support/cli';

const res = (
  group: string,
  version: string,
  resource: string,
  kind: string,
  namespaced = true,
  verbs = ['get', 'list'],
): ApiResource => ({
  group,
  version,
  resource,
  kind,
  namespaced,
  verbs,
});

async function collect<T>(it: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const x of it) out.push(x);
  return out;
}

async function rejects(p: Promise<unknown>): Promise<ClusterError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ClusterError, `expected a ClusterError, got ${String(err)}`);
    return err;
  }
  assert.fail('expected a rejection');
}

describe('cluster: kubeconfig file choice (kubectl precedence)', () => {
  const exists = (present: string[]) => (p: string) => present.includes(p);

  it('--kubeconfig alone wins over KUBECONFIG, and must exist', () => {
    assert.deepEqual(chooseConfigFiles('/x/cfg', { KUBECONFIG: '/a:/b' }, exists(['/x/cfg', '/a'])).files, ['/x/cfg']);
    assert.throws(
      () => chooseConfigFiles('/x/none', {}, exists([])),
      /kubeconfig file \/x\/none \(--kubeconfig\) does not exist/,
    );
  });

  it('KUBECONFIG: every existing file in order, missing ones and repeats skipped, ~/.kube/config not read', () => {
    const r = chooseConfigFiles(
      undefined,
      { KUBECONFIG: '/a::/missing:/b:/a', HOME: '/h' },
      exists(['/a', '/b', '/h/.kube/config']),
    );
    assert.deepEqual(r.files, ['/a', '/b']);
  });

  it('falls back to ~/.kube/config, else nothing', () => {
    assert.deepEqual(chooseConfigFiles(undefined, { HOME: '/h' }, exists(['/h/.kube/config'])).files, [
      '/h/.kube/config',
    ]);
    assert.deepEqual(chooseConfigFiles(undefined, { HOME: '/h' }, exists([])).files, []);
  });
});

describe('cluster: stays lazy', () => {
  function sources(d: string): string[] {
    return readdirSync(d, { withFileTypes: true }).flatMap((e) =>
      e.isDirectory() ? sources(path.join(d, e.name)) : e.name.endsWith('.ts') ? [path.join(d, e.name)] : [],
    );
  }
  const files = [...sources(path.join(ROOT, 'lib')), ...sources(path.join(ROOT, 'cmd'))];

  it('nothing outside lib/cluster imports it statically, but for its types and its lazy loader', () => {
    const offenders = files
      .filter((f) => !f.startsWith(path.join(ROOT, 'lib', 'cluster') + path.sep))
      .filter((f) =>
        /^\s*(import|export)\s(?!type\s)[^;]*?from\s+['"][^'"]*\/cluster(?!\/lazy['"])(\/[^'"]*)?['"]/m.test(
          readFileSync(f, 'utf8'),
        ),
      );
    assert.deepEqual(offenders, []);
    assert.ok(
      files.some((f) => /from '\.\.\/lib\/cluster\/lazy'/.test(readFileSync(f, 'utf8'))),
      'the CLI loads it through lib/cluster/lazy.ts',
    );
  });

  it('@kubernetes/client-node is imported by lib/cluster/client-node.ts alone', () => {
    const importers = files.filter((f) => /from\s+['"]@kubernetes\/client-node/.test(readFileSync(f, 'utf8')));
    assert.deepEqual(importers, [path.join(ROOT, 'lib', 'cluster', 'client-node.ts')]);
  });
});

describe('cluster: rule expansion', () => {
  const d: Discovery = {
    preferred: new Map([
      ['', 'v1'],
      ['apps', 'v1'],
      ['autoscaling', 'v2'],
    ]),
    resources: [
      res('', 'v1', 'pods', 'Pod'),
      res('', 'v1', 'bindings', 'Binding', true, ['create']),
      res('', 'v1', 'namespaces', 'Namespace', false),
      res('apps', 'v1', 'deployments', 'Deployment'),
      res('autoscaling', 'v2', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler'),
      res('autoscaling', 'v1', 'horizontalpodautoscalers', 'HorizontalPodAutoscaler'),
    ],
  };
  const names = (rs: ApiResource[]) => rs.map((r) => `${r.group}/${r.version}/${r.resource}`);

  it('names exact resources and drops subresources', () => {
    assert.deepEqual(
      names(expandRule(d, { apiGroups: [''], apiVersions: ['v1'], resources: ['pods', 'pods/status', '*/scale'] })),
      ['/v1/pods'],
    );
  });

  it('* versions means the preferred version; explicit versions are taken as given', () => {
    assert.deepEqual(names(expandRule(d, { apiGroups: ['autoscaling'], apiVersions: ['*'], resources: ['*'] })), [
      'autoscaling/v2/horizontalpodautoscalers',
    ]);
    assert.deepEqual(
      names(
        expandRule(d, { apiGroups: ['autoscaling'], apiVersions: ['v1'], resources: ['horizontalpodautoscalers'] }),
      ),
      ['autoscaling/v1/horizontalpodautoscalers'],
    );
  });

  it('* everywhere: every listable resource once', () => {
    assert.deepEqual(names(expandRule(d, { apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] })), [
      '/v1/pods',
      '/v1/namespaces',
      'apps/v1/deployments',
      'autoscaling/v2/horizontalpodautoscalers',
    ]);
  });
});

describe('cluster: listMany scheduling', () => {
  /** A list of `n` objects that records how many lists run at once, overall and per key. */
  function tracker() {
    const running = new Map<string, number>();
    const peak = new Map<string, number>();
    const bump = (k: string, d: number) => {
      running.set(k, (running.get(k) ?? 0) + d);
      peak.set(k, Math.max(peak.get(k) ?? 0, running.get(k)!));
    };
    async function* listOne(t: ListTarget): AsyncGenerator<KubeObject> {
      const keys = ['all', `res:${t.res.resource}`, `ns:${t.namespace}`];
      keys.forEach((k) => bump(k, 1));
      try {
        if (t.res.resource === 'secrets')
          throw new ClusterError('403 Forbidden: secrets is forbidden', 'forbidden', 403, 'Forbidden');
        for (let i = 0; i < 3; i++) {
          await new Promise((r) => setTimeout(r, 2));
          yield { apiVersion: 'v1', kind: t.res.kind, metadata: { name: `${t.namespace}-${i}` } };
        }
      } finally {
        keys.forEach((k) => bump(k, -1));
      }
    }
    return { listOne, peak, running };
  }
  const targets: ListTarget[] = [];
  for (const ns of ['a', 'b', 'c', 'd'])
    for (const r of [
      res('', 'v1', 'pods', 'Pod'),
      res('', 'v1', 'secrets', 'Secret'),
      res('', 'v1', 'configmaps', 'ConfigMap'),
    ])
      targets.push({ res: r, namespace: ns });

  it('a failing list is one error item and the others deliver everything', async () => {
    const { listOne } = tracker();
    const items = await collect(listMany(listOne, targets, { parallel: 3 }));
    const errors = items.filter((i): i is Extract<ListManyItem, { error: ClusterError }> => 'error' in i);
    assert.equal(errors.length, 4);
    assert.ok(errors.every((e) => e.error.status === 403 && e.target.res.resource === 'secrets'));
    assert.equal(items.length - errors.length, 8 * 3);
  });

  it('keeps to the overall, per-resource and per-namespace limits', async () => {
    const { listOne, peak } = tracker();
    await collect(listMany(listOne, targets, { parallel: 4, perResource: 1, perNamespace: 2 }));
    assert.equal(peak.get('all'), 3, 'three resources, one list each at a time');
    for (const r of ['pods', 'configmaps']) assert.equal(peak.get(`res:${r}`), 1);
    for (const ns of ['a', 'b', 'c', 'd']) assert.ok(peak.get(`ns:${ns}`)! <= 2);
    const { listOne: l2, peak: p2 } = tracker();
    await collect(listMany(l2, targets, { parallel: 5 }));
    assert.equal(p2.get('all'), 5);
  });

  it('a consumer that stops early stops the lists', async () => {
    const { listOne, running } = tracker();
    let n = 0;
    // eslint-disable-next-line @typescript-eslint/no-unused-vars -- only the count of items matters
    for await (const _ of listMany(listOne, targets, { parallel: 2 })) if (++n === 2) break;
    await new Promise((r) => setTimeout(r, 30));
    assert.equal(running.get('all'), 0, 'no list is still running');
    assert.ok(!running.has('ns:d'), 'targets not yet started never start');
  });
});

/** A CRD the way `kubectl apply` would store it. */
const WIDGET_CRD: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { plural: 'widgets', singular: 'widget', kind: 'Widget', listKind: 'WidgetList' },
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      },
    ],
  },
};

const pod = (namespace: string, name: string): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name, namespace, labels: { app: name.replace(/-\d+$/, '') } },
  spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] },
});

describe('cluster: against the test API server', function () {
  this.timeout(60000);
  let api: TestApiServer;
  let dir: string;
  let kubeconfig: string;
  let lines: string[];
  const PODS = ['web-1', 'web-2', 'web-3', 'db-1', 'db-2'];

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-cluster-'));
    api = await startApiServer({
      crds: [WIDGET_CRD],
      objects: [
        ...PODS.map((n) => pod('pag', n)),
        { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w1', namespace: 'pag' }, spec: { size: 3 } },
        { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's1', namespace: 'pag' }, data: {} },
        { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c1', namespace: 'pag' }, data: { a: '1' } },
      ],
      forbidden: [
        { user: 'test-admin', group: '', resource: 'secrets' },
        { user: 'bob', group: 'apps', resource: 'deployments', verb: 'delete' },
      ],
    });
    kubeconfig = api.kubeconfig(dir, { context: 'main', namespace: 'pag' });
  });
  after(async () => {
    await api?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => {
    lines = [];
    api.requests.length = 0;
  });

  /** Options with an environment of our own: no KUBECONFIG, a HOME without .kube, not in a pod. */
  const opts = (o: Partial<ClusterOptions> = {}): ClusterOptions => ({
    log: createLogger('debug', (l) => lines.push(l)),
    env: { HOME: path.join(dir, 'no-home') },
    serviceAccountDir: path.join(dir, 'no-sa'),
    ...o,
  });

  let connected: Cluster[] = [];
  const connect = async (o: Partial<ClusterOptions> = {}) => {
    const c = await connectCluster(opts(o));
    connected.push(c);
    return c;
  };
  afterEach(() => {
    for (const c of connected) c.close();
    connected = [];
  });

  /** A kubeconfig file with a given user entry (exec plugins, certificate data, ...). */
  function writeConfig(
    name: string,
    user: Record<string, unknown>,
    cluster: Record<string, unknown> = { server: api.url, 'certificate-authority': api.caFile },
    namespace?: string,
  ): string {
    const file = path.join(dir, name);
    writeFileSync(
      file,
      stringify({
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name, cluster }],
        users: [{ name, user }],
        contexts: [{ name, context: { cluster: name, user: name, ...(namespace ? { namespace } : {}) } }],
        'current-context': name,
      }),
    );
    return file;
  }

  describe('configuration', () => {
    it('KUBECONFIG with several files: the first to name a context wins, and so does its current-context', async () => {
      const one = api.kubeconfig(dir, { context: 'one', namespace: 'ns-one', fileName: 'k-one' });
      const two = api.kubeconfig(dir, { context: 'two', namespace: 'ns-two', fileName: 'k-two' });
      // Names context "one" too, with a bad token and another namespace: it must be shadowed.
      const shadow = api.kubeconfig(dir, { context: 'one', namespace: 'shadow', token: 'bad', fileName: 'k-shadow' });
      const env = (files: string[]) => ({ KUBECONFIG: files.join(path.delimiter), HOME: dir });

      const a = await connect({ env: env([one, path.join(dir, 'missing'), two]) });
      assert.deepEqual([a.context, a.namespace, a.server], ['one', 'ns-one', api.url]);
      const b = await connect({ env: env([two, one]) });
      assert.deepEqual([b.context, b.namespace], ['two', 'ns-two']);
      const c = await connect({ env: env([one, two]), context: 'two' });
      assert.deepEqual([c.context, c.namespace], ['two', 'ns-two']);
      const d = await connect({ env: env([one, shadow]) });
      assert.equal(d.namespace, 'ns-one');
      assert.ok(
        await d.get(await mustResolve(d, 'v1', 'Pod'), 'web-1', 'pag'),
        "the first file's user (good token) is used",
      );
      const e = await connect({ env: env([shadow, one]) });
      assert.equal(e.namespace, 'shadow');
      assert.equal((await rejects(e.discover())).status, 401);
    });

    it('--kubeconfig wins over KUBECONFIG; -n over the context namespace; "default" without either', async () => {
      const other = api.kubeconfig(dir, { context: 'other', fileName: 'k-other' });
      const a = await connect({ kubeconfig: kubeconfig, env: { KUBECONFIG: other } });
      assert.deepEqual([a.context, a.namespace], ['main', 'pag']);
      const b = await connect({ kubeconfig: kubeconfig, namespace: 'team-b' });
      assert.equal(b.namespace, 'team-b');
      const c = await connect({ kubeconfig: other });
      assert.equal(c.namespace, 'default');
    });

    it('~/.kube/config when nothing else is named', async () => {
      const home = path.join(dir, 'home');
      mkdirSync(path.join(home, '.kube'), { recursive: true });
      api.kubeconfig(path.join(home, '.kube'), { context: 'from-home', fileName: 'config' });
      const c = await connect({ env: { HOME: home } });
      assert.equal(c.context, 'from-home');
    });

    it('in-cluster service account when there is no kubeconfig', async () => {
      const sa = path.join(dir, 'sa');
      mkdirSync(sa, { recursive: true });
      writeFileSync(path.join(sa, 'token'), api.token + '\n');
      writeFileSync(path.join(sa, 'ca.crt'), api.caPem);
      writeFileSync(path.join(sa, 'namespace'), 'pag');
      const port = new URL(api.url).port;
      const c = await connect({
        env: { HOME: path.join(dir, 'no-home'), KUBERNETES_SERVICE_HOST: '127.0.0.1', KUBERNETES_SERVICE_PORT: port },
        serviceAccountDir: sa,
      });
      assert.deepEqual([c.server, c.namespace], [api.url, 'pag']);
      assert.ok(await c.get(await mustResolve(c, 'v1', 'Pod'), 'web-1'));
    });

    it('no configuration, an unknown context, a missing file: config errors that say what is wrong', async () => {
      const none = await rejects(connect());
      assert.equal(none.kind, 'config');
      assert.match(none.message, /no Kubernetes cluster configured/);
      const ctx = await rejects(connect({ kubeconfig, context: 'nope' }));
      assert.match(ctx.message, /context "nope" not found in .*kubeconfig \(contexts: main\)/);
      const broken = path.join(dir, 'broken');
      writeFileSync(broken, 'clusters: [{name: x}]\n');
      assert.match(
        (await rejects(connect({ kubeconfig: broken }))).message,
        /kubeconfig .*broken is not valid: clusters\[0\]\.cluster is missing/,
      );
    });
  });

  describe('authentication', () => {
    it('a bad token is a typed 401 that names the server and context', async () => {
      const bad = api.kubeconfig(dir, { context: 'bad', token: 'not-a-token', fileName: 'k-bad' });
      const c = await connect({ kubeconfig: bad });
      const err = await rejects(c.discover());
      assert.deepEqual([err.kind, err.status, err.reason], ['unauthorized', 401, 'Unauthorized']);
      assert.ok(err.message.startsWith(`401 Unauthorized from ${api.url} (context bad)`), err.message);
      assert.ok(!err.message.includes('not-a-token'), 'no credential in the message');
    });

    /** An exec plugin script that logs each run to `calls` and prints the token `token.sh` chooses. */
    function execPlugin(name: string, tokenScript: string): { file: string; calls: () => number } {
      const plugins = path.join(dir, 'plugins');
      mkdirSync(plugins, { recursive: true });
      const calls = path.join(dir, `${name}-calls`);
      writeFileSync(calls, '');
      const script = path.join(plugins, `${name}.sh`);
      writeFileSync(
        script,
        `#!/bin/sh\necho call >> "${calls}"\nn=$(wc -l < "${calls}")\n${tokenScript}\nprintf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"%s"}}' "$token"\n`,
      );
      chmodSync(script, 0o755);
      // Named relative to the kubeconfig, which kubectl resolves against the file's directory.
      const file = writeConfig(name, {
        exec: {
          apiVersion: 'client.authentication.k8s.io/v1',
          command: `./plugins/${name}.sh`,
          env: [{ name: 'TEST_TOKEN', value: api.token }],
          interactiveMode: 'Never',
        },
      });
      return { file, calls: () => readFileSync(calls, 'utf8').split('\n').filter(Boolean).length };
    }

    it('an exec credential plugin supplies the token, run once for many requests', async () => {
      const plugin = execPlugin('exec', 'token="$TEST_TOKEN"');
      const c = await connect({ kubeconfig: plugin.file });
      const pods = await collect(c.list(await mustResolve(c, 'v1', 'Pod'), { namespace: 'pag', pageSize: 2 }));
      assert.equal(pods.length, PODS.length);
      const targets = ['Pod', 'ConfigMap', 'Namespace'].map(async (k) => ({ res: await mustResolve(c, 'v1', k) }));
      await collect(c.listMany(await Promise.all(targets), { parallel: 3 }));
      assert.ok(api.requests.length >= 8 && api.requests.every((r) => r.user === 'test-admin'));
      assert.equal(plugin.calls(), 1);
    });

    it('a 401 runs the exec plugin again, once', async () => {
      // The first answer is a token the server does not know (expired, say); the next ones are good.
      const plugin = execPlugin('exec-rotating', 'if [ "$n" = 1 ]; then token=stale; else token="$TEST_TOKEN"; fi');
      const c = await connect({ kubeconfig: plugin.file });
      assert.ok((await c.discover()).length > 0);
      assert.equal(plugin.calls(), 2);
      assert.deepEqual(api.requests.map((r) => r.status).sort(), [200, 200, 401, 401]);
    });

    it("a token file relative to the kubeconfig, trimmed; an unused user's missing token file is no error", async () => {
      const sub = path.join(dir, 'tf');
      mkdirSync(sub, { recursive: true });
      writeFileSync(path.join(sub, 'token'), `${api.token}\n`);
      const file = path.join(sub, 'config');
      writeFileSync(
        file,
        stringify({
          clusters: [{ name: 'c', cluster: { server: api.url, 'certificate-authority': api.caFile } }],
          users: [
            { name: 'u', user: { 'token-file': 'token' } },
            { name: 'unused', user: { 'token-file': 'missing' } },
          ],
          contexts: [{ name: 'tf', context: { cluster: 'c', user: 'u' } }],
          'current-context': 'tf',
        }),
      );
      const c = await connect({ kubeconfig: file });
      assert.ok((await c.discover()).length > 0);
    });

    it('a legacy auth-provider is refused with a pointer to exec plugins', async () => {
      const file = writeConfig('oidc', { 'auth-provider': { name: 'oidc', config: { 'id-token': 'x' } } });
      const err = await rejects((await connect({ kubeconfig: file })).discover());
      assert.equal(err.kind, 'credentials');
      assert.match(err.message, /uses the auth-provider "oidc", which is not supported; use an exec credential plugin/);
    });

    it('a failing exec plugin is a credentials error', async () => {
      const file = writeConfig('exec-fail', {
        exec: { apiVersion: 'client.authentication.k8s.io/v1', command: '/bin/false' },
      });
      const c = await connect({ kubeconfig: file });
      const err = await rejects(c.discover());
      assert.equal(err.kind, 'credentials');
      assert.match(
        err.message,
        /^cannot get credentials for https:\/\/127\.0\.0\.1:\d+ \(context exec-fail\), user "exec-fail": the exec plugin \/bin\/false failed$/,
      );
    });

    it('client certificates, as files and as data', async () => {
      const cert = api.clientCert('alice', ['team-a']);
      const asFiles = api.kubeconfig(dir, { context: 'cert-files', clientCert: cert, fileName: 'k-cert' });
      const asData = writeConfig('cert-data', {
        'client-certificate-data': readFileSync(cert.certFile).toString('base64'),
        'client-key-data': readFileSync(cert.keyFile).toString('base64'),
      });
      for (const file of [asFiles, asData]) {
        api.requests.length = 0;
        const c = await connect({ kubeconfig: file });
        assert.ok(await c.get(await mustResolve(c, 'v1', 'Pod'), 'web-1', 'pag'));
        assert.ok(
          api.requests.length > 0 && api.requests.every((r) => r.user === 'alice'),
          JSON.stringify(api.requests),
        );
      }
    });

    it('TLS: an unknown CA fails clearly; insecure-skip-tls-verify accepts it', async () => {
      const noCa = writeConfig('no-ca', { token: api.token }, { server: api.url });
      const err = await rejects((await connect({ kubeconfig: noCa })).discover());
      assert.equal(err.kind, 'tls');
      assert.match(
        err.message,
        /TLS handshake with https:\/\/127\.0\.0\.1:\d+ \(context no-ca\) failed: .*certificate/,
      );
      const insecure = writeConfig(
        'insecure',
        { token: api.token },
        { server: api.url, 'insecure-skip-tls-verify': true },
      );
      assert.ok((await (await connect({ kubeconfig: insecure })).discover()).length > 0);
    });

    it('an unreachable server is a connection error naming it', async () => {
      const file = writeConfig(
        'down',
        { token: api.token },
        { server: 'https://127.0.0.1:1', 'certificate-authority': api.caFile },
      );
      const err = await rejects((await connect({ kubeconfig: file })).discover());
      assert.equal(err.kind, 'connection');
      assert.match(
        err.message,
        /^cannot reach https:\/\/127\.0\.0\.1:1 \(context down\): connect ECONNREFUSED 127\.0\.0\.1:1/,
      );
    });
    it('proxy-url: requests go through a CONNECT tunnel (with proxy credentials); a refused tunnel is an error', async () => {
      const tunnels: string[] = [];
      const proxy = http.createServer((_req, res) => res.writeHead(405).end());
      proxy.on('connect', (req: http.IncomingMessage, client: net.Socket, head: Buffer) => {
        const auth = req.headers['proxy-authorization'];
        if (auth !== `Basic ${Buffer.from('me:s3cret').toString('base64')}`)
          return client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
        tunnels.push(req.url ?? '');
        const [host, port] = (req.url ?? '').split(':');
        const upstream = net.connect(Number(port), host, () => {
          client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
          upstream.write(head);
          upstream.pipe(client).on('error', () => {});
          client.pipe(upstream).on('error', () => {});
        });
        upstream.on('error', () => client.destroy());
      });
      await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', () => r()));
      try {
        const proxyPort = (proxy.address() as net.AddressInfo).port;
        const cluster = (proxyUrl: string) => ({
          server: api.url,
          'certificate-authority': api.caFile,
          'proxy-url': proxyUrl,
        });
        const good = writeConfig('proxied', { token: api.token }, cluster(`http://me:s3cret@127.0.0.1:${proxyPort}`));
        const c = await connect({ kubeconfig: good });
        const pods = await collect(c.list(await mustResolve(c, 'v1', 'Pod'), { namespace: 'pag', pageSize: 2 }));
        assert.equal(pods.length, PODS.length);
        const apiHost = new URL(api.url).host;
        assert.ok(tunnels.length >= 1 && tunnels.length <= 2, `connections kept alive: ${tunnels.length}`);
        assert.ok(tunnels.every((t) => t === apiHost));

        const refused = writeConfig('proxy-refused', { token: api.token }, cluster(`http://127.0.0.1:${proxyPort}`));
        const err = await rejects((await connect({ kubeconfig: refused })).discover());
        assert.equal(err.kind, 'connection');
        assert.equal(
          err.message,
          `the proxy http://127.0.0.1:${proxyPort}/ refused the tunnel to ${apiHost}: 407 Proxy Authentication Required`,
        );

        const socks = writeConfig('socks', { token: api.token }, cluster('socks5://127.0.0.1:1080'));
        assert.match(
          (await rejects(connect({ kubeconfig: socks }))).message,
          /the proxy socks5:\/\/127\.0\.0\.1:1080 for .* is not supported: only http:\/\/ and https:\/\/ proxies are/,
        );
      } finally {
        proxy.close();
      }
    });

    it("HTTPS_PROXY is not used for a loopback server (Go's rule)", async () => {
      const c = await connect({ kubeconfig, env: { HTTPS_PROXY: 'http://127.0.0.1:1' } });
      assert.ok((await c.discover()).length > 0);
    });

    it('a server that never answers: a timeout error after requestTimeoutMs', async () => {
      const silent = net.createServer(() => {});
      await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
      try {
        const port = (silent.address() as net.AddressInfo).port;
        const file = writeConfig(
          'silent',
          { token: api.token },
          { server: `https://127.0.0.1:${port}`, 'certificate-authority': api.caFile },
        );
        const started = Date.now();
        const err = await rejects((await connect({ kubeconfig: file, requestTimeoutMs: 300 })).discover());
        assert.equal(err.kind, 'timeout');
        assert.match(
          err.message,
          new RegExp(
            `^no answer from https://127\\.0\\.0\\.1:${port} \\(context silent\\) to GET /apis? within 300 ms$`,
          ),
        );
        assert.ok(Date.now() - started < 5000);
      } finally {
        silent.close();
      }
    });
  });

  describe('discovery', () => {
    it('aggregated discovery in two requests, CRDs included, the same resources as legacy discovery', async () => {
      const c = await connect({ kubeconfig });
      const resources = await c.discover();
      assert.deepEqual(api.requests.map((r) => r.path).sort(), ['/api', '/apis']);
      await c.discover();
      assert.equal(api.requests.length, 2, 'cached');
      const widget = resources.find((r) => r.kind === 'Widget');
      assert.deepEqual(widget, {
        group: 'example.com',
        version: 'v1',
        resource: 'widgets',
        kind: 'Widget',
        namespaced: true,
        verbs: widget?.verbs,
      });
      assert.ok(widget!.verbs.includes('list'));
      assert.ok(!resources.some((r) => r.resource.includes('/')), 'no subresources');

      // The legacy documents, asked for as a server without aggregated discovery would answer them.
      const t = createTransport(resolveKubeConfig({ kubeconfig, env: {} }), 10000);
      const legacyOnly: Transport = { ...t, json: (m, p, o) => t.json(m, p, { ...o, accept: 'application/json' }) };
      const legacy = await discover(legacyOnly, silentLogger);
      t.close();
      const key = (r: ApiResource) =>
        `${r.group}/${r.version}/${r.resource}/${r.kind}/${r.namespaced}/${[...r.verbs].sort().join(',')}`;
      assert.deepEqual(legacy.resources.map(key).sort(), resources.map(key).sort());
    });

    it('resolve and resourcesFor', async () => {
      const c = await connect({ kubeconfig });
      assert.deepEqual(
        await c.resolve('apps/v1', 'Deployment'),
        (await c.discover()).find((r) => r.resource === 'deployments' && r.group === 'apps'),
      );
      assert.equal((await c.resolve('example.com/v1', 'Widget'))?.resource, 'widgets');
      assert.equal(await c.resolve('example.com/v2', 'Widget'), undefined);
      const all = await c.resourcesFor({ apiGroups: ['*'], apiVersions: ['*'], resources: ['*'] });
      assert.ok(all.some((r) => r.resource === 'widgets'));
      assert.deepEqual(
        all.filter((r) => r.resource === 'horizontalpodautoscalers').map((r) => r.version),
        ['v2'],
        'preferred version only',
      );
      assert.ok(all.every((r) => r.verbs.includes('list')));
      const some = await c.resourcesFor({
        apiGroups: ['', 'apps'],
        apiVersions: ['v1'],
        resources: ['pods', 'pods/log', 'deployments'],
      });
      assert.deepEqual(some.map((r) => r.resource).sort(), ['deployments', 'pods']);
    });
  });

  describe('objects', () => {
    it('lists page by page (pageSize 2: three requests), with apiVersion/kind set', async () => {
      const c = await connect({ kubeconfig });
      const pods = await collect(c.list(await mustResolve(c, 'v1', 'Pod'), { namespace: 'pag', pageSize: 2 }));
      assert.deepEqual(pods.map((p) => p.metadata?.name).sort(), [...PODS].sort());
      assert.ok(pods.every((p) => p.apiVersion === 'v1' && p.kind === 'Pod'));
      const lists = api.requests.filter((r) => r.path === '/api/v1/namespaces/pag/pods');
      assert.equal(lists.length, 3);
      assert.deepEqual(
        lists.map((r) => r.query.limit),
        ['2', '2', '2'],
      );
      assert.equal(lists[0].query.continue, undefined);
      assert.ok(lists[1].query.continue && lists[2].query.continue);
    });

    it('selectors and all namespaces', async () => {
      const c = await connect({ kubeconfig });
      const podsRes = await mustResolve(c, 'v1', 'Pod');
      const web = await collect(c.list(podsRes, { labelSelector: 'app=web' }));
      assert.deepEqual(web.map((p) => p.metadata?.name).sort(), ['web-1', 'web-2', 'web-3']);
      assert.equal(api.requests.at(-1)?.path, '/api/v1/pods');
      const one = await collect(c.list(podsRes, { namespace: 'pag', fieldSelector: 'metadata.name=db-2' }));
      assert.deepEqual(
        one.map((p) => p.metadata?.name),
        ['db-2'],
      );
    });

    it('410 Gone in the middle of a list: restarted once, with a warning, no object twice; a second 410 is an error', async () => {
      const c = await connect({ kubeconfig });
      const podsRes = await mustResolve(c, 'v1', 'Pod');
      const names: string[] = [];
      for await (const p of c.list(podsRes, { namespace: 'pag', pageSize: 2 })) {
        names.push(p.metadata!.name!);
        if (names.length === 2) api.expireContinueTokens();
      }
      assert.deepEqual(names.sort(), [...PODS].sort());
      assert.ok(
        lines.some((l) =>
          /^warn: the list of pods in namespace pag expired on .* after 1 page\(s\) \(410 Gone\); listing again from the start$/.test(
            l,
          ),
        ),
        lines.join('\n'),
      );
      assert.deepEqual(
        api.requests.filter((r) => r.path.endsWith('/pods')).map((r) => r.status),
        [200, 410, 200, 200, 200],
      );

      const again: string[] = [];
      const err = await rejects(
        (async () => {
          for await (const p of c.list(podsRes, { namespace: 'pag', pageSize: 2 })) {
            again.push(p.metadata!.name!);
            if (again.length === 2 || again.length === 4) api.expireContinueTokens();
          }
        })(),
      );
      assert.deepEqual([err.kind, err.status, err.reason], ['gone', 410, 'Expired']);
    });

    it('listMany: a 403 on one target is an error item, the others go on', async () => {
      const c = await connect({ kubeconfig });
      const targets: ListTarget[] = [
        { res: await mustResolve(c, 'v1', 'Pod'), namespace: 'pag' },
        { res: await mustResolve(c, 'v1', 'Secret') },
        { res: await mustResolve(c, 'v1', 'ConfigMap'), namespace: 'pag' },
        { res: await mustResolve(c, 'example.com/v1', 'Widget') },
      ];
      const items = await collect(c.listMany(targets, { parallel: 2, list: { pageSize: 2 } }));
      const errors = items.filter((i) => 'error' in i) as Array<{ target: ListTarget; error: ClusterError }>;
      assert.equal(errors.length, 1);
      assert.equal(errors[0].target.res.resource, 'secrets');
      assert.deepEqual(
        [errors[0].error.kind, errors[0].error.status, errors[0].error.reason],
        ['forbidden', 403, 'Forbidden'],
      );
      assert.match(
        errors[0].error.message,
        /^403 Forbidden from https:\/\/127\.0\.0\.1:\d+ \(context main\): secrets is forbidden/,
      );
      const objects = items.flatMap((i) => ('object' in i ? [`${i.object.kind}/${i.object.metadata?.name}`] : []));
      assert.deepEqual(objects.sort(), ['ConfigMap/c1', 'Widget/w1', ...PODS.map((p) => `Pod/${p}`)].sort());
    });

    it('get: the object, or undefined on 404; other errors are thrown', async () => {
      const c = await connect({ kubeconfig });
      const podsRes = await mustResolve(c, 'v1', 'Pod');
      const p = await c.get(podsRes, 'web-2');
      assert.equal(p?.metadata?.namespace, 'pag', 'the context namespace is the default');
      assert.equal(await c.get(podsRes, 'nope'), undefined);
      assert.equal(await c.get(podsRes, 'web-2', 'elsewhere'), undefined);
      const err = await rejects(c.get(await mustResolve(c, 'v1', 'Secret'), 's1'));
      assert.equal(err.status, 403);
      const ns = await c.get(await mustResolve(c, 'v1', 'Namespace'), 'pag');
      assert.deepEqual([ns?.apiVersion, ns?.kind], ['v1', 'Namespace']);
    });

    it('SubjectAccessReview', async () => {
      const c = await connect({ kubeconfig });
      const denied = await c.subjectAccessReview({
        user: 'bob',
        resourceAttributes: { verb: 'delete', group: 'apps', resource: 'deployments', namespace: 'pag' },
      });
      assert.equal(denied.allowed, false);
      const allowed = await c.subjectAccessReview({
        user: 'bob',
        resourceAttributes: { verb: 'list', group: 'apps', resource: 'deployments', namespace: 'pag' },
      });
      assert.equal(allowed.allowed, true);
      assert.equal(api.requests.at(-1)?.path, '/apis/authorization.k8s.io/v1/subjectaccessreviews');
      const bad = await rejects(c.subjectAccessReview({ resourceAttributes: { verb: 'get', resource: 'pods' } }));
      assert.equal(bad.status, 400);
    });

    it('apply: creates, then updates with the current resourceVersion', async () => {
      const c = await connect({ kubeconfig });
      const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'applied' }, data: { v: '1' } };
      const created = await c.apply(cm);
      assert.equal(created.metadata?.namespace, 'pag');
      const rv1 = created.metadata?.resourceVersion as string;
      const updated = await c.apply({ ...cm, data: { v: '2' } });
      assert.deepEqual(updated.data, { v: '2' });
      assert.equal(updated.metadata?.uid, created.metadata?.uid);
      assert.ok(Number(updated.metadata?.resourceVersion) > Number(rv1));
      const writes = api.requests.filter((r) => r.method !== 'GET' && r.path.includes('configmaps'));
      assert.deepEqual(
        writes.map((r) => `${r.method} ${r.path} ${r.status}`),
        ['POST /api/v1/namespaces/pag/configmaps 201', 'PUT /api/v1/namespaces/pag/configmaps/applied 200'],
      );
      const unknown = await rejects(c.apply({ apiVersion: 'example.com/v9', kind: 'Gadget', metadata: { name: 'g' } }));
      assert.equal(unknown.kind, 'not-found');
      assert.match(unknown.message, /does not serve Gadget in example\.com\/v9/);
    });

    it('apply with a known state: one request; a state that is out of date falls back to reading the object', async () => {
      const c = await connect({ kubeconfig });
      const cm: KubeObject = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'known' }, data: { v: '1' } };
      const writes = () =>
        api.requests.filter((r) => r.path.includes('configmaps/known') || r.path.endsWith('configmaps'));
      const since = (n: number): string[] =>
        writes()
          .slice(n)
          .map((r) => `${r.method} ${r.status}`);
      const before = writes().length;
      const created = await c.apply(cm, { exists: false });
      const rv = created.metadata?.resourceVersion as string;
      const updated = await c.apply({ ...cm, data: { v: '2' } }, { exists: true, resourceVersion: rv });
      assert.deepEqual(updated.data, { v: '2' });
      assert.deepEqual(since(before), ['POST 201', 'PUT 200'], 'no read before either write');
      // Out of date: it exists (409 AlreadyExists), it changed (409 Conflict), it was deleted (404): read, then write.
      const again = writes().length;
      assert.deepEqual((await c.apply({ ...cm, data: { v: '3' } }, { exists: false })).data, { v: '3' });
      assert.deepEqual((await c.apply({ ...cm, data: { v: '4' } }, { exists: true, resourceVersion: rv })).data, {
        v: '4',
      });
      api.objects.delete('', 'ConfigMap', 'pag', 'known');
      const recreated = await c.apply({ ...cm, data: { v: '5' } }, { exists: true, resourceVersion: rv });
      assert.deepEqual(recreated.data, { v: '5' });
      assert.deepEqual(since(again), [
        'POST 409',
        'GET 200',
        'PUT 200',
        'PUT 409',
        'GET 200',
        'PUT 200',
        'PUT 404',
        'GET 404',
        'POST 201',
      ]);
    });

    it('lists metadata only when asked (PartialObjectMetadataList), the same objects', async () => {
      const c = await connect({ kubeconfig });
      const res = await mustResolve(c, 'v1', 'Pod');
      const whole = await collect(c.list(res, { namespace: 'pag', pageSize: 2 }));
      const meta = await collect(c.list(res, { namespace: 'pag', pageSize: 2, metadataOnly: true }));
      assert.ok(whole.length > 2, 'more than one page');
      assert.deepEqual(
        meta.map((o) => o.metadata),
        whole.map((o) => o.metadata),
      );
      assert.ok(
        meta.every((o) => o.spec === undefined && o.kind === 'PartialObjectMetadata'),
        'only the metadata came back',
      );
    });

    it('lists what real kubectl lists from the same server', async () => {
      const c = await connect({ kubeconfig });
      for (const [apiVersion, kind, plural] of [
        ['v1', 'Pod', 'pods'],
        ['example.com/v1', 'Widget', 'widgets'],
      ]) {
        const ours = await collect(c.list(await mustResolve(c, apiVersion, kind), { namespace: 'pag', pageSize: 2 }));
        // Asynchronously: the server answers from this very process.
        const { stdout: out } = await promisify(execFile)(
          '/usr/bin/kubectl',
          ['--kubeconfig', kubeconfig, 'get', plural, '-n', 'pag', '-o', 'json', '--chunk-size', '2'],
          { encoding: 'utf8' },
        );
        const theirs = (JSON.parse(out) as { items: KubeObject[] }).items;
        assert.deepEqual(
          ours.map((o) => [o.metadata?.uid, o.metadata?.name, o.metadata?.resourceVersion, o.apiVersion, o.kind]),
          theirs.map((o) => [o.metadata?.uid, o.metadata?.name, o.metadata?.resourceVersion, o.apiVersion, o.kind]),
        );
      }
    });
  });
});

async function mustResolve(c: Cluster, apiVersion: string, kind: string): Promise<ApiResource> {
  const r = await c.resolve(apiVersion, kind);
  assert.ok(r, `${apiVersion} ${kind} is served`);
  return r;
}

describe('cluster: transport on kept-alive connections', () => {
  it('sends a request again, once, when the server closed the reused connection as it went out', async () => {
    // Answers the first request of every connection, and drops the connection at the second (as a server whose
    // idle timeout fires just as the client reuses the connection).
    let served = 0;
    const server = http.createServer((req, res) => {
      const socket = req.socket as net.Socket & { handled?: number };
      socket.handled = (socket.handled ?? 0) + 1;
      if (socket.handled > 1) {
        socket.destroy();
        return;
      }
      served++;
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify({ n: served }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const dir = mkdtempSync(path.join(tmpdir(), 'kwp-transport-'));
    try {
      const port = (server.address() as net.AddressInfo).port;
      const kc = path.join(dir, 'config');
      writeFileSync(
        kc,
        stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [{ name: 'c', cluster: { server: `http://127.0.0.1:${port}` } }],
          users: [{ name: 'u', user: { token: 't' } }],
          contexts: [{ name: 'x', context: { cluster: 'c', user: 'u' } }],
          'current-context': 'x',
        }),
      );
      const t = createTransport(resolveKubeConfig({ kubeconfig: kc, env: {} }), 10000);
      try {
        assert.deepEqual(await t.json('GET', '/a'), { n: 1 });
        // Sent on the kept-alive connection, which the server drops: answered on a new one.
        assert.deepEqual(await t.json('POST', '/b', { body: {} }), { n: 2 });
        assert.deepEqual(await t.json('GET', '/c'), { n: 3 });
      } finally {
        t.close();
      }
    } finally {
      server.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
