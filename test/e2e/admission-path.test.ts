import { strict as assert } from 'node:assert';
import { fixture, runCli } from '../support/cli';

// The probes of issue 14, through the real CLI: each gives the verdict a Kubernetes 1.35 cluster gives, because the
// policies receive the object the API server sends (docs/admission-path.md), not the manifest as written.
const dir = (name: string): string => fixture('admission-path', name);

interface Doc {
  results: {
    policy?: string;
    verdict: string;
    stage?: string;
    message?: string;
    code?: number;
    location?: { line: number; column: number };
  }[];
}
interface Review {
  request: {
    name?: string;
    namespace?: string;
    object: { metadata: Record<string, unknown>; spec?: Record<string, unknown>; status?: Record<string, unknown> };
  };
}
const reviews = (stdout: string): Review[] =>
  stdout
    .trim()
    .split(/\n(?=\{)/)
    .map((t) => JSON.parse(t) as Review);

describe('admission path: what the cluster would decide (CLI)', () => {
  it('a hostNetwork Pod with containerPort 8443 is rejected by pss-host-ports: the API server defaults hostPort to 8443', async () => {
    const r = await runCli(['check', '-f', dir('host-port.yaml'), '-p', 'builtin://pss-host-ports', '-o', 'json']);
    assert.equal(r.code, 1, r.stderr);
    const [res] = (JSON.parse(r.stdout) as Doc).results;
    assert.equal(res.verdict, 'fail');
    assert.match(res.message ?? '', /hostPort is 8443/);
    assert.equal(res.stage, 'validating');
  });

  it('a typo (imagePullPolcy) fails as kubectl apply fails, with the API server wording and the field position; warn and ignore let it through', async () => {
    const strict = await runCli(['check', '-f', dir('typo.yaml'), '-p', 'builtin://pss-host-ports', '-o', 'json']);
    assert.equal(strict.code, 2, strict.stderr);
    const [res] = (JSON.parse(strict.stdout) as Doc).results;
    assert.equal(res.verdict, 'error');
    assert.equal(res.code, 400);
    assert.equal(
      res.message,
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolcy"',
    );
    assert.deepEqual({ line: res.location?.line, column: res.location?.column }, { line: 15, column: 11 });
    const warn = await runCli([
      'check',
      '-f',
      dir('typo.yaml'),
      '-p',
      'builtin://pss-host-ports',
      '--validate',
      'warn',
    ]);
    assert.equal(warn.code, 0, warn.stderr);
    assert.match(warn.stderr, /typo\.yaml:1: unknown field "spec\.template\.spec\.containers\[0\]\.imagePullPolcy"/);
    const ignore = await runCli([
      'check',
      '-f',
      dir('typo.yaml'),
      '-p',
      'builtin://pss-host-ports',
      '--validate',
      'ignore',
    ]);
    assert.equal(ignore.code, 0, ignore.stderr);
    assert.doesNotMatch(ignore.stderr, /unknown field/);
  });

  it('a matchCondition on object.spec.restartPolicy matches: the API server has defaulted it to Always', async () => {
    const r = await runCli([
      'check',
      '-f',
      dir('host-port.yaml'),
      '--policies',
      dir('restart-policy-condition.yaml'),
      '-o',
      'json',
    ]);
    assert.equal(r.code, 1, r.stderr);
    const [res] = (JSON.parse(r.stdout) as Doc).results;
    assert.equal(res.policy, 'clusterwide-host-ports-of-long-running-pods');
    assert.equal(res.verdict, 'fail');
  });

  it("validating policies see the mutating policies' patches (the chain); --independent evaluates each on its own", async () => {
    const chain = await runCli(['check', '-f', dir('pod.yaml'), '--policies', dir('chain.yaml'), '-o', 'json']);
    assert.equal(chain.code, 0, chain.stderr);
    const [m, v] = (JSON.parse(chain.stdout) as Doc).results;
    assert.deepEqual([m.policy, m.verdict, m.stage], ['clusterwide-a-drop-capabilities', 'pass', 'mutating']);
    assert.deepEqual([v.policy, v.verdict, v.stage], ['clusterwide-b-capabilities-dropped', 'pass', 'validating']);
    const independent = await runCli([
      'check',
      '-f',
      dir('pod.yaml'),
      '--policies',
      dir('chain.yaml'),
      '-o',
      'json',
      '--independent',
    ]);
    assert.equal(independent.code, 1, independent.stderr);
    const [, v2] = (JSON.parse(independent.stdout) as Doc).results;
    assert.equal(v2.verdict, 'fail');
  });

  it('scaffold admission-request: quantities in the typed shape (cpu 0.5 → "500m"), defaults, and the validating stage\'s uid and status', async () => {
    const m = await runCli(['scaffold', 'admission-request', '-f', dir('pod.yaml'), '--stage', 'mutating']);
    assert.equal(m.code, 0, m.stderr);
    const [mut] = reviews(m.stdout);
    const c = (mut.request.object.spec!.containers as Record<string, unknown>[])[0];
    assert.deepEqual(c.resources, {
      limits: { cpu: '500m', memory: '1536Mi' },
      requests: { cpu: '500m', memory: '1536Mi' },
    });
    assert.equal(mut.request.object.spec!.restartPolicy, 'Always');
    assert.equal(mut.request.object.metadata.uid, undefined);
    const v = await runCli(['scaffold', 'admission-request', '-f', dir('pod.yaml')]);
    const [val] = reviews(v.stdout);
    assert.match(String(val.request.object.metadata.uid), /^[0-9a-f-]{36}$/);
    assert.deepEqual(val.request.object.status, { phase: 'Pending', qosClass: 'Guaranteed' });
  });

  it('scaffold admission-request: a cluster-scoped object loses its namespace; a Namespace gets its label and request.namespace', async () => {
    const r = await runCli(['scaffold', 'admission-request', '-f', dir('cluster-scoped.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    const [role, ns] = reviews(r.stdout);
    assert.equal(role.request.namespace, undefined);
    assert.equal(role.request.object.metadata.namespace, undefined);
    assert.equal(ns.request.namespace, 'team-a');
    assert.deepEqual(ns.request.object.metadata.labels, { 'kubernetes.io/metadata.name': 'team-a' });
  });

  it('scaffold admission-request --operation UPDATE: validating policies see the stored uid, creationTimestamp and status, and the generation bumped by the spec change (BeforeUpdate, PrepareForUpdate)', async () => {
    const args = ['scaffold', 'admission-request', '-f', dir('update-applied.yaml'), '--operation', 'UPDATE'];
    const r = await runCli([...args, '--old', dir('update-stored.yaml')]);
    assert.equal(r.code, 0, r.stderr);
    const [v] = reviews(r.stdout);
    const meta = v.request.object.metadata;
    assert.deepEqual(
      [meta.uid, meta.creationTimestamp, meta.generation],
      ['6b1c3c52-1111-4a8e-9a55-3d2f0c4b7e01', '2026-11-01T10:00:00Z', 8],
    );
    assert.deepEqual(v.request.object.status, { replicas: 2, readyReplicas: 2 });
    // oldObject is the stored object as the cluster holds it: decoded and defaulted.
    const stored = (v.request as unknown as { oldObject: { spec: { strategy: unknown } } }).oldObject;
    assert.deepEqual(stored.spec.strategy, {
      type: 'RollingUpdate',
      rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' },
    });
    const m = await runCli([...args, '--old', dir('update-stored.yaml'), '--stage', 'mutating']);
    const [mut] = reviews(m.stdout);
    assert.equal(mut.request.object.metadata.generation, undefined);
  });

  it('gives the same output with one worker and with two', async () => {
    const args = [
      'check',
      '-f',
      dir('pod.yaml'),
      '-f',
      dir('host-port.yaml'),
      '--policies',
      dir('chain.yaml'),
      '-o',
      'json',
    ];
    const [one, two] = await Promise.all([runCli([...args, '--workers', '1']), runCli([...args, '--workers', '2'])]);
    assert.equal(one.stdout, two.stdout);
  });
});
