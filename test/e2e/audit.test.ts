import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as jsyaml from 'js-yaml';
import { readManifests, type KubeObject } from '../../lib/manifests';
import { parseShard, inShard } from '../../lib/audit/shard';
import { auditRequest } from '../../lib/audit/request';
import { startApiServer, type TestApiServer } from '../servers/apiserver/index';
import { kubewardenCrds, reportCrds } from '../servers/apiserver/crds';
import { defaultCorpusDir, seedFromCorpus } from '../servers/apiserver/corpus-seed';
import { ROOT, runCli } from '../support/cli';
import { testHome } from '../servers/registry/env';
import { registryAvailable, startRegistry } from '../servers/registry/registry';

interface AuditResult {
  source: { file: string };
  object?: { apiVersion: string; kind: string; name?: string; namespace?: string };
  policy?: string;
  verdict: string;
  message?: string;
  code?: number;
}
interface AuditDoc {
  kind: string;
  results: AuditResult[];
  summary: Record<string, number>;
  notAudited: { id: string; reason: string }[];
  scanned: { resources: number; namespaces: number; lists: number };
}

const EXAMPLES = path.join(ROOT, 'manifests/examples');

async function exampleObjects(): Promise<KubeObject[]> {
  const entries = await readManifests([EXAMPLES], { recursive: true });
  return entries.flatMap((e) => (e.kind === 'object' ? [e.object] : []));
}

function pod(
  name: string,
  namespace: string,
  opts: { privileged?: boolean; labels?: Record<string, string> } = {},
): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace, ...(opts.labels ? { labels: opts.labels } : {}) },
    spec: {
      containers: [{ name: 'app', image: 'nginx:1.27', securityContext: { privileged: opts.privileged ?? false } }],
    },
  };
}

function clusterPolicy(
  name: string,
  builtin: string,
  spec: Record<string, unknown> = {},
  status = 'active',
): KubeObject {
  return {
    apiVersion: 'policies.kubewarden.io/v1',
    kind: 'ClusterAdmissionPolicy',
    metadata: { name, annotations: { 'wasmpolicy.kubewarden.io/module': `builtin://${builtin}` } },
    spec: {
      module: `registry://ghcr.io/kubewarden/policies/${builtin}:v1.0.0`,
      rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE', 'UPDATE'] }],
      ...spec,
    },
    status: { policyStatus: status },
  };
}

const key = (r: AuditResult): string =>
  `${r.object!.apiVersion}/${r.object!.kind}/${r.object!.namespace ?? ''}/${r.object!.name}/${r.policy}`;

