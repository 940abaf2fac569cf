import { strict as assert } from 'node:assert';
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { promisify } from 'node:util';
import { readManifests, type KubeObject } from '../../lib/manifests';
import { startApiServer } from '../servers/apiserver/index';
import { reportCrds } from '../servers/apiserver/crds';
import { ROOT, runCli } from '../support/cli';

const run = promisify(execFile);
const AUDIT = path.join(ROOT, 'manifests/audit');

type Container = { args: string[]; env?: { name: string }[] };
const podSpec = (o: KubeObject): { containers: Container[]; serviceAccountName: string } =>
  o.kind === 'CronJob'
    ? (o.spec as { jobTemplate: { spec: { template: { spec: never } } } }).jobTemplate.spec.template.spec
    : (o.spec as { template: { spec: never } }).template.spec;

describe('manifests/audit: the in-cluster audit', function () {
  this.timeout(120_000);
  let objects: KubeObject[];
  before(async () => {
    objects = (await readManifests([AUDIT], { recursive: false })).flatMap((e) =>
      e.kind === 'object' ? [e.object] : [],
    );
  });
  const find = (kind: string, name?: string): KubeObject =>
    objects.find((o) => o.kind === kind && (name === undefined || o.metadata?.name === name))!;

  it('passes the bundled policies itself (restricted Pod Security, limits, pinned image)', async () => {
    const r = await runCli(['check', '-f', AUDIT]);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /0 rejected, 0 warnings, 0 errors/);
  });

  it('reads with one role and writes only reports with the other', () => {
    const read = find('ClusterRole', 'wasmpolicy-audit-read').rules as {
      apiGroups: string[];
      resources: string[];
      verbs: string[];
    }[];
    for (const rule of read) {
      const sar = rule.resources.includes('subjectaccessreviews');
      assert.deepEqual(
        rule.verbs.filter((v) => !['get', 'list'].includes(v)),
        sar ? ['create'] : [],
        JSON.stringify(rule),
      );
    }
    const write = find('ClusterRole', 'wasmpolicy-audit-reports').rules as {
      apiGroups: string[];
      resources: string[];
    }[];
    assert.deepEqual(write.flatMap((r) => r.apiGroups).sort(), ['openreports.io', 'wgpolicyk8s.io']);
    for (const kind of ['CronJob', 'Job']) assert.equal(podSpec(find(kind)).serviceAccountName, 'wasmpolicy-audit');
  });

  it("every Job has a deadline, and the CronJob's ends before the next hourly run is due (a hang never blocks it)", () => {
    const cron = find('CronJob').spec as {
      schedule: string;
      concurrencyPolicy: string;
      jobTemplate: { spec: { activeDeadlineSeconds?: number } };
    };
    assert.match(cron.schedule, /^\d+ \* \* \* \*$/, 'hourly');
    assert.equal(cron.concurrencyPolicy, 'Forbid');
    const cronDeadline = cron.jobTemplate.spec.activeDeadlineSeconds;
    assert.ok(
      Number.isInteger(cronDeadline) && cronDeadline! > 0 && cronDeadline! < 3600,
      `CronJob activeDeadlineSeconds ${cronDeadline}`,
    );
    const jobDeadline = (find('Job').spec as { activeDeadlineSeconds?: number }).activeDeadlineSeconds;
    assert.ok(Number.isInteger(jobDeadline) && jobDeadline! > 0, `Job activeDeadlineSeconds ${jobDeadline}`);
  });

  it('the sharded Job gives each index its share: --shard INDEX/COUNT with COUNT = completions', () => {
    const job = find('Job');
    const spec = job.spec as { completions: number; parallelism: number; completionMode: string };
    assert.equal(spec.completionMode, 'Indexed');
    const args = podSpec(job).containers[0].args;
    assert.equal(args[args.indexOf('--shard') + 1], `$(SHARD_INDEX)/${spec.completions}`);
    assert.ok(podSpec(job).containers[0].env!.some((e) => e.name === 'SHARD_INDEX'));
  });

  it('kubectl creates them, and their audit commands run as written against a cluster', async () => {
    const pod = (name: string, ns: string, privileged: boolean): KubeObject => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name, namespace: ns },
      spec: { containers: [{ name: 'c', image: 'nginx:1.27', securityContext: { privileged } }] },
    });
    const api = await startApiServer({
      crds: reportCrds(),
      objects: ['a', 'b', 'c', 'd', 'e', 'f'].map((n, i) => pod(n, `ns-${n}`, i % 2 === 0)),
    });
    try {
      const kc = api.kubeconfig(mkdtempSync(path.join(tmpdir(), 'wasmpolicy-audit-kc-')));
      const created = await run('kubectl', ['--kubeconfig', kc, 'create', '-f', AUDIT, '-o', 'name']);
      assert.match(created.stdout, /cronjob.batch\/wasmpolicy-audit/);
      assert.match(created.stdout, /clusterrole.rbac.authorization.k8s.io\/wasmpolicy-audit-reports/);
      const cron = podSpec(find('CronJob')).containers[0].args;
      const full = await runCli([...cron, '--kubeconfig', kc]);
      assert.equal(full.code, 1, full.stderr);
      const reports = api.objects.list('wgpolicyk8s.io', 'PolicyReport').length;
      assert.ok(reports >= 6, `${reports} reports`);
      // The shards together cover every namespace once.
      const shardArgs = podSpec(find('Job')).containers[0].args;
      const seen: string[] = [];
      for (let i = 0; i < 4; i++) {
        const args = shardArgs
          .map((a) => a.replace('$(SHARD_INDEX)', String(i)))
          .filter((a) => a !== '--apply-reports' && a !== '--quiet');
        const r = await runCli([...args, '--kubeconfig', kc, '-o', 'json']);
        assert.ok(r.code === 0 || r.code === 1, r.stderr);
        const pods = (
          JSON.parse(r.stdout) as { results: { object?: { name?: string; kind: string } }[] }
        ).results.flatMap((x) => (x.object?.kind === 'Pod' ? [x.object.name!] : []));
        seen.push(...new Set(pods));
      }
      assert.deepEqual(seen.sort(), ['a', 'b', 'c', 'd', 'e', 'f'], 'each pod in exactly one shard');
    } finally {
      await api.close();
    }
  });
});
