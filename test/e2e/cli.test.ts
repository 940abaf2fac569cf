import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT, runCli } from '../support/cli';
import { wapcGuest, wat2wasm } from '../support/wat';

interface JsonReport {
  apiVersion: string;
  kind: string;
  results: {
    source: { file: string; line: number };
    object?: { kind: string; name?: string; namespace?: string };
    policy?: string;
    verdict: string;
    message?: string;
    patch?: { op: string; path: string; value?: unknown }[];
  }[];
  policies: { id: string; module: string; mutating: boolean; sha256: string }[];
  summary: Record<string, number>;
}

const BUNDLED = readdirSync(path.join(ROOT, 'plugins')).filter((d) =>
  existsSync(path.join(ROOT, 'plugins', d, 'metadata.yml')),
).length;

describe('CLI', () => {
  describe('check on the examples with the bundled set', () => {
    let text: Awaited<ReturnType<typeof runCli>>;
    let json: JsonReport;
    before(async () => {
      text = await runCli(['check', '-f', 'manifests/examples']);
      const j = await runCli(['check', '-f', 'manifests/examples', '-o', 'json']);
      assert.equal(j.code, 1, j.stderr);
      json = JSON.parse(j.stdout) as JsonReport;
    });

    it('exits 1 because something is rejected, and ends with the summary', () => {
      assert.equal(text.code, 1, text.stderr);
      const lines = text.stdout.trimEnd().split('\n');
      assert.match(
        lines[lines.length - 1],
        new RegExp(
          `^6 objects, ${BUNDLED} policies: \\d+ passed, 2 mutated, 12 rejected, 0 warnings, 0 errors, ${BUNDLED} skipped$`,
        ),
      );
    });

    it('names file:line, kind, namespace/name and policy on every rejection', () => {
      assert.match(
        text.stdout,
        /^manifests\/examples\/node-agent\.yaml:3: rejected: DaemonSet monitoring\/node-agent by pss-privileged: .+/m,
      );
      assert.match(
        text.stdout,
        /^manifests\/examples\/node-agent\.yaml:3: rejected: DaemonSet monitoring\/node-agent by pss-host-namespaces: .+/m,
      );
      assert.match(
        text.stdout,
        /^manifests\/examples\/node-agent\.yaml:3: rejected: DaemonSet monitoring\/node-agent by pss-hostpath-volumes: .+/m,
      );
      assert.match(
        text.stdout,
        /^manifests\/examples\/node-agent\.yaml:3: rejected: DaemonSet monitoring\/node-agent by image-tag: .+/m,
      );
      assert.match(
        text.stdout,
        /^manifests\/examples\/batch\.yaml:6: rejected: CronJob shop\/report by resource-limits: .+/m,
      );
      assert.match(
        text.stdout,
        /^manifests\/examples\/batch\.yaml:30: rejected: Pod shop\/migrate by pss-run-as-non-root-user: .+/m,
      );
      assert.doesNotMatch(text.stdout, /web\.yaml/, 'the accepted Deployment is not listed');
    });

    it('shows the mutation with its patch', () => {
      assert.match(
        text.stdout,
        /^manifests\/examples\/api\.yaml:3: mutated: Deployment shop\/api by pss-capabilities-restricted/m,
      );
      const m = json.results.find((r) => r.patch && r.object?.name === 'api');
      assert.ok(m);
      assert.equal(m.policy, 'pss-capabilities-restricted');
      assert.ok(m.patch!.some((op) => op.path.startsWith('/spec/template/spec/containers/0/securityContext')));
    });

    it('json: versioned document with results, policies and summary', () => {
      assert.equal(json.apiVersion, 'wasmpolicy.kubewarden.io/v1alpha1');
      assert.equal(json.kind, 'CheckReport');
      assert.equal(json.summary.objects, 6);
      assert.equal(json.policies.length, BUNDLED);
      for (const p of json.policies) assert.match(p.sha256, /^[0-9a-f]{64}$/);
      const svc = json.results.filter((r) => r.object?.kind === 'Service');
      assert.ok(svc.length > 0 && svc.every((r) => r.verdict === 'skip'), 'no bundled policy applies to Services');
      const web = json.results.filter((r) => r.object?.name === 'web' && r.object.kind === 'Deployment');
      assert.equal(web.length, BUNDLED, 'every bundled policy evaluated the web Deployment');
      assert.ok(
        web.every((r) => r.verdict === 'pass' && !r.patch),
        JSON.stringify(web.filter((r) => r.verdict !== 'pass')),
      );
    });
  });

  describe('exit codes and errors', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-cli-'));
    });

    it('exits 0 when nothing is rejected, reading stdin', async () => {
      const r = await runCli(['check', '-f', '-'], {
        stdin: readFileSync(path.join(ROOT, 'manifests/examples/web.yaml'), 'utf8'),
      });
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        new RegExp(
          `^2 objects, ${BUNDLED} policies: ${BUNDLED} passed, 0 mutated, 0 rejected, 0 warnings, 0 errors, ${BUNDLED} skipped$`,
          'm',
        ),
      );
    });

    it('exits 2 on bad input, with file:line, and still evaluates the rest', async () => {
      const file = path.join(dir, 'mixed.yaml');
      writeFileSync(
        file,
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: ok\nspec:\n  containers: [{name: c, image: "nginx:latest"}]\n---\nkind: [\n',
      );
      const r = await runCli(['check', '-f', file, '-p', 'builtin://image-tag']);
      assert.equal(r.code, 2);
      assert.match(
        r.stdout,
        new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1: rejected: Pod default/ok by image-tag: `, 'm'),
      );
      assert.match(r.stdout, /mixed\.yaml:9:1: error: YAML syntax error: /);
    });

    it('exits 2 with the policy message when settings are invalid', async () => {
      const r = await runCli([
        'check',
        '-f',
        'manifests/examples',
        '-p',
        'builtin://resource-limits',
        '--settings-json',
        '{"nope": true}',
      ]);
      assert.equal(r.code, 2);
      assert.match(
        r.stderr,
        /^error: policy resource-limits \(builtin:\/\/resource-limits\): invalid settings \(-p builtin:\/\/resource-limits\): .+/,
      );
      assert.equal(r.stdout, '');
    });

    it('exits 2 for unknown policies, files that are not wasm and bad flags', async () => {
      const unknown = await runCli(['check', '-f', 'manifests/examples', '-p', 'builtin://nope']);
      assert.equal(unknown.code, 2);
      assert.match(unknown.stderr, /builtin:\/\/nope: no bundled policy of that name; bundled policies: /);
      const notWasm = path.join(dir, 'policy.wasm');
      writeFileSync(notWasm, 'hello');
      const nw = await runCli(['check', '-f', 'manifests/examples', '-p', notWasm]);
      assert.equal(nw.code, 2);
      assert.match(nw.stderr, /not a WebAssembly module \(the file does not start with \\0asm\)/);
      const flag = await runCli(['check', '--bogus']);
      assert.equal(flag.code, 2);
      assert.match(flag.stderr, /^error: /);
    });

    it('runs an unannotated module only after its metadata says protocolVersion v1', async () => {
      const ok = '{"accepted":true}';
      const bytes = [...new TextEncoder().encode(ok)].map((b) => '\\' + b.toString(16).padStart(2, '0')).join('');
      const wat = wapcGuest(
        `(call $guest_response (i32.const 8192) (i32.const ${ok.length})) (i32.const 1)`,
        `(data (i32.const 8192) "${bytes}")`,
      );
      const raw = path.join(dir, 'raw.wasm');
      writeFileSync(raw, await wat2wasm(wat));
      // Without metadata, a waPC module has no protocol version: policy-server refuses it, so do we.
      const r = await runCli(['check', '-f', 'manifests/examples/web.yaml', '-p', raw]);
      assert.equal(r.code, 2);
    });
  });

  describe('annotate and inspect', () => {
    it('annotates a module with metadata.yml and shows it with inspect', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-annotate-'));
      const resp = '{"accepted":false,"message":"denied by test"}';
      const protocol = '"v1"';
      const hex = (s: string) =>
        [...new TextEncoder().encode(s)].map((b) => '\\' + b.toString(16).padStart(2, '0')).join('');
      const valid = '{"valid":true}';
      // Dispatch on the operation's length: protocol_version (16), validate_settings (17), validate (8).
      const body = `(if (result i32) (i32.eq (global.get $op_len) (i32.const 16))
          (then (call $guest_response (i32.const 8192) (i32.const ${protocol.length})) (i32.const 1))
          (else (if (result i32) (i32.eq (global.get $op_len) (i32.const 17))
            (then (call $guest_response (i32.const 8320) (i32.const ${valid.length})) (i32.const 1))
            (else (call $guest_response (i32.const 8448) (i32.const ${resp.length})) (i32.const 1)))))`;
      const wasm = await wat2wasm(
        wapcGuest(
          body,
          `(data (i32.const 8192) "${hex(protocol)}") (data (i32.const 8320) "${hex(valid)}") (data (i32.const 8448) "${hex(resp)}")`,
        ),
      );
      writeFileSync(path.join(dir, 'raw.wasm'), wasm);
      writeFileSync(
        path.join(dir, 'metadata.yml'),
        [
          'rules:',
          '  - apiGroups: [""]',
          '    apiVersions: [v1]',
          '    resources: [services]',
          '    operations: [CREATE]',
          'mutating: false',
          'annotations:',
          '  io.kubewarden.policy.title: deny-services',
          '  io.kubewarden.policy.description: Rejects every Service',
          '',
        ].join('\n'),
      );
      writeFileSync(path.join(dir, 'README.md'), '# deny-services\nUsage text.\n');
      const out = path.join(dir, 'policy.wasm');
      const a = await runCli([
        'annotate',
        path.join(dir, 'raw.wasm'),
        '-m',
        path.join(dir, 'metadata.yml'),
        '-u',
        path.join(dir, 'README.md'),
        '-o',
        out,
      ]);
      assert.equal(a.code, 0, a.stderr);
      const md = JSON.parse(
        new TextDecoder().decode(
          WebAssembly.Module.customSections(new WebAssembly.Module(readFileSync(out)), 'io.kubewarden.metadata')[0],
        ),
      );
      assert.equal(md.protocolVersion, 'v1');
      assert.equal(md.executionMode, 'kubewarden-wapc');
      assert.equal(md.annotations['io.kubewarden.policy.usage'], '# deny-services\nUsage text.\n');
      const i = await runCli(['inspect', out]);
      assert.equal(i.code, 0, i.stderr);
      assert.match(i.stdout, /^Title:\s+deny-services$/m);
      assert.match(i.stdout, /^Protocol version:\s+v1$/m);
      assert.match(i.stdout, /resources: services/);
      const j = await runCli(['inspect', out, '-o', 'json']);
      assert.deepEqual(JSON.parse(j.stdout).metadata.rules, [
        { apiGroups: [''], apiVersions: ['v1'], resources: ['services'], operations: ['CREATE'] },
      ]);
      // And the annotated module runs: it rejects the Service and skips the Deployment.
      const c = await runCli(['check', '-f', 'manifests/examples/web.yaml', '-p', out]);
      assert.equal(c.code, 1);
      assert.match(c.stdout, /web\.yaml:\d+: rejected: Service shop\/web by policy: denied by test/);
      // Bad metadata is refused with the field named.
      writeFileSync(path.join(dir, 'bad.yml'), 'rules: []\n');
      const bad = await runCli([
        'annotate',
        path.join(dir, 'raw.wasm'),
        '-m',
        path.join(dir, 'bad.yml'),
        '-o',
        path.join(dir, 'x.wasm'),
      ]);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /metadata: mutating: required/);
    });

    it('inspects a bundled policy', async () => {
      const r = await runCli(['inspect', 'builtin://pss-privileged', '-o', 'yaml']);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /protocolVersion: v1/);
      assert.match(r.stdout, /io\.kubewarden\.policy\.severity: /);
    });
  });

  it('version prints version, commit and Node version', async () => {
    const r = await runCli(['version', '-o', 'json']);
    const v = JSON.parse(r.stdout);
    assert.match(v.version, /^\d+\.\d+\.\d+/);
    assert.ok(v.commit.length > 0);
    assert.equal(v.node, process.version);
  });
});