describe('audit: against the test API server', function () {
  this.timeout(180_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-audit-'));
  });

  async function withServer<T>(
    opts: Parameters<typeof startApiServer>[0],
    fn: (api: TestApiServer, kubeconfig: string) => Promise<T>,
  ): Promise<T> {
    const api = await startApiServer(opts);
    try {
      return await fn(api, api.kubeconfig(mkdtempSync(path.join(dir, 'kc-'))));
    } finally {
      await api.close();
    }
  }

  it('-A: the bundled set over the example workloads, as a table; exit 1 on violations', async () => {
    await withServer({ objects: await exampleObjects() }, async (_api, kc) => {
      const r = await runCli(['audit', '-A', '--kubeconfig', kc]);
      assert.equal(r.code, 1, r.stderr);
      const lines = r.stdout.trimEnd().split('\n');
      assert.match(lines[0], /^NAMESPACE +KIND +NAME +POLICY +VERDICT +MESSAGE$/);
      assert.ok(
        lines.some((l) => /^monitoring +DaemonSet +node-agent +pss-privileged +fail +container "agent"/.test(l)),
        r.stdout,
      );
      assert.match(
        lines.at(-1)!,
        /^5 objects \(8 resources in \d+ namespaces, \d+ lists\), 20 policies: 88 passed, 0 mutated, 12 rejected, 0 warnings, 0 errors, 0 skipped$/,
      );
    });
  });

  it('-n: one namespace, no cluster-scoped resources; -o json is the documented AuditReport', async () => {
    await withServer(
      { objects: [pod('a', 'team-a', { privileged: true }), pod('b', 'team-b', { privileged: true })] },
      async (_api, kc) => {
        const r = await runCli([
          'audit',
          '-n',
          'team-a',
          '--kubeconfig',
          kc,
          '-p',
          'builtin://pss-privileged',
          '-o',
          'json',
        ]);
        assert.equal(r.code, 1, r.stderr);
        const doc = JSON.parse(r.stdout) as AuditDoc;
        assert.equal(doc.kind, 'AuditReport');
        assert.deepEqual(
          doc.results.map((x) => [x.object!.namespace, x.object!.name, x.verdict]),
          [['team-a', 'a', 'fail']],
        );
        assert.equal(doc.results[0].source.file, '/api/v1/namespaces/team-a/pods/a');
        // pss-privileged's rules name the 8 workload resources: one list each, in the one namespace.
        assert.deepEqual(doc.scanned, { resources: 8, namespaces: 1, lists: 8 });
      },
    );
  });

  it('a 403 on one resource is an error entry and the audit goes on (exit 2)', async () => {
    const objects = [
      pod('a', 'team-a', { privileged: true }),
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'd', namespace: 'team-a' },
        spec: { template: { spec: { containers: [{ name: 'c', image: 'x:1' }] } } },
      },
    ];
    await withServer(
      {
        objects,
        tokens: { 'auditor-token': { user: 'auditor' } },
        forbidden: [{ user: 'auditor', group: 'apps', resource: 'deployments' }],
      },
      async (api, _kc) => {
        const kc = api.kubeconfig(mkdtempSync(path.join(dir, 'kc-')), { token: 'auditor-token' });
        const r = await runCli(['audit', '-A', '--kubeconfig', kc, '-p', 'builtin://pss-privileged', '-o', 'json']);
        assert.equal(r.code, 2, r.stderr);
        const doc = JSON.parse(r.stdout) as AuditDoc;
        const err = doc.results.find((x) => x.verdict === 'error')!;
        assert.match(
          err.message!,
          /^cannot list deployments in all namespaces: 403 Forbidden .*deployments\.apps is forbidden: User "auditor" cannot list resource "deployments"/,
        );
        assert.equal(doc.results.filter((x) => x.verdict === 'error').length, 1);
        assert.ok(
          doc.results.some((x) => x.object?.name === 'a' && x.verdict === 'fail'),
          'the pods were still audited',
        );
      },
    );
  });

  it('selection as audit-scanner: backgroundAudit, status, CREATE, wildcards (and --include-wildcard), selectors, no matchConditions', async () => {
    const policies = [
      clusterPolicy('privileged', 'pss-privileged'),
      clusterPolicy('no-background', 'pss-privileged', { backgroundAudit: false }),
      clusterPolicy('pending', 'pss-privileged', {}, 'pending'),
      clusterPolicy('update-only', 'pss-privileged', {
        rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['UPDATE'] }],
      }),
      clusterPolicy('wildcard', 'pss-privileged', {
        rules: [{ apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], operations: ['CREATE'] }],
      }),
      clusterPolicy('labelled-only', 'pss-privileged', { objectSelector: { matchLabels: { audit: 'yes' } } }),
      clusterPolicy('prod-only', 'pss-privileged', {
        namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] },
      }),
      clusterPolicy('never-by-cel', 'pss-privileged', { matchConditions: [{ name: 'never', expression: 'false' }] }),
    ];
    const objects: KubeObject[] = [
      ...policies,
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { env: 'prod' } } },
      pod('p1', 'prod', { privileged: true }),
      pod('d1', 'dev', { privileged: true, labels: { audit: 'yes' } }),
    ];
    await withServer({ crds: kubewardenCrds(), objects }, async (_api, kc) => {
      const r = await runCli(['audit', '-A', '--kubeconfig', kc, '-o', 'json']);
      assert.equal(r.code, 1, r.stderr);
      const doc = JSON.parse(r.stdout) as AuditDoc;
      assert.deepEqual(doc.notAudited.map((n) => n.id).sort(), [
        'clusterwide-no-background',
        'clusterwide-pending',
        'clusterwide-update-only',
        'clusterwide-wildcard',
      ]);
      assert.match(doc.notAudited.find((n) => n.id === 'clusterwide-wildcard')!.reason, /--include-wildcard/);
      const verdicts = Object.fromEntries(
        doc.results.filter((x) => x.object?.kind === 'Pod').map((x) => [`${x.object!.name} ${x.policy}`, x.verdict]),
      );
      assert.equal(verdicts['p1 clusterwide-privileged'], 'fail');
      assert.equal(verdicts['p1 clusterwide-prod-only'], 'fail');
      assert.equal(verdicts['p1 clusterwide-labelled-only'], 'skip');
      assert.equal(verdicts['d1 clusterwide-labelled-only'], 'fail');
      assert.equal(verdicts['d1 clusterwide-prod-only'], 'skip');
      assert.equal(verdicts['d1 clusterwide-never-by-cel'], 'fail', 'matchConditions are not evaluated by the audit');
      const text = await runCli(['audit', '-A', '--kubeconfig', kc]);
      assert.match(text.stdout, /^not audited: clusterwide-pending: the policy is not active: its status is pending/m);
      const wild = JSON.parse(
        (await runCli(['audit', '-A', '--kubeconfig', kc, '--include-wildcard', '-o', 'json'])).stdout,
      ) as AuditDoc;
      assert.ok(!wild.notAudited.some((n) => n.id === 'clusterwide-wildcard'));
      assert.ok(
        wild.results.some(
          (x) => x.policy === 'clusterwide-wildcard' && x.object?.name === 'p1' && x.verdict === 'fail',
        ),
      );
      assert.ok(
        wild.results.some((x) => x.policy === 'clusterwide-wildcard' && x.object?.kind === 'Namespace'),
        'the wildcard expands to every listable resource',
      );
    });
  });

  // internal/audit-scanner/policies/client.go: groupPoliciesByGVR (filterWildcardRules, filterNonCreateOperations),
  // policyMatchesNamespace (the policy's own namespaceSelector on live Namespace labels), GetClusterWidePolicies (no
  // namespace filter for cluster-scoped resources); scanner/scanner.go policyMatches (objectSelector);
  // k8s/client.go NewClient + GetAuditedNamespaces (the Kubewarden namespace is skipped).
  it("audit-scanner parity: literal CREATE, the policy's own namespaceSelector, cluster-scoped objects unfiltered, the Kubewarden namespace skipped", async () => {
    const nsRule = { apiGroups: [''], apiVersions: ['v1'], resources: ['namespaces'], operations: ['CREATE'] };
    const policyServer: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'policy-server-default',
        namespace: 'kw-system',
        labels: {
          'app.kubernetes.io/component': 'policy-server',
          'app.kubernetes.io/part-of': 'kubewarden',
          'app.kubernetes.io/instance': 'policy-server-default',
        },
      },
      spec: {
        selector: { matchLabels: { app: 'ps' } },
        template: {
          metadata: { labels: { app: 'ps' } },
          spec: { containers: [{ name: 'policy-server', image: 'ghcr.io/kubewarden/policy-server:v1.30.0' }] },
        },
      },
    };
    const objects: KubeObject[] = [
      clusterPolicy('star-ops', 'pss-privileged', {
        rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['*'] }],
      }),
      clusterPolicy('team-a-only', 'pss-privileged', { namespaceSelector: { matchLabels: { team: 'a' } } }),
      clusterPolicy('ns-team-a', 'pss-privileged', {
        rules: [nsRule],
        namespaceSelector: { matchLabels: { team: 'a' } },
      }),
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { team: 'a' } } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-b', labels: { team: 'b' } } },
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kw-system' } },
      policyServer,
      pod('pa', 'team-a', { privileged: true }),
      pod('pb', 'team-b', { privileged: true }),
      pod('pk', 'kw-system', { privileged: true }),
    ];
    await withServer({ crds: kubewardenCrds(), objects }, async (_api, kc) => {
      const r = await runCli(['audit', '-A', '--kubeconfig', kc, '-o', 'json', '-v']);
      assert.equal(r.code, 1, r.stderr);
      const doc = JSON.parse(r.stdout) as AuditDoc;
      assert.deepEqual(doc.notAudited, [
        { id: 'clusterwide-star-ops', reason: 'the policy does not have rules with a CREATE operation' },
      ]);
      const verdicts = Object.fromEntries(
        doc.results.map((x) => [`${x.object!.kind} ${x.object!.name} ${x.policy}`, x.verdict]),
      );
      assert.equal(verdicts['Pod pa clusterwide-team-a-only'], 'fail');
      assert.equal(
        verdicts['Pod pb clusterwide-team-a-only'],
        'skip',
        'matchLabels select the namespaces audited, as audit-scanner reads them',
      );
      assert.ok(
        verdicts['Namespace team-b clusterwide-ns-team-a'] &&
          verdicts['Namespace team-b clusterwide-ns-team-a'] !== 'skip',
        'cluster-scoped objects get no namespaceSelector filtering',
      );
      assert.ok(
        !doc.results.some((x) => x.object?.namespace === 'kw-system'),
        'the namespace of the policy-server Deployments is never scanned',
      );
      assert.match(r.stderr, /Kubewarden runs in namespace kw-system/);
      const flag = JSON.parse(
        (await runCli(['audit', '-A', '--kubeconfig', kc, '-o', 'json', '--kubewarden-namespace', 'team-b'])).stdout,
      ) as AuditDoc;
      assert.ok(
        flag.results.some((x) => x.object?.name === 'pk'),
        '--kubewarden-namespace wins over the cluster',
      );
      assert.ok(!flag.results.some((x) => x.object?.namespace === 'team-b'));
      const one = JSON.parse(
        (await runCli(['audit', '-n', 'kw-system', '--kubeconfig', kc, '-o', 'json'])).stdout,
      ) as AuditDoc;
      assert.ok(
        one.results.some((x) => x.object?.name === 'pk'),
        '-n scans the namespace it names, as ScanNamespace does',
      );
    });
  });

  // crates/policy-server evaluation `evaluate` (should_always_accept_requests_made_inside_of_namespace) and
  // internal/controller policyserver_controller_deployment.go, which sets KUBEWARDEN_ALWAYS_ACCEPT_ADMISSION_REVIEWS_ON_NAMESPACE.
  it('always-accept in the Kubewarden namespace: from the policy-server Deployment with --from-cluster, a flag otherwise', async () => {
    const deployment = (env: boolean): KubeObject => ({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: {
        name: 'policy-server-default',
        namespace: 'kw-system',
        labels: { 'kubewarden/policy-server': 'default' },
      },
      spec: {
        selector: { matchLabels: { app: 'ps' } },
        template: {
          metadata: { labels: { app: 'ps' } },
          spec: {
            containers: [
              {
                name: 'policy-server',
                image: 'ghcr.io/kubewarden/policy-server:v1.30.0',
                env: env
                  ? [{ name: 'KUBEWARDEN_ALWAYS_ACCEPT_ADMISSION_REVIEWS_ON_NAMESPACE', value: 'kw-system' }]
                  : [],
              },
            ],
          },
        },
      },
    });
    const file = path.join(dir, 'kw-pod.yaml');
    writeFileSync(file, jsyaml.dump(pod('inside', 'kw-system', { privileged: true })));
    const policy = clusterPolicy('privileged', 'pss-privileged', { allowInsideAdmissionControllerNamespace: true });
    await withServer({ crds: kubewardenCrds(), objects: [policy, deployment(true)] }, async (_api, kc) => {
      const r = await runCli(['check', '-f', file, '--from-cluster', '--kubeconfig', kc, '-o', 'json']);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const doc = JSON.parse(r.stdout) as AuditDoc;
      assert.equal(doc.results[0].verdict, 'pass');
      assert.match(doc.results[0].message!, /always accepts requests in namespace kw-system/);
      const off = await runCli([
        'check',
        '-f',
        file,
        '--from-cluster',
        '--kubeconfig',
        kc,
        '--no-always-accept-kubewarden-namespace',
      ]);
      assert.equal(off.code, 1, off.stderr);
    });
    await withServer({ crds: kubewardenCrds(), objects: [policy, deployment(false)] }, async (_api, kc) => {
      const r = await runCli(['check', '-f', file, '--from-cluster', '--kubeconfig', kc]);
      assert.equal(r.code, 1, 'a policy-server without the setting evaluates requests in its namespace');
    });
    const flag = await runCli([
      'check',
      '-f',
      file,
      '-p',
      'builtin://pss-privileged',
      '--always-accept-kubewarden-namespace',
      '--kubewarden-namespace',
      'kw-system',
    ]);
    assert.equal(flag.code, 0, flag.stderr + flag.stdout);
    const plain = await runCli([
      'check',
      '-f',
      file,
      '-p',
      'builtin://pss-privileged',
      '--kubewarden-namespace',
      'kw-system',
    ]);
    assert.equal(plain.code, 1, 'off by default without a cluster');
  });

  // internal/audit-scanner/report/report.go: getCategoryAndMessage, computePolicyResultSeverity (the resource's
  // annotations), computeProperties (policy-name is the resource name, uid, resourceVersion, namespace);
  // scanner/scanner.go auditResource: summary.skip is SetSkipPolicies(SkippedNum), not the selector misses.
  it("PolicyReports as audit-scanner writes them: the resource's severity/category, its identity, skip counted per scope", async () => {
    const annotated = clusterPolicy('privileged', 'pss-privileged');
    annotated.metadata!.annotations = {
      ...annotated.metadata!.annotations,
      'io.kubewarden.policy.severity': 'critical',
      'io.kubewarden.policy.category': 'Platform rules',
    };
    const namespaced: KubeObject = {
      apiVersion: 'policies.kubewarden.io/v1',
      kind: 'AdmissionPolicy',
      metadata: {
        name: 'local',
        namespace: 'team-a',
        annotations: { 'wasmpolicy.kubewarden.io/module': 'builtin://pss-privileged' },
      },
      spec: {
        module: 'registry://ghcr.io/kubewarden/policies/pss-privileged:v1.0.0',
        rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] }],
      },
      status: { policyStatus: 'active' },
    };
    const objects: KubeObject[] = [
      annotated,
      namespaced,
      clusterPolicy('other-team', 'pss-privileged', { namespaceSelector: { matchLabels: { team: 'b' } } }),
      clusterPolicy('no-background', 'pss-privileged', { backgroundAudit: false }),
      clusterPolicy('update-only', 'pss-privileged', {
        rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['UPDATE'] }],
      }),
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', labels: { team: 'a' } } },
      pod('a', 'team-a', { privileged: true }),
    ];
    await withServer({ crds: kubewardenCrds(), objects }, async (api, kc) => {
      const r = await runCli(['audit', '-A', '--kubeconfig', kc, '-o', 'policyreport']);
      assert.equal(r.code, 1, r.stderr);
      const reports = jsyaml.loadAll(r.stdout) as {
        kind: string;
        scope: { name: string };
        summary: Record<string, number>;
        results: { policy: string; severity?: string; category?: string; properties: Record<string, string> }[];
      }[];
      const report = reports.find((x) => x.scope.name === 'a')!;
      assert.deepEqual(
        report.summary,
        { pass: 0, fail: 2, warn: 0, error: 0, skip: 2 },
        'skip: no-background and update-only; other-team, whose selector leaves team-a out, is not counted',
      );
      const cap = report.results.find((x) => x.policy === 'clusterwide-privileged')!;
      assert.equal(cap.severity, 'critical');
      assert.equal(cap.category, 'Platform rules');
      const stored = api.objects
        .list('policies.kubewarden.io', 'ClusterAdmissionPolicy')
        .find((o) => o.metadata?.name === 'privileged')!;
      assert.equal(cap.properties.validating, 'true');
      assert.equal(cap.properties['policy-name'], 'privileged');
      assert.equal(cap.properties['policy-uid'], stored.metadata!.uid);
      assert.equal(cap.properties['policy-resource-version'], stored.metadata!.resourceVersion);
      assert.equal(cap.properties['policy-namespace'], undefined);
      const ap = report.results.find((x) => x.policy === 'namespaced-team-a-local')!;
      assert.equal(ap.properties['policy-name'], 'local');
      assert.equal(ap.properties['policy-namespace'], 'team-a');
    });
  });

  // audit-scanner builds the request from the object (Go omits an empty namespace): cluster-scoped objects have none.
  it('the audit request of a cluster-scoped object has no namespace field; a namespaced one has its namespace', () => {
    const ns = auditRequest(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a', uid: 'u1' } },
      { group: '', version: 'v1', resource: 'namespaces', kind: 'Namespace', namespaced: false },
    );
    assert.ok(!('namespace' in JSON.parse(ns.json)), ns.json);
    const p = auditRequest(pod('x', 'team-a'), {
      group: '',
      version: 'v1',
      resource: 'pods',
      kind: 'Pod',
      namespaced: true,
    });
    assert.equal((JSON.parse(p.json) as { namespace: string }).namespace, 'team-a');
  });

  it('--apply-reports writes one PolicyReport per object (updated, not duplicated, on the next run); --report-kind openreports', async () => {
    await withServer(
      { crds: reportCrds(), objects: [pod('a', 'team-a', { privileged: true }), pod('b', 'team-a')] },
      async (api, kc) => {
        for (let run = 0; run < 2; run++) {
          const from = api.requests.length;
          const r = await runCli([
            'audit',
            '-A',
            '--kubeconfig',
            kc,
            '-p',
            'builtin://pss-privileged',
            '--apply-reports',
          ]);
          assert.equal(r.code, 1, r.stderr);
          assert.match(r.stderr, /applied 2 of 2 policy reports/);
          // One list of the reports written before, then one write per report: no read of each report first.
          const reportRequests = api.requests
            .slice(from)
            .filter((q) => q.path.includes('/policyreports'))
            .map((q) => `${q.method} ${q.path.split('/').length > 7 ? 'one' : 'collection'} ${q.status}`);
          assert.deepEqual(
            reportRequests,
            run === 0
              ? ['GET collection 200', 'POST collection 201', 'POST collection 201']
              : ['GET collection 200', 'PUT one 200', 'PUT one 200'],
          );
        }
        const reports = api.objects.list('wgpolicyk8s.io', 'PolicyReport');
        assert.equal(reports.length, 2, 'one report per pod, replaced on the second run');
        const a = reports.find((x) => (x.scope as { name: string }).name === 'a')!;
        assert.equal((a.summary as { fail: number }).fail, 1);
        assert.equal(a.metadata!.name, (a.scope as { uid: string }).uid);
        assert.ok(a.metadata!.labels!['kubewarden.io/audit-scanner-run-uid']);
        const open = await runCli([
          'audit',
          '-A',
          '--kubeconfig',
          kc,
          '-p',
          'builtin://pss-privileged',
          '--apply-reports',
          '--report-kind',
          'openreports',
        ]);
        assert.equal(open.code, 1, open.stderr);
        assert.equal(api.objects.list('openreports.io', 'Report').length, 2);
      },
    );
  });

  it('--from-cluster: check asks "would the cluster accept these manifests?" with its active policies', async () => {
    await withServer(
      {
        crds: kubewardenCrds(),
        objects: [clusterPolicy('privileged', 'pss-privileged'), clusterPolicy('pending', 'image-tag', {}, 'pending')],
      },
      async (_api, kc) => {
        const file = path.join(dir, 'pod.yaml');
        writeFileSync(file, jsyaml.dump(pod('x', 'shop', { privileged: true })));
        const r = await runCli(['check', '-f', file, '--from-cluster', '--kubeconfig', kc]);
        assert.equal(r.code, 1, r.stderr);
        assert.match(r.stdout, /rejected: Pod shop\/x by clusterwide-privileged/);
        assert.match(r.stdout, /1 object, 1 policy:/, 'the pending policy is not enforced by the cluster');
        const none = await runCli(['check', '-f', file, '--from-cluster', '--kubeconfig', kc, '--context', 'nope']);
        assert.equal(none.code, 2);
        assert.match(none.stderr, /nope/);
      },
    );
  });

  it("--from-cluster pulls modules from a registry with the PolicyServers' insecureSources", async function () {
    if (!registryAvailable()) throw new Error('this test needs the Debian docker-registry package');
    const reg = await startRegistry();
    const home = testHome();
    try {
      const ref = `registry://${reg.host}/policies/pss-privileged:v1.0.0`;
      // Pushing needs the host to be insecure too: here through a sources file the audit runs will not see.
      const sources = path.join(home.dir, 'push-sources.yaml');
      writeFileSync(sources, JSON.stringify({ insecure_sources: [reg.host] }));
      const push = await runCli(
        ['push', path.join(ROOT, 'dist/plugins/pss-privileged.wasm'), ref, '--sources-path', sources],
        { env: home.env },
      );
      assert.equal(push.code, 0, push.stderr);
      const policy: KubeObject = {
        apiVersion: 'policies.kubewarden.io/v1',
        kind: 'ClusterAdmissionPolicy',
        metadata: { name: 'privileged' },
        spec: {
          module: ref,
          rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] }],
        },
        status: { policyStatus: 'active' },
      };
      const server = (insecure: boolean): KubeObject => ({
        apiVersion: 'policies.kubewarden.io/v1',
        kind: 'PolicyServer',
        metadata: { name: 'default' },
        spec: {
          image: 'ghcr.io/kubewarden/policy-server:v1.20.0',
          replicas: 1,
          ...(insecure ? { insecureSources: [reg.host] } : {}),
        },
      });
      await withServer(
        { crds: kubewardenCrds(), objects: [policy, server(true), pod('a', 'team-a', { privileged: true })] },
        async (_api, kc) => {
          const r = await runCli(['audit', '-A', '--kubeconfig', kc, '-o', 'json'], { env: home.env });
          assert.equal(r.code, 1, r.stderr);
          const doc = JSON.parse(r.stdout) as AuditDoc;
          assert.deepEqual(
            doc.results.filter((x) => x.object?.kind === 'Pod').map((x) => [x.policy, x.verdict]),
            [['clusterwide-privileged', 'fail']],
          );
        },
      );
      await withServer(
        { crds: kubewardenCrds(), objects: [policy, server(false), pod('a', 'team-a', { privileged: true })] },
        async (_api, kc) => {
          const r = await runCli(['audit', '-A', '--kubeconfig', kc, '--pull', 'always'], { env: home.env });
          assert.equal(r.code, 2);
          assert.match(r.stderr, /does not speak TLS on this port .*add "127\.0\.0\.1:\d+" to insecure_sources/);
        },
      );
    } finally {
      await reg.stop();
    }
  });

  it('-p takes --settings-json as in check; settings without -p are refused', async () => {
    await withServer({ objects: [pod('a', 'team-a', { privileged: true })] }, async (_api, kc) => {
      const bad = await runCli([
        'audit',
        '-A',
        '--kubeconfig',
        kc,
        '-p',
        'builtin://pss-privileged',
        '--settings-json',
        '{"no_such_setting":1}',
      ]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /invalid settings .*no_such_setting/);
      const orphan = await runCli(['audit', '-A', '--kubeconfig', kc, '--settings-json', '{}']);
      assert.equal(orphan.code, 2);
      assert.match(orphan.stderr, /settings apply to policies given with -p/);
    });
  });

  it('sharding: every namespace in exactly one shard, stable', () => {
    assert.deepEqual(parseShard('1/4'), { index: 1, count: 4 });
    assert.throws(() => parseShard('4/4'), /INDEX must be/);
    const names = Array.from({ length: 200 }, (_, i) => `ns-${i}`);
    const counts = [0, 1, 2, 3].map((index) => names.filter((n) => inShard(n, { index, count: 4 })).length);
    assert.equal(
      counts.reduce((a, b) => a + b),
      200,
    );
    for (const c of counts) assert.ok(c > 25 && c < 75, `balanced: ${counts.join(' ')}`);
  });

  it('audit -A of the corpus gives the verdicts check -R -f gives on the same files', async function () {
    const seed = await seedFromCorpus();
    await withServer({ objects: seed.objects }, async (_api, kc) => {
      const [audit, check] = await Promise.all([
        runCli(['audit', '-A', '--kubeconfig', kc, '-o', 'json', '--page-size', '50']),
        runCli(['check', '-R', '-f', defaultCorpusDir(), '-o', 'json']),
      ]);
      assert.equal(audit.code, 1, audit.stderr);
      const a = JSON.parse(audit.stdout) as AuditDoc;
      const c = JSON.parse(check.stdout) as AuditDoc;
      const checked = new Map<string, string>();
      for (const r of c.results) if (r.object && r.policy && !checked.has(key(r))) checked.set(key(r), r.verdict);
      // check decodes every object as the API server does: the few the server refuses (unknown fields, wrong
      // types: no policy result; a required field missing: 422 for each validating policy) are objects a
      // cluster would never hold, so audit cannot meet them there.
      const refused = new Set(
        c.results
          .filter((r) => r.object && r.verdict === 'error' && (!r.policy || r.code === 422))
          .map((r) => `${r.object!.apiVersion}/${r.object!.kind}/${r.object!.namespace ?? ''}/${r.object!.name ?? ''}`),
      );
      assert.ok(refused.size < 20, `${refused.size} objects refused by strict decoding`);
      const evaluated = a.results.filter(
        (r) => r.verdict !== 'skip' && !refused.has(key(r).split('/').slice(0, -1).join('/')),
      );
      assert.ok(evaluated.length > 2000, `${evaluated.length} evaluations`);
      assert.ok(a.summary.fail > 300, `${a.summary.fail} violations`);
      const differ = evaluated
        .filter((r) => checked.get(key(r)) !== r.verdict)
        .map((r) => `${key(r)}: audit ${r.verdict}, check ${checked.get(key(r))}`);
      assert.deepEqual(differ.slice(0, 10), []);
    });
  });
});
