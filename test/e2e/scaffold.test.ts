// `scaffold manifest` writes the policy resource kwctl scaffold manifest writes (kubewarden/kwctl
// src/scaffold/manifest.rs) and the resource loads in `check --policies`; `scaffold test` writes a starter suite
// that `test` passes.
import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ROOT, runCli } from '../support/cli';

const WORKLOAD_RULES = [
  { apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE', 'UPDATE'] },
  {
    apiGroups: ['apps'],
    apiVersions: ['v1'],
    resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'],
    operations: ['CREATE', 'UPDATE'],
  },
  { apiGroups: [''], apiVersions: ['v1'], resources: ['replicationcontrollers'], operations: ['CREATE', 'UPDATE'] },
  { apiGroups: ['batch'], apiVersions: ['v1'], resources: ['jobs', 'cronjobs'], operations: ['CREATE', 'UPDATE'] },
];

describe('scaffold', function () {
  this.timeout(120000);
  let tmp: string;
  before(() => (tmp = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-scaffold-'))));
  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('manifest --type ClusterAdmissionPolicy: name from the title, severity and category, rules and mutating from the metadata', async () => {
    const r = await runCli([
      'scaffold',
      'manifest',
      '--type',
      'ClusterAdmissionPolicy',
      'builtin://pss-capabilities-restricted',
      '--settings-json',
      '{"mutate":false}',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const doc = parse(r.stdout) as Record<string, unknown>;
    assert.deepEqual(doc, {
      apiVersion: 'policies.kubewarden.io/v1',
      kind: 'ClusterAdmissionPolicy',
      metadata: {
        name: 'pss-capabilities-restricted',
        annotations: { 'io.kubewarden.policy.severity': 'medium', 'io.kubewarden.policy.category': 'PSS Restricted' },
      },
      spec: {
        module: 'builtin://pss-capabilities-restricted',
        settings: { mutate: false },
        rules: WORKLOAD_RULES,
        mutating: true,
      },
    });
    // serde's field order, as kwctl writes it; backgroundAudit left out when true.
    assert.deepEqual(Object.keys(doc.spec as object), ['module', 'settings', 'rules', 'mutating']);
  });

  it('the resources of every --type load in check --policies and give the policy its verdict', async () => {
    const pod = path.join(ROOT, 'docs/examples/testing/basic/manifests/debug-pod.yaml');
    for (const type of [
      'ClusterAdmissionPolicy',
      'AdmissionPolicy',
      'ClusterAdmissionPolicyGroup',
      'AdmissionPolicyGroup',
    ]) {
      const r = await runCli([
        'scaffold',
        'manifest',
        '--type',
        type,
        'builtin://pss-privileged',
        '--title',
        'no-privileged',
      ]);
      assert.equal(r.code, 0, r.stderr);
      let text = r.stdout;
      // An AdmissionPolicy applies in its own namespace: put it where the pod is.
      if (type.startsWith('AdmissionPolicy'))
        text = text.replace('  name: no-privileged\n', '  name: no-privileged\n  namespace: shop\n');
      const file = path.join(tmp, `${type}.yaml`);
      writeFileSync(file, text);
      const c = await runCli(['check', '--policies', file, '-f', pod, '-o', 'json']);
      assert.equal(c.code, 1, `${type}: ${c.stdout}${c.stderr}`);
      const results = (JSON.parse(c.stdout) as { results: { verdict: string; message?: string }[] }).results;
      assert.equal(results.length, 1);
      assert.equal(results[0].verdict, 'fail', type);
      if (type.endsWith('Group')) assert.equal(results[0].message, 'the request was rejected by the policy group');
    }
  });

  it('--type policies.yml: a policy-server entry, which check --policies loads', async () => {
    const r = await runCli([
      'scaffold',
      'manifest',
      '--type',
      'policies.yml',
      'builtin://pss-capabilities-restricted',
      '--title',
      'caps',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(parse(r.stdout), {
      caps: { module: 'builtin://pss-capabilities-restricted', settings: {}, allowedToMutate: true },
    });
    const file = path.join(tmp, 'policies.yml');
    writeFileSync(file, r.stdout);
    const c = await runCli([
      'check',
      '--policies',
      file,
      '-f',
      path.join(ROOT, 'docs/examples/testing/mutation/pod.yaml'),
      '-o',
      'json',
    ]);
    assert.equal(c.code, 0, c.stderr);
    const [res] = (JSON.parse(c.stdout) as { results: { policy: string; patch?: unknown[] }[] }).results;
    assert.equal(res.policy, 'caps');
    assert.ok(res.patch && res.patch.length > 0);
  });

  it('a group names its member for the expression', async () => {
    const r = await runCli([
      'scaffold',
      'manifest',
      '--type',
      'ClusterAdmissionPolicyGroup',
      'builtin://pss-host-ports',
      '-s',
      path.join(ROOT, 'test/fixtures/kwctl-run/test_data/settings-allow-443.yaml'),
    ]);
    assert.equal(r.code, 0, r.stderr);
    const spec = (parse(r.stdout) as { spec: Record<string, unknown> }).spec;
    assert.deepEqual(spec.policies, {
      pss_host_ports: { module: 'builtin://pss-host-ports', settings: { allowedHostPorts: [443] } },
    });
    assert.equal(spec.expression, 'pss_host_ports()');
  });

  it("refuses a title that is not a resource name, with kwctl's message and exit 1", async () => {
    const r = await runCli([
      'scaffold',
      'manifest',
      '--type',
      'AdmissionPolicy',
      'builtin://pss-privileged',
      '--title',
      'No_Privileged',
    ]);
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /^Error: Invalid title 'No_Privileged'\. Must use lowercase alphanumeric chars, '-' or '\.', start\/end with alphanumeric\.$/m,
    );
  });

  it('a local module becomes a file:// URI, as kwctl writes it', async () => {
    const wasm = path.join(ROOT, 'dist/plugins/image-tag.wasm');
    const r = await runCli(['scaffold', 'manifest', '--type', 'AdmissionPolicy', wasm]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((parse(r.stdout) as { spec: { module: string } }).spec.module, `file://${wasm}`);
  });

  it('scaffold test: one case per manifest with the current results; test passes it; an existing file is kept', async () => {
    const out = path.join(tmp, 'suite', 'wasmpolicy-test.yaml');
    const r = await runCli([
      'scaffold',
      'test',
      '-p',
      'builtin://image-tag',
      '-f',
      path.join(ROOT, 'docs/examples/testing/basic/manifests'),
      '-o',
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    const suite = parse(readFileSync(out, 'utf8')) as { cases: { name: string; expect?: string; message?: string }[] };
    assert.deepEqual(
      suite.cases.map((c) => [c.name, c.expect]),
      [
        ['config.yaml', 'skip'],
        ['debug-pod.yaml', 'fail'],
        ['web-latest.yaml', 'fail'],
        ['web.yaml', 'pass'],
      ],
    );
    assert.match(suite.cases[1].message ?? '', /uses the "latest" tag/);
    const t = await runCli(['test', out]);
    assert.equal(t.code, 0, t.stdout);
    const again = await runCli([
      'scaffold',
      'test',
      '-p',
      'builtin://image-tag',
      '-f',
      path.join(ROOT, 'docs/examples/testing/basic/manifests'),
      '-o',
      out,
    ]);
    assert.equal(again.code, 2);
    assert.match(again.stderr, /exists; give --force/);
  });
});
