// Context data for Rego policies (docs/host-interface.md §4.2, §4.3): with contextAwareResources, OPA policies get
// `data.kubernetes` (kube-mgmt layout) and Gatekeeper policies `data.inventory`, built from list_resources_all
// calls through the same host-call bridge and source as the other capabilities (here: the manifests).

import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as jsyaml from 'js-yaml';
import { ManifestsSource } from '../../../lib/capabilities/manifests-source';
import { OciCapability } from '../../../lib/capabilities/oci';
import { serveHostCall, sourcesBackend } from '../../../lib/capabilities/service';
import { SessionRecorder } from '../../../lib/capabilities/session';
import { createLogger } from '../../../lib/base/log';
import type { KubeObject } from '../../../lib/manifests/types';
import { DEFAULT_EVALUATION_LIMITS } from '../../../lib/wasm/limits';
import type { ContextAwareResource } from '../../../lib/wasm/metadata';
import type { WorkerPolicy } from '../../../lib/wasm/pool/messages';
import { EvaluationPool } from '../../../lib/wasm/pool/pool';
import type { RuntimeOutcome } from '../../../lib/wasm/runtime';
import { opaFixtures } from '../../fixtures/opa/fixtures';
import { fixture } from '../../support/cli';

const objects = (
  jsyaml.loadAll(readFileSync(fixture('guests', 'manifests', 'context.yaml'), 'utf8')) as KubeObject[]
).filter(Boolean);
const byName = (kind: string, name: string) => objects.find((o) => o.kind === kind && o.metadata?.name === name)!;
const REQUEST = JSON.stringify({ uid: 'req-1', operation: 'CREATE', object: byName('Pod', 'ok') });
const RESOURCES: ContextAwareResource[] = [
  { apiVersion: 'v1', kind: 'Namespace' },
  { apiVersion: 'v1', kind: 'Service' },
];

/** The data document the context-data fixture reports. */
function dataOf(o: RuntimeOutcome): unknown {
  assert.ok(o.ok, o.ok ? '' : o.message);
  return JSON.parse(o.response.message!) as unknown;
}

describe('Rego context data from the kubernetes capability', function () {
  this.timeout(60_000);
  let module: WebAssembly.Module;
  before(async function () {
    this.timeout(120_000);
    module = (await opaFixtures()).get('context-data')!;
  });

  function run(
    mode: 'opa' | 'gatekeeper',
    settings: unknown,
    resources: ContextAwareResource[],
    record?: SessionRecorder,
  ): Promise<RuntimeOutcome[]> {
    const live = sourcesBackend({ kubernetes: new ManifestsSource(objects), oci: new OciCapability() });
    const backend = record ? record.backend : live;
    const p: WorkerPolicy = {
      id: mode,
      mode,
      module,
      policyType: 'kubernetes',
      settingsJson: JSON.stringify(settings),
      limits: DEFAULT_EVALUATION_LIMITS,
      contextAwareResources: resources,
    };
    const pool = new EvaluationPool([p], {
      workers: 1,
      log: createLogger('error', () => {}),
      logLevel: 'error',
      hostCalls: (policy, b, n, o, payload) =>
        serveHostCall(
          backend,
          {
            id: policy.id,
            contextAwareResources: policy.contextAwareResources ?? [],
            allowedHostCapabilities: ['kubernetes/*'],
          },
          b,
          n,
          o,
          payload,
        ),
    });
    return pool.evaluate(REQUEST, [0]).finally(() => pool.close());
  }

  it('opa: data.kubernetes in the kube-mgmt layout replaces a setting of that name; the other settings stay', async () => {
    const [o] = await run('opa', { kubernetes: 'overridden', level: 3 }, RESOURCES);
    assert.deepEqual(dataOf(o), {
      level: 3,
      kubernetes: {
        namespaces: {
          shop: byName('Namespace', 'shop'),
          bare: byName('Namespace', 'bare'),
          empty: byName('Namespace', 'empty'),
        },
        services: { shop: { web: byName('Service', 'web') }, bare: { api: byName('Service', 'api') } },
      },
    });
  });

  it('gatekeeper: data.inventory with cluster and namespace parts; without contextAwareResources data is {}', async () => {
    const [o] = await run('gatekeeper', {}, RESOURCES);
    assert.deepEqual(o.ok && o.response.accepted, false);
    assert.deepEqual(dataOf(o), {
      inventory: {
        cluster: {
          v1: {
            Namespace: {
              shop: byName('Namespace', 'shop'),
              bare: byName('Namespace', 'bare'),
              empty: byName('Namespace', 'empty'),
            },
          },
        },
        namespace: {
          shop: { v1: { Service: { web: byName('Service', 'web') } } },
          bare: { v1: { Service: { api: byName('Service', 'api') } } },
        },
      },
    });
    const [plain] = await run('gatekeeper', {}, []);
    assert.deepEqual(dataOf(plain), {});
  });

  it('the lists go through the host-call path (recorded as list_resources_all); a failed list is an internal error', async () => {
    const recorder = new SessionRecorder(
      sourcesBackend({ kubernetes: new ManifestsSource(objects), oci: new OciCapability() }),
    );
    await run('opa', {}, RESOURCES, recorder);
    const doc = jsyaml.load(recorder.toYaml()) as { request: string }[];
    assert.deepEqual(
      doc.map((x) => x.request.split('\n').slice(0, 3).join(' ')),
      [
        '!KubernetesListResourceAll api_version: v1 kind: Namespace',
        '!KubernetesListResourceAll api_version: v1 kind: Service',
      ],
    );
    const [bad] = await run(
      'opa',
      {},
      [
        { apiVersion: 'v1', kind: 'Namespace' },
        { apiVersion: 'example.com/v1', kind: 'Widget' },
      ],
      new SessionRecorder(async () => {
        throw new Error('the API server is unreachable');
      }),
    );
    assert.deepEqual(bad, {
      ok: false,
      message: 'internal server error: cannot build the context data: the API server is unreachable',
      code: 500,
      reason: 'error',
    });
  });
});
