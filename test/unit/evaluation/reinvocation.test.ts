import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DEFAULT_USER } from '../../../lib/admission/request';
import { silentLogger } from '../../../lib/base/log';
import { runCheck } from '../../../lib/check/run';
import type { Result } from '../../../lib/evaluation/result';
import { readPolicyConfig } from '../../../lib/policy/config';
import { isGroup, type PolicyEntry } from '../../../lib/policy/spec';
import { buildGuestFixtures } from '../../fixtures/guests/build.mjs';

// The chain's re-invocation (lib/evaluation/units.ts, lib/admission/reinvocation.ts) with real mutating guests
// (test/fixtures/guests/wapc-rust-typed with settings `stamp`: each call appends its text to the annotation
// "stamps"). A webhook with reinvocationPolicy IfNeeded called before a later change is called once more, as
// k8s.io/apiserver pkg/admission/plugin/webhook/mutating/dispatcher.go does. Kubewarden never sets IfNeeded (its
// controller writes no reinvocationPolicy), so it is set here on the loaded webhook, as a MutatingWebhook would.
describe('mutating chain: re-invocation of IfNeeded webhooks (real guests)', function () {
  this.timeout(600000);
  let dir: string;
  let policiesFile: string;
  let podFile: string;

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'reinvocation-'));
    const [{ path: wasm }] = await buildGuestFixtures(dir, { names: ['wapc-rust-typed'] });
    const policy = (name: string, stamp: string): string =>
      JSON.stringify({
        apiVersion: 'policies.kubewarden.io/v1',
        kind: 'ClusterAdmissionPolicy',
        metadata: { name },
        spec: {
          module: `file://${wasm}`,
          mutating: true,
          settings: { stamp },
          rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] }],
        },
      });
    policiesFile = path.join(dir, 'policies.yaml');
    writeFileSync(policiesFile, [policy('a', 'a'), policy('b', 'b')].join('\n---\n'));
    podFile = path.join(dir, 'pod.yaml');
    writeFileSync(
      podFile,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { name: 'p' },
        spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
      }),
    );
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** The last stamps value each policy's patch writes, after a chain run with `a`'s reinvocationPolicy. */
  async function stamps(reinvocation: 'Never' | 'IfNeeded' | undefined): Promise<Record<string, unknown>> {
    const policies: PolicyEntry[] = await readPolicyConfig([policiesFile], { log: silentLogger });
    for (const p of policies)
      if (!isGroup(p) && p.id === 'clusterwide-a' && p.webhook && reinvocation)
        p.webhook.reinvocationPolicy = reinvocation;
    const report = await runCheck({
      files: [podFile],
      recursive: false,
      policies,
      request: {
        operation: 'CREATE',
        userInfo: DEFAULT_USER,
        apiServer: {
          kubernetesVersion: '1.35',
          validate: 'strict',
          applyMode: 'client',
          independent: false,
          now: new Date(0),
        },
      },
      workers: 1,
      log: silentLogger,
    });
    const value = (r: Result): unknown => (r.patch as { value?: unknown }[] | undefined)?.at(-1)?.value;
    return Object.fromEntries(report.results.map((r) => [r.policy, [r.verdict, value(r)]]));
  }

  it('Never (and absent, the default): each webhook once, in name order', async () => {
    const want = { 'clusterwide-a': ['pass', 'a'], 'clusterwide-b': ['pass', 'a,b'] };
    assert.deepEqual(await stamps(undefined), want);
    assert.deepEqual(await stamps('Never'), want);
  });

  it('IfNeeded: a, called before b changed the object, is called again on what b left', async () => {
    assert.deepEqual(await stamps('IfNeeded'), {
      'clusterwide-a': ['pass', 'a,b,a'],
      'clusterwide-b': ['pass', 'a,b'],
    });
  });
});
