import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as jsyaml from 'js-yaml';
import { DEFAULT_USER } from '../../../lib/admission/request';
import { evaluateEntries, runCheck } from '../../../lib/check/run';
import { EvaluationStream } from '../../../lib/evaluation/stream';
import { createLogger, silentLogger, type Logger } from '../../../lib/base/log';
import { entriesFromText, InputTexts, rereader, type ManifestEntry } from '../../../lib/manifests';
import { DEFAULT_LIMITS } from '../../../lib/manifests/limits';
import { readPolicyConfig } from '../../../lib/policy/config';
import { loadPolicies } from '../../../lib/evaluation/load-policies';
import type { PolicyEntry } from '../../../lib/policy/spec';
import { bindUnits, planUnits } from '../../../lib/evaluation/units';
import type { Report, Result } from '../../../lib/evaluation/result';
import { tempDir } from '../../support/constant-policy';

/*
 * check evaluates objects while later inputs are still being read. CRDs and Namespace objects can come in any
 * file, after the objects they decide about: the results must be those of reading everything first.
 */

const dir = tempDir('wasmpolicy-stream-');

function write(name: string, docs: object[]): string {
  const file = path.join(dir, name);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, docs.map((d) => jsyaml.dump(d)).join('---\n'));
  return file;
}

const privilegedPod = (ns: string) => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: `p-${ns}`, namespace: ns },
  spec: { containers: [{ name: 'c', image: 'nginx:1.27', securityContext: { privileged: true } }] },
});

async function check(
  files: string[],
  policies: Awaited<ReturnType<typeof readPolicyConfig>>,
  workers: number,
  warnings: string[] = [],
): Promise<Report> {
  const log = createLogger('warn', (line) => warnings.push(line));
  return runCheck({
    files,
    recursive: true,
    policies,
    request: { operation: 'CREATE', userInfo: DEFAULT_USER },
    workers,
    log,
  });
}

const REQUEST = { operation: 'CREATE' as const, userInfo: DEFAULT_USER };

const TEXTS = new InputTexts(DEFAULT_LIMITS.maxInputBytes);
const entriesOf = (name: string, docs: object[]): ManifestEntry[] => {
  const text = docs.map((d) => jsyaml.dump(d)).join('---\n');
  TEXTS.add(name, text);
  return entriesFromText(name, text, DEFAULT_LIMITS);
};

/**
 * `first` is evaluated completely before `later` is given, as when reading a large input; the results must equal
 * evaluating both at once (and, with `expectRedone`, some must have been redone for that).
 */
async function streamedAndAtOnce(
  policyEntries: PolicyEntry[],
  first: ManifestEntry[],
  later: ManifestEntry[],
  workers: number,
  log: Logger = silentLogger,
  texts?: InputTexts,
  /** Called once `first` is evaluated, before `later` is given. */
  between?: () => void,
): Promise<{ streamed: Result[]; atOnce: Result[] }> {
  const { specs, plans } = planUnits(policyEntries);
  const { policies, pool } = await loadPolicies(specs, { log: silentLogger, workers });
  try {
    const units = bindUnits(plans, policies, 2000);
    let done = 0;
    let firstDone!: () => void;
    const firstEvaluated = new Promise<void>((resolve) => (firstDone = resolve));
    const objects = first.filter((e) => e.kind === 'object').length;
    const stream = new EvaluationStream({
      request: REQUEST,
      log,
      workers,
      onProgress: (d) => ((done = d), d === objects && firstDone()),
      ...(texts ? { reread: rereader(texts, DEFAULT_LIMITS) } : {}),
    });
    stream.start(units, pool);
    stream.add(first);
    await firstEvaluated;
    assert.equal(done, objects);
    between?.();
    stream.add(later);
    const streamed = await stream.finish();
    const atOnce = await evaluateEntries([...first, ...later], units, pool, REQUEST, silentLogger, workers);
    if (texts) {
      // Evaluated objects were released: only their names are kept.
      const kept = stream.allEntries().filter((e) => e.kind === 'object' && e.object.kind === 'Pod');
      assert.ok(kept.length > 0, 'the stream kept its Pods');
      assert.ok(kept.every((e) => e.kind === 'object' && e.object.spec === undefined));
    }
    return { streamed, atOnce };
  } finally {
    await pool.close();
  }
}

/** pss-privileged for pods in namespaces labelled env=prod: its verdicts depend on Namespace objects of the input. */
function prodOnlyPolicy(file: string): ReturnType<typeof readPolicyConfig> {
  return readPolicyConfig(
    [
      write(file, [
        {
          apiVersion: 'policies.kubewarden.io/v1',
          kind: 'ClusterAdmissionPolicy',
          metadata: { name: 'no-privileged-in-prod' },
          spec: {
            module: 'builtin://pss-privileged',
            rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] }],
            namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
          },
        },
      ]),
    ],
    { log: silentLogger },
  );
}

