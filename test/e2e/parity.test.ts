import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as jsyaml from 'js-yaml';
import { runCli } from '../support/cli';
import { tempDir, testPolicy } from '../support/constant-policy';

/**
 * Corners where kubectl-wasmpolicy gives Kubewarden's own answers (issue 15): each case names the upstream file
 * and function it reproduces.
 */
describe('parity with policy-server, policy-evaluator and wapc-rs', function () {
  this.timeout(120_000);
  const dir = tempDir('wasmpolicy-parity-');
  const podFile = path.join(dir, 'pod.yaml');
  writeFileSync(
    podFile,
    jsyaml.dump({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', namespace: 'shop' },
      spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
    }),
  );

  function policyFor(module: string, name = 'bare', spec: Record<string, unknown> = {}): string {
    const file = path.join(dir, `${name}-policy.yaml`);
    writeFileSync(
      file,
      jsyaml.dump({
        apiVersion: 'policies.kubewarden.io/v1',
        kind: 'ClusterAdmissionPolicy',
        metadata: { name, annotations: { 'wasmpolicy.kubewarden.io/module': module } },
        spec: {
          module: 'registry://example.com/policies/bare:v1',
          rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] }],
          ...spec,
        },
      }),
    );
    return file;
  }

  // crates/policy-server: a waPC module whose metadata has no protocolVersion (the defaults of a module without
  // a metadata section) is refused at load; kwctl run accepts it.
  it("--policies refuses a waPC module without metadata with policy-server's message; -p keeps kwctl's leniency", async () => {
    const bare = await testPolicy(dir, 'unannotated', { behaviour: { respond: { accepted: true } }, annotated: false });
    const refused = await runCli(['check', '--policies', policyFor(bare), '-f', podFile]);
    assert.equal(refused.code, 2, refused.stdout);
    assert.match(
      refused.stderr,
      /Policy is missing protocol version, which is required for KubewardenWapc execution mode/,
    );
    const lenient = await runCli(['check', '-p', bare, '-f', podFile]);
    assert.equal(lenient.code, 0, lenient.stderr);
    const annotated = await testPolicy(dir, 'annotated', { behaviour: { respond: { accepted: true } } });
    const ok = await runCli(['check', '--policies', policyFor(annotated, 'annotated'), '-f', podFile]);
    assert.equal(ok.code, 0, ok.stderr);
  });

  // wapc-rs crates/wasmtime-provider/src/provider.rs `initialize`: `_start` and `wapc_init` are each called only
  // when exported, so a guest with neither still runs.
  it('a waPC module exporting neither _start nor wapc_init runs (wapc-rs calls each only if exported)', async () => {
    const noInit = await testPolicy(dir, 'no-init', {
      behaviour: { respond: { accepted: false, message: 'no init, still answers' } },
      init: false,
    });
    const r = await runCli(['check', '-p', noInit, '-f', podFile]);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /no init, still answers/);
  });
});
