// Every execution mode through the real CLI: `check -p file://... -e opa|gatekeeper|wasi` on Services and Pods.
import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { ROOT, runCli } from '../support/cli';

const SERVICES = `apiVersion: v1
kind: Service
metadata: {name: lb, namespace: shop}
spec: {type: LoadBalancer, ports: [{port: 80}]}
---
apiVersion: v1
kind: Service
metadata: {name: internal, namespace: shop, labels: {team: a}}
spec: {type: ClusterIP, ports: [{port: 80}]}
`;

interface Row {
  object?: { name?: string };
  verdict: string;
  message?: string;
  code?: number;
}

describe('execution modes through the CLI', function () {
  this.timeout(120000);
  let opa: string;
  let dir: string;
  let services: string;
  const ref = (name: string) => pathToFileURL(path.join(opa, `${name}.wasm`)).href;
  const verdicts = (stdout: string) =>
    Object.fromEntries(
      (JSON.parse(stdout) as { results: Row[] }).results.map((r) => [
        r.object?.name,
        r.message ? `${r.verdict}: ${r.message}` : r.verdict,
      ]),
    );

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-modes-'));
    opa = path.join(dir, 'opa');
    // A plain node child: the AssemblyScript compiler loads slowly under tsx.
    await promisify(execFile)(process.execPath, [path.join(ROOT, 'test/fixtures/opa/build.mjs'), opa], {
      env: { ...process.env, NODE_OPTIONS: '' },
    });
    services = path.join(dir, 'services.yaml');
    writeFileSync(services, SERVICES);
  });

  for (const abi of ['abi11', 'abi12']) {
    it(`opa (${abi}): the Kubewarden wrapper's verdict and message`, async () => {
      const r = await runCli(['check', '-f', services, '-p', ref(`opa-lb-${abi}`), '-e', 'opa', '-o', 'json']);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(verdicts(r.stdout), {
        lb: 'fail: Service lb of type LoadBalancer is not allowed',
        internal: 'pass',
      });
    });

    it(`gatekeeper (${abi}): violations from the parameters, joined with ", "`, async () => {
      const r = await runCli([
        'check',
        '-f',
        services,
        '-p',
        ref(`gk-lb-${abi}`),
        '-e',
        'gatekeeper',
        '-o',
        'json',
        '--settings-json',
        '{"forbiddenTypes":["LoadBalancer"],"requiredLabels":["team"]}',
      ]);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(verdicts(r.stdout), {
        lb: 'fail: Service lb uses the forbidden type LoadBalancer, missing required label team',
        internal: 'pass',
      });
    });
  }

  it('refuses a Rego module without metadata unless the mode is given', async () => {
    const r = await runCli(['check', '-f', services, '-p', ref('opa-lb-abi12')]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /this looks like a Rego policy without metadata: use --execution-mode opa or gatekeeper/);
  });

  it('refuses a Rego module needing a builtin we lack, naming it', async () => {
    const r = await runCli(['check', '-f', services, '-p', ref('opa-missing-builtin'), '-e', 'opa']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Missing Rego builtins: crypto\.x509\.parse_certificates, http\.send/);
  });

  it('a mode flag must agree with the metadata', async () => {
    const r = await runCli(['check', '-f', services, '-p', 'builtin://pss-privileged', '-e', 'opa']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /the policy's metadata declares execution mode kubewarden-wapc, but opa was requested/);
  });

  it('opa_println reaches the log at -v, never stdout', async () => {
    const r = await runCli(['check', '-f', services, '-p', ref('opa-println'), '-e', 'opa', '-v', '-o', 'json']);
    assert.ok(r.code === 0 || r.code === 1, r.stderr);
    JSON.parse(r.stdout);
    assert.match(r.stderr, /opa-println/);
  });
});
