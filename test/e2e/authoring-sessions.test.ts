// Host-capability sessions (kwctl's record/replay format) in `test` cases and in `run`, with a context-aware guest
// built from source (test/fixtures/guests/wapc-rust-context: the Pod's Namespace must have the label team and hold
// a Service).
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildGuestFixtures } from '../fixtures/guests/build.mjs';
import { fixture, runCli } from '../support/cli';

const CONTEXT = fixture('guests', 'manifests', 'context.yaml');

describe('host-capability sessions in test suites and run', function () {
  this.timeout(120_000);
  let dir: string;
  let wasm: string;
  let session: string;
  before(async function () {
    this.timeout(300_000);
    dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-sessions-'));
    [wasm] = (await buildGuestFixtures(dir, { names: ['wapc-rust-context'] })).map((f) => f.path);
    // The pod shop/ok alone, and a session recorded while its Namespace and Service were in the input.
    const docs = readFileSync(CONTEXT, 'utf8').split(/^---$/m);
    writeFileSync(
      path.join(dir, 'pod.yaml'),
      docs.find((d) => /^ {2}name: ok$/m.test(d) && /^kind: Pod$/m.test(d))!,
    );
    writeFileSync(
      path.join(dir, 'world.yaml'),
      docs.filter((d) => !/^kind: Pod$/m.test(d) || /^ {2}name: ok$/m.test(d)).join('---'),
    );
    session = path.join(dir, 'session.yml');
    const rec = await runCli([
      'check',
      '-f',
      path.join(dir, 'world.yaml'),
      '-p',
      wasm,
      '--record-host-capabilities-interactions',
      session,
    ]);
    assert.equal(rec.code, 0, rec.stdout + rec.stderr);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a case with a session is answered from it; without one, the case sees only its own objects', async () => {
    const suite = path.join(dir, 'wasmpolicy-test.yaml');
    writeFileSync(
      suite,
      [
        'apiVersion: wasmpolicy.kubewarden.io/v1alpha1',
        'kind: PolicyTestSuite',
        'policies:',
        '  - name: context',
        `    module: ${wasm}`,
        'cases:',
        '  - name: the recorded cluster has the namespace and its Service',
        '    resource: pod.yaml',
        '    session: session.yml',
        '    expect: pass',
        '  - name: without the session the namespace cannot be found',
        '    resource: pod.yaml',
        '    expect: fail',
        '    message: cannot look up namespace shop',
        '',
      ].join('\n'),
    );
    const r = await runCli(['test', suite, '-v']);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /PASS: 2 cases in 1 suites: 2 passed/);
  });

  it('run --allow-context-aware --replay-host-capabilities-interactions answers from the session, as kwctl does', async () => {
    const pod = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'ok', namespace: 'shop', labels: { app: 'web' } },
      spec: { containers: [{ name: 'app', image: 'nginx:1.25' }] },
    };
    const request = {
      uid: 'u-1',
      kind: { group: '', version: 'v1', kind: 'Pod' },
      resource: { group: '', version: 'v1', resource: 'pods' },
      name: 'ok',
      namespace: 'shop',
      operation: 'CREATE',
      userInfo: { username: 'alice' },
      object: pod,
    };
    const req = path.join(dir, 'request.json');
    writeFileSync(req, JSON.stringify({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request }));
    const replayed = await runCli([
      'run',
      wasm,
      '-r',
      req,
      '--allow-context-aware',
      '--replay-host-capabilities-interactions',
      session,
    ]);
    assert.equal(replayed.code, 0, replayed.stderr);
    assert.equal(replayed.stdout, '{"uid":"u-1","allowed":true}\n');
    // Without --allow-context-aware the policy gets no access (kwctl's NoAccess), and says so.
    const denied = await runCli(['run', wasm, '-r', req]);
    assert.equal(denied.code, 0, denied.stderr);
    assert.match(denied.stdout, /"allowed":false/);
    assert.match(denied.stdout, /has not been granted access to Kubernetes v1\/Namespace/);
  });
});
