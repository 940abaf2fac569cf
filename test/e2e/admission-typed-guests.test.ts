import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse as parseYaml } from 'yaml';
import { buildGuestFixtures } from '../fixtures/guests/build.mjs';
import { fixture, runCli } from '../support/cli';

// The probes of issue 14 through a guest that reads the object with typed Kubernetes structs, as most Rust and Go
// policies do (test/fixtures/guests/wapc-rust-typed, built from source): the verdict follows from what the API
// server sends (docs/admission-path.md), and the same guest on the object as written gives another one.
const manifest = (name: string): string => fixture('admission-path', 'typed', name);

/** `check -f MANIFEST --policies FILE -o json`, with more flags. */
const checkJson = (name: string, policies: string, ...extra: string[]): ReturnType<typeof runCli> =>
  runCli(['check', '-f', manifest(name), '--policies', policies, '-o', 'json', ...extra]);

interface Doc {
  results: { policy?: string; verdict: string; stage?: string; message?: string; patch?: unknown[] }[];
}

/** The AdmissionRequest of a manifest as written: what a policy would get without the API server's steps. */
function rawRequest(file: string, resource: string): Record<string, unknown> {
  const object = parseYaml(readFileSync(file, 'utf8')) as { kind: string; metadata: { name: string } };
  return {
    uid: 'raw',
    kind: { group: '', version: 'v1', kind: object.kind },
    resource: { group: '', version: 'v1', resource },
    operation: 'CREATE',
    name: object.metadata.name,
    namespace: 'default',
    userInfo: { username: 'kubernetes-admin' },
    object,
  };
}

describe('admission path through a typed guest (CLI)', function () {
  this.timeout(600000);
  let dir: string;
  let wasm: string;
  /** A policies file: one policy resource per entry, all of the typed guest. */
  const policies = (
    name: string,
    entries: { kind: string; name: string; namespace?: string; mutating: boolean; settings?: object; extra?: object }[],
  ): string => {
    const docs = entries.map((e) =>
      JSON.stringify({
        apiVersion: 'policies.kubewarden.io/v1',
        kind: e.kind,
        metadata: { name: e.name, ...(e.namespace ? { namespace: e.namespace } : {}) },
        spec: {
          module: `file://${wasm}`,
          mutating: e.mutating,
          settings: e.settings ?? {},
          rules: [
            {
              apiGroups: [''],
              apiVersions: ['v1'],
              resources: ['pods', 'namespaces'],
              operations: ['CREATE'],
            },
          ],
          ...(e.extra ?? {}),
        },
      }),
    );
    const file = path.join(dir, name);
    writeFileSync(file, docs.join('\n---\n'));
    return file;
  };

  before(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'typed-guest-'));
    [{ path: wasm }] = await buildGuestFixtures(dir, { names: ['wapc-rust-typed'] });
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a Pod with cpu: 0.5 (a number): the typed guest cannot decode it as written, and accepts the "500m" the API server sends', async () => {
    const request = path.join(dir, 'raw-pod.json');
    writeFileSync(request, JSON.stringify(rawRequest(manifest('pod-cpu-number.yaml'), 'pods')));
    const raw = await runCli(['run', '--request-path', request, wasm]);
    assert.equal(raw.code, 0, raw.stderr);
    assert.deepEqual(JSON.parse(raw.stdout), {
      uid: 'raw',
      allowed: false,
      status: { message: 'Cannot decode Pod object: invalid type: floating point `0.5`, expected a string' },
    });
    const file = policies('cpu.yaml', [{ kind: 'ClusterAdmissionPolicy', name: 'cpu', mutating: false }]);
    for (const extra of [[], ['--independent']]) {
      const r = await checkJson('pod-cpu-number.yaml', file, ...extra);
      assert.equal(r.code, 0, r.stderr);
      const [res] = (JSON.parse(r.stdout) as Doc).results;
      assert.deepEqual([res.policy, res.verdict, res.stage], ['clusterwide-cpu', 'pass', 'validating']);
    }
  });

  it('a Namespace is matched by an objectSelector on kubernetes.io/metadata.name, the label the API server adds', async () => {
    const file = policies('ns.yaml', [
      {
        kind: 'ClusterAdmissionPolicy',
        name: 'owned-namespaces',
        mutating: false,
        extra: { objectSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'team-a' } } },
      },
    ]);
    const r = await checkJson('namespaces.yaml', file);
    assert.equal(r.code, 1, r.stderr);
    const [a, b] = (JSON.parse(r.stdout) as Doc).results;
    assert.deepEqual([a.verdict, a.message], ['fail', 'namespace team-a has no label "owner"']);
    assert.equal(b.verdict, 'skip');
  });

  it("mutating policies run in the order of their webhook configurations' names (clusterwide-… before namespaced-…), not in file or policy-name order", async () => {
    const file = policies('order.yaml', [
      {
        kind: 'AdmissionPolicy',
        name: 'aa-first-by-name',
        namespace: 'default',
        mutating: true,
        settings: { stamp: 'namespaced' },
      },
      { kind: 'ClusterAdmissionPolicy', name: 'zz-last-by-name', mutating: true, settings: { stamp: 'clusterwide' } },
    ]);
    const r = await checkJson('pod-cpu-number.yaml', file);
    assert.equal(r.code, 0, r.stderr);
    const results = (JSON.parse(r.stdout) as Doc).results;
    const last = results.find((x) => x.policy === 'namespaced-default-aa-first-by-name')!;
    assert.deepEqual(last.patch, [
      { op: 'replace', path: '/metadata/annotations/stamps', value: 'clusterwide,namespaced' },
    ]);
    // --independent: each on the object after the API server's own steps, so neither sees the other's stamp.
    const alone = await checkJson('pod-cpu-number.yaml', file, '--independent');
    assert.equal(alone.code, 0, alone.stderr);
    const independent = (JSON.parse(alone.stdout) as Doc).results.find(
      (x) => x.policy === 'namespaced-default-aa-first-by-name',
    )!;
    assert.deepEqual(independent.patch, [{ op: 'add', path: '/metadata/annotations/stamps', value: 'namespaced' }]);
  });

  it('a sidecar a mutating policy adds gets the service account token mount: the API server runs its built-in plugins again after a webhook changed the object', async () => {
    const file = policies('sidecar.yaml', [
      { kind: 'ClusterAdmissionPolicy', name: 'inject', mutating: true, settings: { sidecar: 'proxy' } },
      { kind: 'ClusterAdmissionPolicy', name: 'token-mounted', mutating: false, settings: { tokenMounted: true } },
    ]);
    const r = await checkJson('pod-cpu-number.yaml', file);
    assert.equal(r.code, 0, r.stderr);
    const [inject, mounted] = (JSON.parse(r.stdout) as Doc).results;
    assert.deepEqual([inject.verdict, inject.stage], ['pass', 'mutating']);
    assert.equal(inject.patch?.length, 1);
    assert.deepEqual([mounted.verdict, mounted.stage], ['pass', 'validating']);
  });
});
