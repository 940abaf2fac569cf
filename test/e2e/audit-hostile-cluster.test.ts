import { strict as assert } from 'node:assert';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { KubeObject } from '../../lib/manifests';
import { startApiServer, type TestApiServer } from '../servers/apiserver/index';
import { writeFileSync } from 'node:fs';
import { kubewardenCrds } from '../servers/apiserver/crds';
import { testHome } from '../servers/registry/env';
import { registryAvailable, startRegistry } from '../servers/registry/registry';
import { ROOT, runCli } from '../support/cli';

/**
 * A hostile or broken API server: the audit ends, and what it cannot use is one error result (issue 16). Each
 * case would run forever or end in a stack trace without the limit it tests.
 */

interface AuditDoc {
  results: {
    source: { file: string };
    object?: { kind: string; name?: string; namespace?: string };
    policy?: string;
    verdict: string;
    message?: string;
  }[];
}

function pod(name: string, namespace: string, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace },
    spec: { containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { privileged: true } }], ...extra },
  };
}

function nested(depth: number): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  let at = root;
  for (let i = 0; i < depth; i++) {
    const next: Record<string, unknown> = {};
    at.x = next;
    at = next;
  }
  return root;
}

describe('audit against a hostile API server', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-audit-hostile-'));
  });

  async function withServer(
    opts: Parameters<typeof startApiServer>[0],
    fn: (api: TestApiServer, kubeconfig: string) => Promise<void>,
  ): Promise<void> {
    const api = await startApiServer(opts);
    try {
      await fn(api, api.kubeconfig(mkdtempSync(path.join(dir, 'kc-'))));
    } finally {
      await api.close();
    }
  }

  it('a continue token the server gives again ends that list with an error; the other lists go on', async () => {
    const objects = [
      pod('a', 'team-a'),
      pod('b', 'team-a'),
      pod('c', 'team-a'),
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd', namespace: 'team-a' },
        spec: {
          template: { spec: { containers: [{ name: 'c', image: 'x:1', securityContext: { privileged: true } }] } },
        },
      },
    ];
    await withServer({ objects, repeatContinue: true }, async (api, kc) => {
      const r = await runCli([
        'audit',
        '-n',
        'team-a',
        '--kubeconfig',
        kc,
        '-p',
        'builtin://pss-privileged',
        '--page-size',
        '1',
        '-o',
        'json',
      ]);
      assert.equal(r.code, 2, r.stderr);
      const doc = JSON.parse(r.stdout) as AuditDoc;
      const errors = doc.results.filter((x) => x.verdict === 'error');
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.match(
        errors[0].message!,
        /^cannot list pods in namespace team-a: the list of pods in namespace team-a from https:\/\/127\.0\.0\.1:\d+ .*did not end: the server answered page 2 with a continue token it had already given/,
      );
      assert.ok(
        doc.results.some((x) => x.object?.name === 'd' && x.verdict === 'fail'),
        'the deployments were audited',
      );
      // The first page and one continue of the pods list: the repeat is seen on the first token given twice.
      assert.equal(api.requests.filter((q) => q.path.endsWith('/pods') && q.query.continue).length, 1);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    });
  });

  it('--max-pages bounds the pages of one list (default 10000, documented)', async () => {
    const objects = [pod('a', 'team-a'), pod('b', 'team-a'), pod('c', 'team-a')];
    await withServer({ objects }, async (_api, kc) => {
      const r = await runCli([
        'audit',
        '-n',
        'team-a',
        '--kubeconfig',
        kc,
        '-p',
        'builtin://pss-privileged',
        '--page-size',
        '1',
        '--max-pages',
        '2',
        '-o',
        'json',
      ]);
      assert.equal(r.code, 2, r.stderr);
      const doc = JSON.parse(r.stdout) as AuditDoc;
      const err = doc.results.find((x) => x.verdict === 'error')!;
      assert.match(err.message!, /was cut after 2 pages of 1 objects \(--max-pages\)/);
      // The objects of the pages read were audited.
      assert.deepEqual(
        doc.results.filter((x) => x.verdict === 'fail').map((x) => x.object!.name),
        ['a', 'b'],
      );
    });
    const help = await runCli(['audit', '--help']);
    assert.match(help.stdout, /--max-pages[^[]*\[number\] \[default: 10000\]/);
  });

  it('one object nested 9,000 deep is one error result; the other objects get theirs', async () => {
    const objects = [pod('deep', 'team-a', { deep: nested(9000) }), pod('ok', 'team-a')];
    await withServer({ objects }, async (_api, kc) => {
      const r = await runCli([
        'audit',
        '-n',
        'team-a',
        '--kubeconfig',
        kc,
        '-p',
        'builtin://pss-privileged',
        '-o',
        'json',
      ]);
      assert.equal(r.code, 2, r.stderr);
      assert.doesNotMatch(r.stderr, /RangeError|\n\s+at /);
      const doc = JSON.parse(r.stdout) as AuditDoc;
      const byName = Object.fromEntries(doc.results.map((x) => [x.object!.name, x]));
      assert.equal(byName.deep.verdict, 'error');
      assert.equal(byName.deep.message, 'the object nests deeper than 1000 levels');
      assert.equal(byName.ok.verdict, 'fail');
    });
  });

  const rules = [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] }];
  const clusterPolicy = (name: string, module: string, policyServer?: string): KubeObject => ({
    apiVersion: 'policies.kubewarden.io/v1',
    kind: 'ClusterAdmissionPolicy',
    metadata: { name },
    spec: { module, rules, ...(policyServer ? { policyServer } : {}) },
    status: { policyStatus: 'active' },
  });

  it('a module from the cluster may not be a local file: file:// and paths are refused by audit and check --from-cluster', async () => {
    // A path without a scheme is a registry reference for Kubewarden's CRDs (and here): only schemes can be local.
    for (const module of ['file:///dev/zero', 'FILE:///etc/passwd']) {
      await withServer(
        { crds: kubewardenCrds(), objects: [clusterPolicy('local', module), pod('a', 'team-a')] },
        async (_api, kc) => {
          const r = await runCli(['audit', '-A', '--kubeconfig', kc]);
          assert.equal(r.code, 2, r.stdout);
          assert.match(
            r.stderr,
            new RegExp(
              `^error: clusterwide-local in cluster .*: module "${module.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}" is not registry://, https:// or builtin://: a policy read from a cluster may not name a file or another local source\n$`,
            ),
          );
          const c = await runCli([
            'check',
            '--from-cluster',
            '--kubeconfig',
            kc,
            '-f',
            path.join(ROOT, 'manifests/examples/web.yaml'),
          ]);
          assert.equal(c.code, 2);
          assert.match(c.stderr, /clusterwide-local in cluster .*is not registry:\/\/, https:\/\/ or builtin:\/\//);
        },
      );
    }
  });

  it("a PolicyServer's insecureSources apply to its own policies only", async function () {
    if (!registryAvailable()) throw new Error('this test needs the Debian docker-registry package');
    const reg = await startRegistry();
    const home = testHome();
    try {
      const ref = `registry://${reg.host}/policies/pss-privileged:v1.0.0`;
      const sources = path.join(home.dir, 'push-sources.yaml');
      writeFileSync(sources, JSON.stringify({ insecure_sources: [reg.host] }));
      const push = await runCli(
        ['push', path.join(ROOT, 'dist/plugins/pss-privileged.wasm'), ref, '--sources-path', sources],
        { env: home.env },
      );
      assert.equal(push.code, 0, push.stderr);
      const server = (name: string, insecure: boolean): KubeObject => ({
        apiVersion: 'policies.kubewarden.io/v1',
        kind: 'PolicyServer',
        metadata: { name },
        spec: {
          image: 'ghcr.io/kubewarden/policy-server:v1.20.0',
          replicas: 1,
          ...(insecure ? { insecureSources: [reg.host] } : {}),
        },
      });
      // The policy of "lab" (insecure) pulls; the same module on "default" (not insecure) must not ride on lab's setting.
      await withServer(
        {
          crds: kubewardenCrds(),
          objects: [
            clusterPolicy('on-lab', ref, 'lab'),
            server('lab', true),
            server('default', false),
            pod('a', 'team-a'),
          ],
        },
        async (_api, kc) => {
          const r = await runCli(['audit', '-A', '--kubeconfig', kc, '-o', 'json', '--pull', 'always'], {
            env: home.env,
          });
          assert.equal(r.code, 1, r.stderr);
        },
      );
      await withServer(
        {
          crds: kubewardenCrds(),
          objects: [
            clusterPolicy('on-lab', ref, 'lab'),
            clusterPolicy('on-default', ref),
            server('lab', true),
            server('default', false),
            pod('a', 'team-a'),
          ],
        },
        async (_api, kc) => {
          const r = await runCli(['audit', '-A', '--kubeconfig', kc, '--pull', 'always'], { env: home.env });
          assert.equal(r.code, 2, r.stdout);
          assert.match(
            r.stderr,
            /policy clusterwide-on-default .*does not speak TLS on this port .*add "127\.0\.0\.1:\d+" to insecure_sources/,
          );
        },
      );
    } finally {
      await reg.stop();
    }
  });

  it('a kubeconfig with both a CA and insecure-skip-tls-verify is refused, as kubectl refuses it', async () => {
    await withServer({ objects: [pod('a', 'team-a')] }, async (api) => {
      const kc = path.join(mkdtempSync(path.join(dir, 'kc-')), 'config');
      writeFileSync(
        kc,
        JSON.stringify({
          apiVersion: 'v1',
          kind: 'Config',
          clusters: [
            {
              name: 'c',
              cluster: {
                server: api.url,
                'certificate-authority-data': Buffer.from(api.caPem).toString('base64'),
                'insecure-skip-tls-verify': true,
              },
            },
          ],
          users: [{ name: 'u', user: { token: api.token } }],
          contexts: [{ name: 'ctx', context: { cluster: 'c', user: 'u' } }],
          'current-context': 'ctx',
        }),
      );
      const r = await runCli(['audit', '-A', '--kubeconfig', kc, '-p', 'builtin://pss-privileged']);
      assert.equal(r.code, 2, r.stdout);
      assert.match(r.stderr, /specifying a root certificates file with the insecure flag is not allowed/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
      assert.equal(api.requests.length, 0, 'nothing was sent');
    });
  });

  it('--kubeconfig /dev/zero (or a FIFO) is a clear error, not an endless read', async () => {
    const r = await runCli(['audit', '-A', '--kubeconfig', '/dev/zero', '-p', 'builtin://pss-privileged']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: cannot read kubeconfig \/dev\/zero: not a regular file \(a character device\)\n$/);
  });
});
