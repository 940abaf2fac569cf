// `run` as a drop-in for `kwctl run`: a bats suite written for kwctl (test/fixtures/kwctl-run/e2e.bats) passes
// unchanged with KWCTL pointing at this CLI, and the output is the compact AdmissionResponse JSON kwctl prints
// (serde_json::to_string of policy-evaluator's AdmissionResponse, kubewarden/kwctl src/command/run.rs).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CLI, ROOT, fixture, runCli } from '../support/cli';
import { testHome } from '../servers/registry/env';
import { registryAvailable, startRegistry } from '../servers/registry/registry';

const MODULES: Record<string, string> = {
  privileged: 'pss-privileged',
  capabilities: 'pss-capabilities-restricted',
  'host-ports': 'pss-host-ports',
  'image-tag': 'image-tag',
};

describe('run: a drop-in for kwctl run', function () {
  this.timeout(180000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'kwctl-run-'));
    cpSync(fixture('kwctl-run'), dir, { recursive: true });
    for (const [name, plugin] of Object.entries(MODULES))
      copyFileSync(path.join(ROOT, 'dist', 'plugins', `${plugin}.wasm`), path.join(dir, `${name}.wasm`));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  const runBats = (runner: string[], kwctl: string): { status: number; out: string } => {
    const r = spawnSync(runner[0], [...runner.slice(1), 'e2e.bats'], {
      cwd: dir,
      env: { ...process.env, KWCTL: kwctl, NO_COLOR: '1' },
      encoding: 'utf8',
    });
    return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
  };

  it('passes the bats suite written for kwctl, unchanged (bats-lite runner)', () => {
    const r = runBats(['bash', path.join(ROOT, 'test/support/bats-lite.sh')], CLI);
    assert.equal(r.status, 0, r.out);
    assert.equal((r.out.match(/^ok /gm) ?? []).length, 13, r.out);
  });

  it('passes it with bats itself, when installed', function () {
    if (spawnSync('bats', ['--version']).status !== 0) this.skip();
    const r = runBats(['bats'], CLI);
    assert.equal(r.status, 0, r.out);
  });

  it('the suite fails against a binary that is not kwctl-compatible', () => {
    const r = runBats(['bash', path.join(ROOT, 'test/support/bats-lite.sh')], '/bin/true');
    assert.equal(r.status, 1);
    assert.equal((r.out.match(/^not ok /gm) ?? []).length, 13, r.out);
  });

  it("prints kwctl's compact AdmissionResponse: uid, allowed, status.message; exit 0 on a rejection", async () => {
    const r = await runCli([
      'run',
      path.join(dir, 'privileged.wasm'),
      '-r',
      path.join(dir, 'test_data/privileged-pod.json'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(
      r.stdout,
      '{"uid":"1299d386-525b-4032-98ae-1949f69f9cfc","allowed":false,"status":{"message":"container \\"nginx\\" (spec.containers[0]): securityContext.privileged is true; privileged containers are not allowed"}}\n',
    );
  });

  it('a mutation: patchType JSONPatch and the base64 patch, in that field order', async () => {
    const r = await runCli([
      'run',
      '-r',
      path.join(dir, 'test_data/pod-no-security-context.json'),
      path.join(dir, 'capabilities.wasm'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const resp = JSON.parse(r.stdout) as { uid: string; allowed: boolean; patchType: string; patch: string };
    assert.deepEqual(Object.keys(resp), ['uid', 'allowed', 'patchType', 'patch']);
    assert.deepEqual(JSON.parse(Buffer.from(resp.patch, 'base64').toString()), [
      { op: 'add', path: '/spec/containers/0/securityContext', value: { capabilities: { drop: ['ALL'] } } },
    ]);
  });

  it('builtin:// references and -e kubewarden (kwctl 1.x spelling) are taken', async () => {
    const r = await runCli([
      'run',
      'builtin://pss-privileged',
      '-e',
      'kubewarden',
      '-r',
      path.join(dir, 'test_data/pod.json'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, '{"uid":"e1a8a0a2-9b38-4c8f-a1a8-6f0b6d2c8d11","allowed":true}\n');
  });

  it('exits 1 with "Error:" on a request without uid, naming the field as policy-evaluator does', async () => {
    const r = await runCli(['run', 'builtin://pss-privileged', '-r', '-'], {
      stdin: '{"kind":{"group":"","version":"v1","kind":"Pod"}}',
    });
    assert.equal(r.code, 1);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^Error: cannot build AdmissionRequest object from given input: missing field `uid`$/m);
  });

  it("--raw hands the document over as it is; the response uid is the document's", async () => {
    const r = await runCli(['run', 'builtin://pss-privileged', '--raw', '-r', '-'], {
      stdin: '{"uid":"raw-1","anything":[1,2]}',
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).uid, 'raw-1');
  });

  it('a sha256 prefix names a policy of the store, as kwctl run takes it', async () => {
    if (!registryAvailable()) throw new Error('this test needs the Debian docker-registry package');
    const reg = await startRegistry();
    try {
      const home = testHome();
      home.writeSources({ insecure_sources: [reg.host] });
      const wasm = path.join(ROOT, 'dist/plugins/pss-privileged.wasm');
      const ref = `registry://${reg.host}/policies/privileged:v1`;
      assert.equal((await runCli(['push', wasm, ref], { env: home.env })).code, 0);
      assert.equal((await runCli(['pull', ref], { env: home.env })).code, 0);
      const sha = createHash('sha256').update(readFileSync(wasm)).digest('hex');
      const r = await runCli(['run', sha.slice(0, 12), '-r', path.join(dir, 'test_data/privileged-pod.json')], {
        env: home.env,
      });
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^\{"uid":"1299d386-525b-4032-98ae-1949f69f9cfc","allowed":false,/);
      const none = await runCli(['run', 'abcdef0123', '-r', path.join(dir, 'test_data/privileged-pod.json')], {
        env: home.env,
      });
      assert.equal(none.code, 1);
    } finally {
      await reg.stop();
    }
  });
});
