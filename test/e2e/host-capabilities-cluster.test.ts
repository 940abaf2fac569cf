// The context-aware fixtures (waPC and WASI, Rust) against a cluster: the kubernetes capability answered by the
// test API server, for check --context-from-cluster and for audit, and replayed from a session recorded against
// it. The verdicts must be those the same objects give as manifests (test/e2e/host-capabilities.test.ts).

import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as jsyaml from 'js-yaml';
import type { KubeObject } from '../../lib/manifests';
import { startApiServer, type TestApiServer } from '../servers/apiserver/index';
import { buildGuestFixtures } from '../fixtures/guests/build.mjs';
import { fixture, runCli, type CliResult } from '../support/cli';

const CONTEXT = fixture('guests', 'manifests', 'context.yaml');
const POLICIES = ['wapc-rust-context', 'wasi-rust-context'];

type Verdicts = Record<string, { verdict: string; message?: string }>;

function podVerdicts(r: CliResult, policy: string): Verdicts {
  const report = JSON.parse(r.stdout) as {
    results: {
      object?: { kind: string; name?: string; namespace?: string };
      policy?: string;
      verdict: string;
      message?: string;
    }[];
  };
  const out: Verdicts = {};
  for (const row of report.results) {
    if (row.policy !== policy || row.object?.kind !== 'Pod' || row.verdict === 'skip') continue;
    out[`${row.object.namespace}/${row.object.name}`] =
      row.message === undefined ? { verdict: row.verdict } : { verdict: row.verdict, message: row.message };
  }
  return out;
}

describe('host capabilities answered by a cluster (check --context-from-cluster, audit)', function () {
  this.timeout(120_000);
  let dir: string;
  let podsFile: string;
  let world: KubeObject[];
  let pods: KubeObject[];
  const wasm: Record<string, string> = {};
  let fromManifests: CliResult;

  before(async function () {
    dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-hostcap-cluster-'));
    for (const f of await buildGuestFixtures(dir, { names: POLICIES })) wasm[f.name] = f.path;
    const objects = jsyaml.loadAll(readFileSync(CONTEXT, 'utf8')) as KubeObject[];
    pods = objects.filter((o) => o.kind === 'Pod');
    world = objects.filter((o) => o.kind !== 'Pod');
    podsFile = path.join(dir, 'pods.yaml');
    writeFileSync(podsFile, pods.map((p) => jsyaml.dump(p)).join('---\n'));
    fromManifests = await runCli(['check', '-f', CONTEXT, ...POLICIES.flatMap((p) => ['-p', wasm[p]]), '-o', 'json']);
    assert.equal(fromManifests.code, 1, fromManifests.stderr);
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  async function withServer<T>(
    objects: KubeObject[],
    fn: (api: TestApiServer, kubeconfig: string) => Promise<T>,
  ): Promise<T> {
    const api = await startApiServer({ objects });
    try {
      return await fn(api, api.kubeconfig(mkdtempSync(path.join(dir, 'kc-'))));
    } finally {
      await api.close();
    }
  }

  it('check --context-from-cluster: the same verdicts as from the manifests, for waPC and WASI; a session recorded against the cluster replays them', async () => {
    const session = path.join(dir, 'session.yml');
    await withServer(world, async (api, kc) => {
      const r = await runCli([
        'check',
        '-f',
        podsFile,
        '--context-from-cluster',
        '--kubeconfig',
        kc,
        ...POLICIES.flatMap((p) => ['-p', wasm[p]]),
        '-o',
        'json',
        '--record-host-capabilities-interactions',
        session,
      ]);
      assert.equal(r.code, 1, r.stderr);
      for (const p of POLICIES) assert.deepEqual(podVerdicts(r, p), podVerdicts(fromManifests, p), p);
      assert.ok(
        api.requests.some((q) => q.path === '/api/v1/namespaces/shop' && q.method === 'GET'),
        'the policies read the live Namespace',
      );
      assert.ok(
        api.requests.some((q) => q.path === '/api/v1/namespaces/shop/services'),
        'and listed its Services',
      );
    });
    // No cluster now: the recorded answers stand in for it.
    const replayed = await runCli([
      'check',
      '-f',
      podsFile,
      ...POLICIES.flatMap((p) => ['-p', wasm[p]]),
      '-o',
      'json',
      '--replay-host-capabilities-interactions',
      session,
    ]);
    assert.equal(replayed.code, 1, replayed.stderr);
    for (const p of POLICIES) assert.deepEqual(podVerdicts(replayed, p), podVerdicts(fromManifests, p), p);
  });

  it('refuses a kind outside contextAwareResources with the exact text, without asking the cluster', async () => {
    await withServer(world, async (api, kc) => {
      const r = await runCli([
        'check',
        '-f',
        podsFile,
        '--context-from-cluster',
        '--kubeconfig',
        kc,
        ...POLICIES.flatMap((p) => ['-p', wasm[p]]),
        '--settings-json',
        '{"read_secret":"db"}',
        '-o',
        'json',
      ]);
      for (const p of POLICIES) {
        assert.deepEqual(
          podVerdicts(r, p)['shop/ok'],
          {
            verdict: 'fail',
            message:
              'cannot read secret db: Policy has not been granted access to Kubernetes v1/Secret resources. The violation has been reported.',
          },
          p,
        );
      }
      assert.ok(!api.requests.some((q) => q.path.includes('/secrets')), 'no Secret was requested');
    });
  });

  it('audit: live objects get the same verdicts, the cluster answering the policies', async () => {
    await withServer([...world, ...pods], async (api, kc) => {
      // A live Pod's namespace exists (the server creates it): ghost/lost is then judged by its labels, which it lacks.
      const r = await runCli([
        'audit',
        '-A',
        '--kubeconfig',
        kc,
        ...POLICIES.flatMap((p) => ['-p', wasm[p]]),
        '-o',
        'json',
      ]);
      assert.equal(r.code, 1, r.stderr);
      for (const p of POLICIES) {
        const expected = {
          ...podVerdicts(fromManifests, p),
          'ghost/lost': { verdict: 'fail', message: 'namespace ghost has no label "team"' },
        };
        assert.deepEqual(podVerdicts(r, p), expected, p);
      }
      assert.ok(
        api.requests.some((q) => q.path === '/api/v1/namespaces/bare' && q.method === 'GET'),
        'the policies read the live Namespace',
      );
    });
  });
});
