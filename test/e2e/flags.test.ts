// Flags that change what a run does, each passed through the real CLI and observed in its output: the request's
// user and groups, the default namespace, the output cap, colour, and audit's request timeout, ignored namespaces
// and parallelism.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CLI, ROOT, runCli } from '../support/cli';
import { startApiServer } from '../servers/apiserver';
import type { KubeObject } from '../../lib/manifests';

interface Report {
  results: { verdict: string; policy?: string; message?: string; object?: { namespace?: string; name?: string } }[];
  summary: { error: number; fail: number };
}

const POD =
  'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web\n      image: nginx:latest\n';

/** A ClusterAdmissionPolicy that rejects every Pod when the CEL condition on the request holds. */
function policyWhen(expression: string): string {
  return `apiVersion: policies.kubewarden.io/v1
kind: ClusterAdmissionPolicy
metadata:
  name: who
spec:
  module: builtin://image-tag
  rules:
    - apiGroups: [""]
      apiVersions: [v1]
      resources: [pods]
      operations: [CREATE]
  matchConditions:
    - name: who
      expression: ${JSON.stringify(expression)}
`;
}

describe('flags, end to end', function () {
  this.timeout(120000);
  let dir: string;
  let pod: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-flags-'));
    pod = path.join(dir, 'pod.yaml');
    writeFileSync(pod, POD);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The verdict of the `who` policy on the Pod, with extra flags. */
  async function verdictOf(expression: string, flags: string[]): Promise<string> {
    const file = path.join(dir, `who-${Math.abs(hash(expression))}.yaml`);
    writeFileSync(file, policyWhen(expression));
    const r = await runCli(['check', '--policies', file, '-f', pod, '-o', 'json', ...flags]);
    assert.notEqual(r.code, 2, r.stderr);
    const results = (JSON.parse(r.stdout) as Report).results.filter((x) => x.policy === 'clusterwide-who');
    assert.equal(results.length, 1, r.stdout);
    return results[0].verdict;
  }

  it('--user sets request.userInfo.username (default test-user)', async () => {
    const alice = 'request.userInfo.username == "alice"';
    assert.equal(await verdictOf(alice, ['--user', 'alice']), 'fail');
    assert.equal(await verdictOf(alice, []), 'skip');
    assert.equal(await verdictOf('request.userInfo.username == "test-user"', []), 'fail');
  });

  it('--group sets request.userInfo.groups, repeatable (default system:masters)', async () => {
    const both =
      '"team-a" in request.userInfo.groups && "team-b" in request.userInfo.groups && !("system:masters" in request.userInfo.groups)';
    assert.equal(await verdictOf(both, ['--group', 'team-a', '--group', 'team-b']), 'fail');
    assert.equal(await verdictOf(both, ['--group', 'team-a']), 'skip');
    assert.equal(await verdictOf('"system:masters" in request.userInfo.groups', []), 'fail');
  });

  it('check -n: the namespace of objects that name none (default "default")', async () => {
    const withN = await runCli(['check', '-f', pod, '-p', 'builtin://image-tag', '-n', 'team-x', '-o', 'json']);
    const names = (JSON.parse(withN.stdout) as Report).results.map((r) => r.object?.namespace);
    assert.ok(names.length > 0);
    assert.deepEqual([...new Set(names)], ['team-x']);
    const without = await runCli(['check', '-f', pod, '-p', 'builtin://image-tag', '-o', 'json']);
    assert.deepEqual(
      [...new Set((JSON.parse(without.stdout) as Report).results.map((r) => r.object?.namespace))],
      ['default'],
    );
    const cond = await verdictOf('request.namespace == "team-x" && object.metadata.namespace == "team-x"', [
      '-n',
      'team-x',
    ]);
    assert.equal(cond, 'fail');
  });

  it('--max-output-size: a policy answer over the cap is an error for that policy, under it a verdict', async () => {
    // 40 bytes: room for the settings answer ({"valid":true}), not for the rejection with its message.
    const capped = await runCli([
      'check',
      '-f',
      pod,
      '-p',
      'builtin://image-tag',
      '--max-output-size',
      '40',
      '-o',
      'json',
    ]);
    const results = (JSON.parse(capped.stdout) as Report).results;
    assert.equal(results.length, 1);
    assert.equal(results[0].verdict, 'error');
    assert.equal(
      results[0].message,
      'internal server error: Guest call failure: the policy returned a response of more than 40 bytes (the output limit)',
    );
    const settings = await runCli(['check', '-f', pod, '-p', 'builtin://image-tag', '--max-output-size', '10']);
    assert.match(settings.stderr, /invalid settings .*more than 10 bytes \(the output limit\)/);
    const roomy = await runCli([
      'check',
      '-f',
      pod,
      '-p',
      'builtin://image-tag',
      '--max-output-size',
      '100000',
      '-o',
      'json',
    ]);
    assert.equal((JSON.parse(roomy.stdout) as Report).results[0].verdict, 'fail');
  });

  describe('colour', () => {
    const ESC = '\x1b[';
    /** The CLI with stdout on a pseudo-terminal (util-linux `script`), NO_COLOR unset unless given. */
    function onTerminal(args: string[], env: Record<string, string> = {}): string {
      const base = { ...process.env };
      delete base.NO_COLOR;
      const command = [process.execPath, CLI, ...args].map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ');
      const r = spawnSync('script', ['-qec', command, '/dev/null'], {
        cwd: ROOT,
        env: { ...base, ...env },
        encoding: 'utf8',
      });
      assert.equal(r.error, undefined);
      assert.match(r.stdout, /rejected/, r.stdout + r.stderr);
      return r.stdout;
    }
    const args = (): string[] => ['check', '-f', pod, '-p', 'builtin://image-tag'];

    it('on a terminal: colour by default; none with NO_COLOR or --no-color', () => {
      assert.ok(onTerminal(args()).includes(ESC), 'escape codes on a terminal');
      assert.ok(!onTerminal(args(), { NO_COLOR: '1' }).includes(ESC), 'NO_COLOR');
      assert.ok(!onTerminal([...args(), '--no-color']).includes(ESC), '--no-color');
    });

    it('through a pipe: none by default; --color forces it, NO_COLOR still wins', async () => {
      const piped = await runCli(args(), { env: { NO_COLOR: '' } });
      assert.match(piped.stdout, /rejected/);
      assert.ok(!piped.stdout.includes(ESC));
      const forced = await runCli([...args(), '--color'], { env: { NO_COLOR: '' } });
      assert.ok(forced.stdout.includes(ESC), forced.stdout);
      const both = await runCli([...args(), '--color'], { env: { NO_COLOR: '1' } });
      assert.ok(!both.stdout.includes(ESC));
    });
  });

  describe('audit', () => {
    const ns = (name: string): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, labels: { 'kubernetes.io/metadata.name': name } },
    });
    const pods = (n: string): KubeObject[] =>
      ['a', 'b'].map((p) => ({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: `${p}-${n}`, namespace: n },
        spec: { containers: [{ name: 'c', image: 'nginx:latest' }] },
      }));
    const objects = (): KubeObject[] => ['one', 'two', 'three'].flatMap((n) => [ns(n), ...pods(n)]);

    it('--ignore-namespaces leaves those namespaces out, repeatable', async () => {
      const api = await startApiServer({ objects: objects() });
      try {
        const kc = api.kubeconfig(mkdtempSync(path.join(dir, 'kc-')));
        const r = await runCli([
          'audit',
          '-A',
          '--kubeconfig',
          kc,
          '-p',
          'builtin://image-tag',
          '-o',
          'json',
          '--ignore-namespaces',
          'one',
          '--ignore-namespaces',
          'three',
        ]);
        assert.equal(r.code, 1, r.stderr);
        const seen = new Set((JSON.parse(r.stdout) as Report).results.map((x) => x.object?.namespace));
        assert.deepEqual([...seen], ['two']);
        const podLists = api.requests.filter((q) => /\/namespaces\/(one|three)\/pods$/.test(q.path));
        assert.deepEqual(podLists, [], 'ignored namespaces are not listed');
      } finally {
        await api.close();
      }
    });

    it('--parallel-namespaces and --parallel-resources: any setting gives the same report; 0 is refused', async () => {
      const api = await startApiServer({ objects: objects() });
      try {
        const kc = api.kubeconfig(mkdtempSync(path.join(dir, 'kc-')));
        const run = (p: string[]) =>
          runCli(['audit', '-A', '--kubeconfig', kc, '-p', 'builtin://image-tag', '-o', 'json', ...p]);
        const one = await run(['--parallel-namespaces', '1', '--parallel-resources', '1']);
        const many = await run(['--parallel-namespaces', '3', '--parallel-resources', '5']);
        assert.equal(one.code, 1, one.stderr);
        assert.equal((JSON.parse(one.stdout) as Report).results.length, 6);
        assert.equal(many.stdout, one.stdout);
        for (const flag of ['--parallel-namespaces', '--parallel-resources']) {
          const bad = await run([flag, '0']);
          assert.equal(bad.code, 2);
          assert.match(bad.stderr, new RegExp(`${flag}`));
        }
      } finally {
        await api.close();
      }
    });

    it('--request-timeout: a server that never answers is an error naming the timeout', async () => {
      const silent: Server = createServer(() => {
        /* never answers */
      });
      await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
      try {
        const port = (silent.address() as AddressInfo).port;
        const kc = path.join(dir, 'silent.kubeconfig');
        writeFileSync(
          kc,
          `apiVersion: v1\nkind: Config\nclusters: [{name: s, cluster: {server: "http://127.0.0.1:${port}"}}]\nusers: [{name: u, user: {token: t}}]\ncontexts: [{name: c, context: {cluster: s, user: u}}]\ncurrent-context: c\n`,
        );
        const r = await runCli([
          'audit',
          '-A',
          '--kubeconfig',
          kc,
          '-p',
          'builtin://image-tag',
          '--request-timeout',
          '1',
        ]);
        assert.equal(r.code, 2, r.stderr);
        assert.match(r.stderr, /within 1000 ms/);
      } finally {
        silent.closeAllConnections();
        await new Promise((resolve) => silent.close(resolve));
      }
    });
  });
});

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}
