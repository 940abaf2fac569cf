// `test`: the suites of docs/testing-policies.md pass; a wrong expectation fails with exit 1 and names the case at
// its file:line; a broken suite exits 2 with file:line and the reason; --update, --run, -o json|junit.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT, runCli } from '../support/cli';
import { testHome, type TestHome } from '../servers/registry/env';
import { registryAvailable, startRegistry, type TestRegistry } from '../servers/registry/registry';

const EXAMPLES = path.join(ROOT, 'docs/examples/testing');

/** The line of the first line of `text` containing `needle` (1-based). */
const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle)) + 1;

describe('test: policy test suites', function () {
  this.timeout(180000);
  let tmp: string;
  before(() => {
    tmp = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-suites-'));
    cpSync(EXAMPLES, path.join(tmp, 'testing'), { recursive: true });
  });
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it("the docs' example suites pass (exit 0), found recursively by file name", async () => {
    const dirs = ['basic', 'mutation', 'cluster-config', 'kustomize'].map((d) => path.join('docs/examples/testing', d));
    const r = await runCli(['test', ...dirs, '-v']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^PASS: 11 cases in 4 suites: 11 passed, 0 failed, 0 errors$/m);
    assert.match(r.stdout, /^--- PASS: basic\/a privileged debug pod/m);
    assert.match(r.stdout, /^ok {2}\tdocs\/examples\/testing\/kustomize\/wasmpolicy-test\.yaml\t/m);
  });

  it('the Helm example passes (with helm, or the stand-in helm of test/support/helm-stand-in.cjs where helm cannot be installed)', async () => {
    let env: NodeJS.ProcessEnv | undefined;
    if (spawnSync('helm', ['version'], { stdio: 'ignore' }).status !== 0) {
      const bin = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-helm-'));
      copyFileSync(path.join(ROOT, 'test/support/helm-stand-in.cjs'), path.join(bin, 'helm'));
      chmodSync(path.join(bin, 'helm'), 0o755);
      env = { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` };
    }
    const r = await runCli(['test', 'docs/examples/testing/helm'], env ? { env } : {});
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^ok {2}\tdocs\/examples\/testing\/helm\/wasmpolicy-test\.yaml\t/m);
  });

  it('without helm on PATH, the Helm example cannot run: exit 2, naming helm', async () => {
    const r = await runCli(['test', 'docs/examples/testing/helm'], { env: { PATH: path.dirname(process.execPath) } });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stdout, /could not run: --helm needs helm/);
  });

  describe('a policy pulled from a registry', () => {
    let reg: TestRegistry;
    let home: TestHome;
    before(async function () {
      if (!registryAvailable()) throw new Error('these tests need the Debian docker-registry package');
      reg = await startRegistry();
      home = testHome();
      home.writeSources({ insecure_sources: [reg.host] });
    });
    after(async () => reg?.stop());

    it('the registry example passes once the module is pushed there', async () => {
      const ref = `${reg.host}/policies/pss-privileged:v0.1.0`;
      const push = await runCli(['push', path.join(ROOT, 'dist/plugins/pss-privileged.wasm'), ref], { env: home.env });
      assert.equal(push.code, 0, push.stderr);
      const file = path.join(tmp, 'testing/registry/wasmpolicy-test.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replaceAll('registry.example.com', reg.host));
      const r = await runCli(['test', path.dirname(file)], { env: home.env });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(r.stdout, /PASS: 2 cases in 1 suites/);
    });
  });

  it('one wrong expectation: exit 1, the case named at its file:line with expected and actual', async () => {
    const dir = path.join(tmp, 'wrong');
    cpSync(path.join(EXAMPLES, 'basic'), dir, { recursive: true });
    const file = path.join(dir, 'wasmpolicy-test.yaml');
    const text = readFileSync(file, 'utf8').replace(
      '    resource: manifests/web.yaml\n    expect: pass',
      '    resource: manifests/web.yaml\n    expect: fail',
    );
    writeFileSync(file, text);
    const r = await runCli(['test', dir]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    const line = lineOf(text, '- name: a pinned Deployment passes both policies');
    assert.match(r.stdout, /^--- FAIL: basic\/a pinned Deployment passes both policies \(/m);
    assert.ok(
      r.stdout.includes(`    ${file}:${line}: Deployment/shop/web by privileged: expected fail, got pass\n`),
      r.stdout,
    );
    assert.match(r.stdout, /^FAIL: 5 cases in 1 suites: 4 passed, 1 failed, 0 errors$/m);
  });

  it('a wrong patch shows a diff of expected and actual', async () => {
    const dir = path.join(tmp, 'patch');
    cpSync(path.join(EXAMPLES, 'mutation'), dir, { recursive: true });
    const file = path.join(dir, 'wasmpolicy-test.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        '            drop: [ALL]\n  - name: the object',
        '            drop: [NET_RAW]\n  - name: the object',
      ),
    );
    const r = await runCli(['test', dir]);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stdout, /expected mutate with the patch of the suite, got mutate with another patch/);
    assert.match(r.stdout, /^ {8}- {8}- NET_RAW$/m);
    assert.match(r.stdout, /^ {8}\+ {8}- ALL$/m);
  });

  const broken = async (name: string, suite: string): Promise<{ code: number; out: string; file: string }> => {
    const dir = path.join(tmp, name);
    cpSync(path.join(EXAMPLES, 'basic'), dir, { recursive: true });
    const file = path.join(dir, 'wasmpolicy-test.yaml');
    writeFileSync(file, suite);
    const r = await runCli(['test', dir]);
    return { code: r.code, out: r.stdout + r.stderr, file };
  };

  it('a broken suite exits 2 with file:line and the reason: an unknown field', async () => {
    const r = await broken(
      'unknown-field',
      'apiVersion: wasmpolicy.kubewarden.io/v1alpha1\nkind: PolicyTestSuite\npolicies:\n  - module: builtin://pss-privileged\ncases:\n  - name: x\n    resource: manifests/web.yaml\n    expected: pass\n',
    );
    assert.equal(r.code, 2, r.out);
    assert.ok(r.out.includes(`${r.file}:8: unknown field "expected" in the case`), r.out);
  });

  it('a broken suite exits 2: invalid YAML, a bad expectation, a missing resource', async () => {
    const yamlError = await broken(
      'bad-yaml',
      'apiVersion: wasmpolicy.kubewarden.io/v1alpha1\nkind: PolicyTestSuite\ncases: [\n',
    );
    assert.equal(yamlError.code, 2, yamlError.out);
    assert.match(yamlError.out, /wasmpolicy-test\.yaml:\d+: not valid YAML/);
    const badExpect = await broken(
      'bad-expect',
      'apiVersion: wasmpolicy.kubewarden.io/v1alpha1\nkind: PolicyTestSuite\npolicies:\n  - module: builtin://pss-privileged\ncases:\n  - name: x\n    resource: manifests/web.yaml\n    expect: accepted\n',
    );
    assert.equal(badExpect.code, 2);
    assert.ok(
      badExpect.out.includes(
        `${badExpect.file}:8: expect must be one of pass, fail, warn, skip, mutate, error, got "accepted"`,
      ),
      badExpect.out,
    );
    const missing = await broken(
      'missing',
      'apiVersion: wasmpolicy.kubewarden.io/v1alpha1\nkind: PolicyTestSuite\npolicies:\n  - module: builtin://pss-privileged\ncases:\n  - name: gone\n    resource: manifests/nope.yaml\n    expect: pass\n',
    );
    assert.equal(missing.code, 2, missing.out);
    assert.ok(missing.out.includes(`${missing.file}:6: could not run:`), missing.out);
  });

  it('a case naming a policy its configuration file does not define cannot run (exit 2), and the names are listed', async () => {
    const dir = path.join(tmp, 'unknown-policy');
    cpSync(path.join(EXAMPLES, 'cluster-config'), dir, { recursive: true });
    const file = path.join(dir, 'wasmpolicy-test.yaml');
    writeFileSync(
      file,
      readFileSync(file, 'utf8').replace(
        '    policy: clusterwide-no-privileged\n',
        '    policy: clusterwide-no-privilegd\n',
      ),
    );
    const r = await runCli(['test', dir]);
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(
      r.stdout,
      /could not run: no policy named clusterwide-no-privilegd in the suite; its policies: clusterwide-no-privileged, clusterwide-group-host-isolation/,
    );
  });

  it('--update writes the actual results into new cases, keeping comments; the suite then passes', async () => {
    const dir = path.join(tmp, 'update');
    cpSync(path.join(EXAMPLES, 'basic'), dir, { recursive: true });
    const file = path.join(dir, 'wasmpolicy-test.yaml');
    const suite = [
      '# my suite',
      'apiVersion: wasmpolicy.kubewarden.io/v1alpha1',
      'kind: PolicyTestSuite',
      'policies:',
      '  - name: privileged',
      '    module: builtin://pss-privileged  # the bundled one',
      'cases:',
      '  - name: debug pod',
      '    resource: manifests/debug-pod.yaml',
      '  - name: web',
      '    resource: manifests/web.yaml',
      '    expect: pass',
      '',
    ].join('\n');
    writeFileSync(file, suite);
    const r = await runCli(['test', dir, '--update']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /1 updated/);
    const after = readFileSync(file, 'utf8');
    assert.ok(after.startsWith('# my suite\n'), after);
    assert.ok(after.includes('module: builtin://pss-privileged # the bundled one'), after);
    assert.match(
      after,
      /- name: debug pod\n {4}resource: manifests\/debug-pod\.yaml\n {4}expect: fail\n {4}message: .*privileged containers are not allowed/,
    );
    const again = await runCli(['test', dir]);
    assert.equal(again.code, 0, again.stdout);
    // A broken variant of what was written fails: the expectation is real.
    writeFileSync(file, after.replace('expect: fail', 'expect: pass'));
    assert.equal((await runCli(['test', dir])).code, 1);
  });

  it('--run selects cases by SUITE/CASE; -o json and -o junit', async () => {
    const j = await runCli(['test', 'docs/examples/testing/basic', '--run', 'basic/an? (UPDATE|DELETE)', '-o', 'json']);
    assert.equal(j.code, 0, j.stderr);
    const report = JSON.parse(j.stdout) as {
      suites: { cases: { name: string; status: string; line: number }[] }[];
      summary: { cases: number };
    };
    assert.deepEqual(
      report.suites[0].cases.map((c) => c.name),
      ['an UPDATE to a latest tag is rejected', 'a DELETE is not selected by rules that name CREATE and UPDATE only'],
    );
    assert.equal(report.summary.cases, 2);
    const update = (report.suites[0].cases[0] as unknown as { actual: unknown[] }).actual;
    assert.equal(update.length, 1);
    assert.deepEqual(update[0] as { object: string; policy: string; result: string }, {
      object: 'Deployment/shop/web',
      policy: 'tags',
      result: 'fail',
      message: (update[0] as { message: string }).message,
    });
    assert.match((update[0] as { message: string }).message, /uses the "latest" tag/);
    const x = await runCli(['test', 'docs/examples/testing/mutation', '-o', 'junit']);
    assert.equal(x.code, 0);
    assert.match(
      x.stdout,
      /<testsuite name="mutation" file="docs\/examples\/testing\/mutation\/wasmpolicy-test\.yaml" tests="3" failures="0" errors="0"/,
    );
    assert.match(
      x.stdout,
      /<testcase name="the patch the policy returns" classname="mutation" file="[^"]+" line="\d+"/,
    );
  });
});