describe('check: evaluation overlapping input reading', function () {
  this.timeout(60_000);

  it('re-evaluates objects whose namespace labels arrive after them', async () => {
    const policies = await prodOnlyPolicy('policy-ns.yaml');
    const pods = entriesOf('pods.yaml', [privilegedPod('shop'), privilegedPod('lab'), privilegedPod('other')]);
    const namespaces = entriesOf('namespaces.yaml', [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { env: 'prod' } } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab', labels: { env: 'dev' } } },
    ]);
    for (const [workers, texts] of [
      [1, undefined],
      [2, undefined],
      [2, TEXTS],
    ] as const) {
      const { streamed, atOnce } = await streamedAndAtOnce(policies, pods, namespaces, workers, silentLogger, texts);
      assert.deepEqual(streamed, atOnce);
      assert.deepEqual(
        streamed.filter((r) => r.object?.kind === 'Pod').map((r) => `${r.object?.namespace}: ${r.verdict}`),
        ['shop: fail', 'lab: skip', 'other: skip'],
      );
    }
  });

  it('re-evaluates objects read again in pieces from their file, and stops if the file changed since it was checked', async () => {
    const policies = await prodOnlyPolicy('policy-ns-pieces.yaml');
    const file = write('pieces/pods.yaml', [privilegedPod('shop'), privilegedPod('lab')]);
    const text = readFileSync(file, 'utf8');
    const pods = entriesFromText(file, text, DEFAULT_LIMITS);
    const namespaces = entriesOf('pieces-namespaces.yaml', [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { env: 'prod' } } },
    ]);
    // The file as a large one is kept: its path and digest (lib/manifests/input-texts.ts addFile).
    const texts = new InputTexts(DEFAULT_LIMITS.maxInputBytes);
    texts.addFile(file, file, createHash('sha256').update(readFileSync(file)).digest('hex'));
    const { streamed, atOnce } = await streamedAndAtOnce(policies, pods, namespaces, 1, silentLogger, texts);
    assert.deepEqual(streamed, atOnce);
    assert.deepEqual(
      streamed.filter((r) => r.object?.kind === 'Pod').map((r) => `${r.object?.namespace}: ${r.verdict}`),
      ['shop: fail', 'lab: skip'],
    );
    // Changed after its objects were evaluated, before they are read again: no results from another text.
    await assert.rejects(
      streamedAndAtOnce(policies, pods, namespaces, 1, silentLogger, texts, () =>
        writeFileSync(file, text.replace(/nginx:1.27/g, 'nginx:1.28')),
      ),
      /an input file changed while it was being checked/,
    );
  });

  it('re-evaluates objects whose CustomResourceDefinition arrives after them, and warns about no unknown kind', async () => {
    const policies = await readPolicyConfig(
      [
        write('policy-any.yaml', [
          {
            apiVersion: 'policies.kubewarden.io/v1',
            kind: 'ClusterAdmissionPolicy',
            metadata: { name: 'priv' },
            spec: {
              module: 'builtin://pss-privileged',
              rules: [{ apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], operations: ['CREATE'] }],
            },
          },
        ]),
      ],
      { log: silentLogger },
    );
    const widgets = entriesOf('widgets.yaml', [
      { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec: {} },
      privilegedPod('shop'),
    ]);
    const crd = entriesOf('crd.yaml', [
      {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com',
          scope: 'Cluster',
          names: { kind: 'Widget', plural: 'widgets' },
          versions: [{ name: 'v1', served: true, storage: true }],
        },
      },
    ]);
    const warnings: string[] = [];
    const { streamed, atOnce } = await streamedAndAtOnce(
      policies,
      widgets,
      crd,
      2,
      createLogger('warn', (l) => warnings.push(l)),
      TEXTS,
    );
    assert.deepEqual(streamed, atOnce);
    // Cluster-scoped per the CRD: no namespace in the request or the result.
    const widget = streamed.find((r) => r.object?.kind === 'Widget');
    assert.equal(widget?.object?.namespace, undefined, JSON.stringify(widget));
    assert.deepEqual(
      warnings.filter((w) => /unknown kind/.test(w)),
      [],
    );
  });

  it('uses the labels of a Namespace object that comes after the objects in it', async () => {
    const policies = await prodOnlyPolicy('policy.yaml');
    // Many files of pods first, so that evaluation is under way when the Namespace is read.
    const inputs = path.join(dir, 'ns-late');
    for (let f = 0; f < 30; f++)
      write(`ns-late/a${String(f).padStart(2, '0')}.yaml`, [privilegedPod('shop'), privilegedPod('lab')]);
    write('ns-late/z-namespaces.yaml', [
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'shop', labels: { env: 'prod' } } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'lab', labels: { env: 'dev' } } },
    ]);
    for (const workers of [1, 2]) {
      const report = await check([inputs], policies, workers);
      const pods = report.results.filter((r) => r.object?.kind === 'Pod');
      assert.equal(pods.length, 60);
      for (const r of pods) {
        assert.equal(
          r.verdict,
          r.object?.namespace === 'shop' ? 'fail' : 'skip',
          `${r.object?.namespace}/${r.object?.name} with ${workers} worker(s)`,
        );
      }
    }
  });

  it('resolves kinds with a CustomResourceDefinition that comes after them, and does not call them unknown', async () => {
    const inputs = path.join(dir, 'crd-late');
    for (let f = 0; f < 30; f++) {
      write(`crd-late/a${String(f).padStart(2, '0')}.yaml`, [
        { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: `w${f}` }, spec: {} },
        privilegedPod('shop'),
      ]);
    }
    write('crd-late/z-crd.yaml', [
      {
        apiVersion: 'apiextensions.k8s.io/v1',
        kind: 'CustomResourceDefinition',
        metadata: { name: 'widgets.example.com' },
        spec: {
          group: 'example.com',
          scope: 'Cluster',
          names: { kind: 'Widget', plural: 'widgets' },
          versions: [{ name: 'v1', served: true, storage: true }],
        },
      },
    ]);
    const policies = await readPolicyConfig(
      [
        write('bundled-one.yaml', [
          {
            apiVersion: 'policies.kubewarden.io/v1',
            kind: 'ClusterAdmissionPolicy',
            metadata: { name: 'priv' },
            spec: {
              module: 'builtin://pss-privileged',
              rules: [{ apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], operations: ['CREATE'] }],
            },
          },
        ]),
      ],
      { log: silentLogger },
    );
    const warnings: string[] = [];
    const report = await check([inputs], policies, 2, warnings);
    const widgets = report.results.filter((r) => r.object?.kind === 'Widget');
    assert.equal(widgets.length, 30);
    // Cluster-scoped per the CRD: no namespace in the request or the result.
    for (const w of widgets) assert.equal(w.object?.namespace, undefined, JSON.stringify(w));
    assert.deepEqual(
      warnings.filter((w) => /unknown kind/.test(w)),
      [],
    );
    assert.equal(report.results.filter((r) => r.object?.kind === 'Pod' && r.verdict === 'fail').length, 30);
  });

  it('evaluates an input larger than the read-ahead window while reading it', async () => {
    const policies = await readPolicyConfig(
      [
        write('p-pods.yaml', [
          {
            apiVersion: 'policies.kubewarden.io/v1',
            kind: 'ClusterAdmissionPolicy',
            metadata: { name: 'priv' },
            spec: {
              module: 'builtin://pss-privileged',
              rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] }],
            },
          },
        ]),
      ],
      { log: silentLogger },
    );
    const inputs = path.join(dir, 'many');
    // 2,500 objects: more than are read ahead of evaluation (2,000).
    for (let f = 0; f < 25; f++)
      write(
        `many/f${String(f).padStart(2, '0')}.yaml`,
        Array.from({ length: 100 }, (_, k) => privilegedPod(`ns${f}-${k}`)),
      );
    const progress: number[] = [];
    const report = await runCheck({
      files: [inputs],
      recursive: true,
      policies,
      request: REQUEST,
      workers: 2,
      log: silentLogger,
      onProgress: (done, total) => progress.push(total),
    });
    assert.equal(report.summary.fail, 2500);
    // Evaluation began before the last input was read: the total grew while objects were done.
    assert.ok(
      progress.some((t) => t < 2500),
      'evaluation overlapped reading',
    );
  });

  it('still warns once, in input order, about kinds no CRD resolves', async () => {
    const a = write('unknown/a.yaml', [{ apiVersion: 'example.com/v1', kind: 'Gizmo', metadata: { name: 'g1' } }]);
    const b = write('unknown/b.yaml', [
      { apiVersion: 'example.com/v1', kind: 'Gizmo', metadata: { name: 'g2' } },
      { apiVersion: 'example.com/v1', kind: 'Doohickey', metadata: { name: 'd' } },
    ]);
    const policies = await readPolicyConfig(
      [
        write('p-unknown.yaml', [
          {
            apiVersion: 'policies.kubewarden.io/v1',
            kind: 'ClusterAdmissionPolicy',
            metadata: { name: 'priv' },
            spec: {
              module: 'builtin://pss-privileged',
              rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] }],
            },
          },
        ]),
      ],
      { log: silentLogger },
    );
    const warnings: string[] = [];
    await check([a, b], policies, 1, warnings);
    const unknown = warnings.filter((w) => /unknown kind/.test(w));
    assert.equal(unknown.length, 2);
    assert.match(unknown[0], /a\.yaml:1: unknown kind Gizmo/);
    assert.match(unknown[1], /b\.yaml:\d+: unknown kind Doohickey/);
  });
});
