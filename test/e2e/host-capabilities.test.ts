// Context-aware policies built from source (test/fixtures/guests: wapc-rust-context, wasi-rust-context) run
// through the real CLI: the kubernetes capability answered from the manifests given, the contextAwareResources
// allow-list, tracing/log at -v, and kwctl-format record/replay of the host-capability exchanges.

import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as jsyaml from 'js-yaml';
import { buildGuestFixtures } from '../fixtures/guests/build.mjs';
import { fixture, runCli, type CliResult } from '../support/cli';

const CONTEXT = fixture('guests', 'manifests', 'context.yaml');
const NOT_GRANTED = (av: string, kind: string) =>
  `Policy has not been granted access to Kubernetes ${av}/${kind} resources. The violation has been reported.`;

type Verdicts = Record<string, { verdict: string; message?: string }>;

/** Verdicts of one policy on the Pods, keyed "namespace/name". */
function podVerdicts(r: CliResult, policy: string): Verdicts {
  let report: {
    results: {
      object?: { kind: string; name?: string; namespace?: string };
      policy?: string;
      verdict: string;
      message?: string;
    }[];
  };
  try {
    report = JSON.parse(r.stdout) as typeof report;
  } catch {
    throw new Error(`not a JSON report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  const out: Verdicts = {};
  for (const row of report.results) {
    if (row.policy !== policy || row.object?.kind !== 'Pod') continue;
    out[`${row.object.namespace}/${row.object.name}`] =
      row.message === undefined ? { verdict: row.verdict } : { verdict: row.verdict, message: row.message };
  }
  return out;
}

const EXPECTED: Verdicts = {
  'shop/ok': { verdict: 'pass' },
  'bare/unlabelled': { verdict: 'fail', message: 'namespace bare has no label "team"' },
  'empty/lonely': { verdict: 'fail', message: 'namespace empty has no Service' },
  'ghost/lost': {
    verdict: 'fail',
    message: "cannot look up namespace ghost: Cannot find v1/Namespace named 'ghost' inside of namespace 'None'",
  },
};

describe('host capabilities through the CLI (context-aware guests built from source)', function () {
  this.timeout(60_000);
  let dir: string;
  const wasm: Record<string, string> = {};

  before(async function () {
    this.timeout(120_000);
    dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-hostcap-'));
    for (const f of await buildGuestFixtures(dir, { names: ['wapc-rust-context', 'wasi-rust-context'] }))
      wasm[f.name] = f.path;
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('waPC and WASI guests get the same verdicts from the manifests: get_resource, list_resources_by_namespace, not-found text', async () => {
    const r = await runCli([
      'check',
      '-f',
      CONTEXT,
      '-p',
      wasm['wapc-rust-context'],
      '-p',
      wasm['wasi-rust-context'],
      '-o',
      'json',
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(podVerdicts(r, 'wapc-rust-context'), EXPECTED);
    assert.deepEqual(podVerdicts(r, 'wasi-rust-context'), EXPECTED);
  });

  it('sees objects written after the one evaluated, however long the input (evaluation waits for all of it)', async () => {
    const docs = jsyaml.loadAll(readFileSync(CONTEXT, 'utf8')) as { kind: string }[];
    // The Pods first, then 2,500 ConfigMaps (more than the read-ahead window), then the Namespaces and Services.
    const filler = Array.from({ length: 2500 }, (_, i) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: `c${i}`, namespace: 'filler' },
      data: { k: 'v' },
    }));
    const reordered = [...docs.filter((d) => d.kind === 'Pod'), ...filler, ...docs.filter((d) => d.kind !== 'Pod')];
    const file = path.join(dir, 'late-world.yaml');
    writeFileSync(file, reordered.map((d) => jsyaml.dump(d)).join('---\n'));
    const r = await runCli([
      'check',
      '-f',
      file,
      '-p',
      wasm['wapc-rust-context'],
      '-p',
      wasm['wasi-rust-context'],
      '-o',
      'json',
    ]);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(podVerdicts(r, 'wapc-rust-context'), EXPECTED);
    assert.deepEqual(podVerdicts(r, 'wasi-rust-context'), EXPECTED);
  });

  it("refuses a kind outside contextAwareResources with policy-evaluator's exact text", async () => {
    const r = await runCli([
      'check',
      '-f',
      CONTEXT,
      '-p',
      wasm['wapc-rust-context'],
      '-p',
      wasm['wasi-rust-context'],
      '--settings-json',
      '{"read_secret":"db"}',
      '-o',
      'json',
    ]);
    for (const p of ['wapc-rust-context', 'wasi-rust-context']) {
      assert.deepEqual(
        podVerdicts(r, p)['shop/ok'],
        { verdict: 'fail', message: `cannot read secret db: ${NOT_GRANTED('v1', 'Secret')}` },
        p,
      );
    }
  });

  it('a policy from policies.yml gets only what its entry grants (nothing when it lists nothing)', async () => {
    const yml = path.join(dir, 'policies.yml');
    writeFileSync(
      yml,
      jsyaml.dump({
        granted: {
          module: `file://${wasm['wapc-rust-context']}`,
          contextAwareResources: [
            { apiVersion: 'v1', kind: 'Namespace' },
            { apiVersion: 'v1', kind: 'Service' },
          ],
        },
        ungranted: { module: `file://${wasm['wapc-rust-context']}` },
        'namespace-only': {
          module: `file://${wasm['wasi-rust-context']}`,
          contextAwareResources: [{ apiVersion: 'v1', kind: 'Namespace' }],
        },
      }),
    );
    const r = await runCli(['check', '-f', CONTEXT, '--policies', yml, '-o', 'json']);
    assert.equal(r.code, 1, r.stderr);
    assert.deepEqual(podVerdicts(r, 'granted'), EXPECTED);
    assert.deepEqual(podVerdicts(r, 'ungranted')['shop/ok'], {
      verdict: 'fail',
      message: `cannot look up namespace shop: ${NOT_GRANTED('v1', 'Namespace')}`,
    });
    assert.deepEqual(podVerdicts(r, 'namespace-only')['shop/ok'], {
      verdict: 'fail',
      message: `cannot list services in shop: ${NOT_GRANTED('v1', 'Service')}`,
    });
    assert.doesNotMatch(r.stderr, /not available/);
  });

  it('kubewarden/tracing/log lines reach stderr at -v, tagged with the policy id, and not without it', async () => {
    const [quiet, verbose] = await Promise.all([
      runCli(['check', '-f', CONTEXT, '-p', wasm['wapc-rust-context'], '-o', 'json']),
      runCli(['check', '-v', '-f', CONTEXT, '-p', wasm['wapc-rust-context'], '-o', 'json']),
    ]);
    assert.match(verbose.stderr, /^\[wapc-rust-context\] checking pod ok$/m);
    assert.doesNotMatch(quiet.stderr, /checking pod/);
  });

  it("records the exchanges in kwctl's session format, and a replay gives the same verdicts without the objects", async () => {
    const session = path.join(dir, 'session.yml');
    const recorded = await runCli([
      'check',
      '-f',
      CONTEXT,
      '-p',
      wasm['wapc-rust-context'],
      '-p',
      wasm['wasi-rust-context'],
      '--record-host-capabilities-interactions',
      session,
      '-o',
      'json',
    ]);
    assert.equal(recorded.code, 1, recorded.stderr);
    const doc = jsyaml.load(readFileSync(session, 'utf8')) as {
      type: string;
      request: string;
      response: { type: string; payload?: string; message?: string };
    }[];
    assert.ok(Array.isArray(doc) && doc.length > 0, 'a YAML list of exchanges');
    assert.ok(doc.every((x) => x.type === 'Exchange'));
    const first = doc[0];
    // The Pods in input order, one worker: shop/ok asks first.
    assert.equal(
      first.request,
      '!KubernetesGetResource\napi_version: v1\nkind: Namespace\nname: shop\nnamespace: null\ndisable_cache: false\n',
    );
    assert.equal(first.response.type, 'Success');
    assert.equal((JSON.parse(first.response.payload!) as { metadata: { name: string } }).metadata.name, 'shop');
    const notFound = doc.find((x) => x.response.type === 'Error');
    assert.deepEqual(notFound?.response, {
      type: 'Error',
      message: "Cannot find v1/Namespace named 'ghost' inside of namespace 'None'",
    });
    assert.ok(
      doc.some((x) =>
        x.request.startsWith(
          '!KubernetesListResourceNamespace\napi_version: v1\nkind: Service\nnamespace: shop\nlabel_selector: null\nfield_selector: null\n',
        ),
      ),
    );
    // tracing/log is answered in the worker and never recorded, as in kwctl.
    assert.ok(!doc.some((x) => /tracing|log/i.test(x.request.split('\n')[0])));

    // Replayed over Pods only: no Namespace or Service in the input, the session answers.
    const podsOnly = path.join(dir, 'pods-only.yaml');
    writeFileSync(
      podsOnly,
      readFileSync(CONTEXT, 'utf8')
        .split(/^---$/m)
        .filter((d) => /^kind: Pod$/m.test(d))
        .join('---'),
    );
    const replayed = await runCli([
      'check',
      '-f',
      podsOnly,
      '-p',
      wasm['wapc-rust-context'],
      '-p',
      wasm['wasi-rust-context'],
      '--replay-host-capabilities-interactions',
      session,
      '-o',
      'json',
    ]);
    assert.equal(replayed.code, 1, replayed.stderr);
    assert.deepEqual(podVerdicts(replayed, 'wapc-rust-context'), EXPECTED);
    assert.deepEqual(podVerdicts(replayed, 'wasi-rust-context'), EXPECTED);
    assert.doesNotMatch(replayed.stderr, /not asked for/);
  });

  it('net, crypto and can_i are recorded and replayed too (a probing guest)', async () => {
    const podsOnly = path.join(dir, 'pods-only-probe.yaml');
    writeFileSync(
      podsOnly,
      readFileSync(CONTEXT, 'utf8')
        .split(/^---$/m)
        .filter((d) => /^kind: Pod$/m.test(d))
        .join('---'),
    );
    const probes: Record<string, { probe: Record<string, string>; tag: string; expect: RegExp }> = {
      dns: {
        probe: { binding: 'kubewarden', namespace: 'net', operation: 'v1/dns_lookup_host', payload: '"localhost"' },
        tag: '!DNSLookupHost\nhost: localhost\n',
        expect: /^probe ok: \{"ips":\["(127\.0\.0\.1|::1)"/,
      },
      canI: {
        probe: {
          binding: 'kubewarden',
          namespace: 'kubernetes',
          operation: 'can_i',
          payload: JSON.stringify({
            subject_access_review: {
              user: 'alice',
              resourceAttributes: { namespace: 'shop', verb: 'get', resource: 'pods' },
            },
            disable_cache: false,
          }),
        },
        tag: '!KubernetesCanI\nsubject_access_review:\n  apiVersion: authorization.k8s.io/v1\n  kind: SubjectAccessReview\n  metadata: {}\n  spec:\n    resourceAttributes:\n      namespace: shop\n      resource: pods\n      verb: get\n    user: alice\ndisable_cache: false\n',
        expect:
          /^probe ok: \{"allowed":true,"reason":"RBAC: allowed by RoleBinding \\"alice-reads-pods\\" of Role \\"pod-reader\\" in namespace \\"shop\\" to User \\"alice\\""\}$/,
      },
      crypto: {
        probe: {
          binding: 'kubewarden',
          namespace: 'crypto',
          operation: 'v1/is_certificate_trusted',
          payload: JSON.stringify({
            cert: { encoding: 'Pem', data: [...Buffer.from('no certificate')] },
            cert_chain: null,
            not_after: null,
          }),
        },
        tag: '!CertificateVerification\ncert:\n  encoding: Pem\n  data:\n    - 110\n',
        expect: /^probe error: cert is not a valid PEM certificate: /,
      },
    };
    for (const [name, p] of Object.entries(probes)) {
      const session = path.join(dir, `${name}.yml`);
      const settings = JSON.stringify({ probe: p.probe });
      // DNS leaves the machine: it needs the grant (docs/host-capabilities.md, "Grants"); kubernetes and crypto do not.
      const grant = name === 'dns' ? ['--allowed-host-capabilities', 'net/v1/dns_lookup_host'] : [];
      const rec = await runCli([
        'check',
        '-f',
        CONTEXT,
        '-p',
        wasm['wapc-rust-context'],
        '--settings-json',
        settings,
        '--record-host-capabilities-interactions',
        session,
        ...grant,
        '-o',
        'json',
      ]);
      const live = podVerdicts(rec, 'wapc-rust-context');
      assert.match(live['shop/ok'].message!, p.expect, name);
      const doc = jsyaml.load(readFileSync(session, 'utf8')) as { request: string }[];
      assert.equal(doc.length, 4, `${name}: one exchange per Pod`);
      assert.ok(doc[0].request.startsWith(p.tag), `${name}: ${doc[0].request}`);
      const rep = await runCli([
        'check',
        '-f',
        podsOnly,
        '-p',
        wasm['wapc-rust-context'],
        '--settings-json',
        settings,
        '--replay-host-capabilities-interactions',
        session,
        ...grant,
        '-o',
        'json',
      ]);
      assert.deepEqual(podVerdicts(rep, 'wapc-rust-context'), live, name);
    }
  });

  it('without --allowed-host-capabilities a DNS lookup is refused before it leaves the machine, and not recorded', async () => {
    const session = path.join(dir, 'refused.yml');
    const settings = JSON.stringify({
      probe: { binding: 'kubewarden', namespace: 'net', operation: 'v1/dns_lookup_host', payload: '"localhost"' },
    });
    const r = await runCli([
      'check',
      '-f',
      CONTEXT,
      '-p',
      wasm['wapc-rust-context'],
      '--settings-json',
      settings,
      '--record-host-capabilities-interactions',
      session,
      '-o',
      'json',
    ]);
    assert.equal(
      podVerdicts(r, 'wapc-rust-context')['shop/ok'].message,
      'probe error: Policy has not been granted the host capability net/v1/dns_lookup_host. Grant it with --allowed-host-capabilities net/v1/dns_lookup_host (or net/*)',
    );
    assert.deepEqual(jsyaml.load(readFileSync(session, 'utf8')) ?? [], []);
    const bad = await runCli([
      'check',
      '-f',
      CONTEXT,
      '-p',
      wasm['wapc-rust-context'],
      '--allowed-host-capabilities',
      'dns/*',
    ]);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^error: --allowed-host-capabilities: "dns\/\*" matches no host capability \(known: /m);
  });

  it('a replay that does not match says which exchange and what was asked; a bad session file is a usage error', async () => {
    const session = path.join(dir, 'mismatch.yml');
    writeFileSync(
      session,
      jsyaml.dump([
        {
          type: 'Exchange',
          request:
            '!KubernetesGetResource\napi_version: v1\nkind: Namespace\nname: elsewhere\nnamespace: null\ndisable_cache: false\n',
          response: { type: 'Success', payload: '{"kind":"Namespace"}' },
        },
      ]),
    );
    const r = await runCli([
      'check',
      '-f',
      CONTEXT,
      '-p',
      wasm['wapc-rust-context'],
      '--replay-host-capabilities-interactions',
      session,
      '-o',
      'json',
    ]);
    const v = podVerdicts(r, 'wapc-rust-context');
    assert.equal(
      v['shop/ok'].message,
      `cannot look up namespace shop: replay: ${session}: exchange 1 does not match: recorded !KubernetesGetResource {api_version: v1, kind: Namespace, name: elsewhere, namespace: null, disable_cache: false}; the policy asked !KubernetesGetResource {api_version: v1, kind: Namespace, name: shop, namespace: null, disable_cache: false}`,
    );
    assert.match(v['bare/unlabelled'].message!, /^cannot look up namespace bare: replay: .*exchange 1 does not match/);

    const bad = path.join(dir, 'bad.yml');
    writeFileSync(bad, 'type: Exchange\n');
    const b = await runCli([
      'check',
      '-f',
      CONTEXT,
      '-p',
      wasm['wapc-rust-context'],
      '--replay-host-capabilities-interactions',
      bad,
    ]);
    assert.equal(b.code, 2);
    assert.match(
      b.stderr,
      /^error: --replay-host-capabilities-interactions .*bad\.yml: a session is a YAML list of exchanges$/m,
    );
  });
});
