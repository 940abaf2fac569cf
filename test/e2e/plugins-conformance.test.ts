// Conformance of the bundled policies (plugins/) to the Kubewarden waPC contract
// (shared/spec/kubewarden-host.md §1 and §3), independent of the project's own host (lib/wasm):
// a minimal waPC host is written here.
//
// Modules under test: dist/plugins/<name>.wasm when present (the annotated build), else raw modules
// built from source with plugins/build.mjs into a temporary directory (always so with
// WASMPOLICY_PLUGINS_FROM_SOURCE=1).

import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import YAML from 'yaml';
import { WapcGuest } from '../support/wapc-guest';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const PLUGINS = join(ROOT, 'plugins');
const DIST =
  process.env.WASMPOLICY_PLUGINS_FROM_SOURCE === '1'
    ? join(ROOT, 'dist', 'no-such-dir')
    : join(ROOT, 'dist', 'plugins');

const PLUGIN_NAMES = readdirSync(PLUGINS, { withFileTypes: true })
  .filter((d) => d.isDirectory() && existsSync(join(PLUGINS, d.name, 'metadata.yml')))
  .map((d) => d.name)
  .sort();

// ------------------------------------------------------------------------------------------------
// Wasm binary reading: types of imports and exports (WebAssembly.Module.imports has no signatures).

type Sig = string; // e.g. "(i32,i32)->()"

const VALTYPES: Record<number, string> = {
  0x7f: 'i32',
  0x7e: 'i64',
  0x7d: 'f32',
  0x7c: 'f64',
  0x7b: 'v128',
  0x70: 'funcref',
  0x6f: 'externref',
};

class Reader {
  pos = 0;
  constructor(public buf: Uint8Array) {}
  byte(): number {
    if (this.pos >= this.buf.length) throw new Error('unexpected end of wasm');
    return this.buf[this.pos++];
  }
  u32(): number {
    let result = 0;
    let shift = 0;
    for (;;) {
      const b = this.byte();
      result |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return result >>> 0;
      shift += 7;
    }
  }
  name(): string {
    const n = this.u32();
    const s = new TextDecoder().decode(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return s;
  }
  limits(): void {
    const flags = this.u32();
    this.u32();
    if (flags & 1) this.u32();
  }
}

interface WasmShape {
  imports: Array<{ module: string; name: string; kind: string; sig?: Sig }>;
  exports: Array<{ name: string; kind: string; sig?: Sig }>;
}

function readShape(bytes: Uint8Array): WasmShape {
  const r = new Reader(bytes);
  r.pos = 8;
  const types: Sig[] = [];
  const funcTypes: number[] = []; // type index of every function (imports first)
  const shape: WasmShape = { imports: [], exports: [] };
  while (r.pos < bytes.length) {
    const id = r.byte();
    const size = r.u32();
    const end = r.pos + size;
    if (id === 1) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        assert.equal(r.byte(), 0x60, 'function type expected');
        const params = Array.from({ length: r.u32() }, () => VALTYPES[r.byte()] ?? '?');
        const results = Array.from({ length: r.u32() }, () => VALTYPES[r.byte()] ?? '?');
        types.push(`(${params.join(',')})->(${results.join(',')})`);
      }
    } else if (id === 2) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const module = r.name();
        const name = r.name();
        const kind = r.byte();
        if (kind === 0) {
          const t = r.u32();
          funcTypes.push(t);
          shape.imports.push({ module, name, kind: 'function', sig: types[t] });
        } else if (kind === 1) {
          r.byte();
          r.limits();
          shape.imports.push({ module, name, kind: 'table' });
        } else if (kind === 2) {
          r.limits();
          shape.imports.push({ module, name, kind: 'memory' });
        } else {
          r.byte();
          r.byte();
          shape.imports.push({ module, name, kind: 'global' });
        }
      }
    } else if (id === 3) {
      const n = r.u32();
      for (let i = 0; i < n; i++) funcTypes.push(r.u32());
    } else if (id === 7) {
      const n = r.u32();
      for (let i = 0; i < n; i++) {
        const name = r.name();
        const kind = r.byte();
        const index = r.u32();
        const kinds = ['function', 'table', 'memory', 'global'];
        shape.exports.push({ name, kind: kinds[kind] ?? '?', sig: kind === 0 ? types[funcTypes[index]] : undefined });
      }
    }
    r.pos = end;
  }
  return shape;
}

/** The waPC host functions a guest may import (docs/host-interface.md §1.1), with their exact signatures. */
const WAPC_IMPORTS: Record<string, Sig> = {
  __guest_request: '(i32,i32)->()',
  __guest_response: '(i32,i32)->()',
  __guest_error: '(i32,i32)->()',
  __host_call: '(i32,i32,i32,i32,i32,i32,i32,i32)->(i32)',
  __host_response_len: '()->(i32)',
  __host_response: '(i32)->()',
  __host_error_len: '()->(i32)',
  __host_error: '(i32)->()',
  __console_log: '(i32,i32)->()',
};
/** What the bundled policies may use: they are not context aware. */
const BUNDLED_IMPORTS = new Set(['__guest_request', '__guest_response', '__guest_error', '__console_log']);

// ------------------------------------------------------------------------------------------------
// Requests and patches

const RESOURCES: Record<string, string> = {
  Pod: 'pods',
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  ReplicaSet: 'replicasets',
  ReplicationController: 'replicationcontrollers',
  Job: 'jobs',
  CronJob: 'cronjobs',
  ConfigMap: 'configmaps',
};

function admissionRequest(object: any, operation = 'CREATE'): any {
  const apiVersion: string = object?.apiVersion ?? 'v1';
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['', apiVersion];
  const kind: string = object?.kind ?? 'Unknown';
  const gvr = { group, version, resource: RESOURCES[kind] ?? `${kind.toLowerCase()}s` };
  const gvk = { group, version, kind };
  return {
    uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
    kind: gvk,
    resource: gvr,
    requestKind: gvk,
    requestResource: gvr,
    name: object?.metadata?.name,
    namespace: object?.metadata?.namespace ?? 'default',
    operation,
    userInfo: { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] },
    object,
    dryRun: false,
    options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1' },
  };
}

function unescapePointer(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** Applies an RFC 6902 patch (add/replace/remove) to a copy of doc. */
function applyPatch(doc: any, patch: Array<{ op: string; path: string; value?: unknown }>): any {
  const root = structuredClone(doc);
  for (const p of patch) {
    const tokens = p.path.split('/').slice(1).map(unescapePointer);
    const last = tokens.pop()!;
    let parent: any = root;
    for (const t of tokens) {
      parent = Array.isArray(parent) ? parent[Number(t)] : parent[t];
      assert.ok(parent !== undefined && parent !== null, `patch path ${p.path} does not exist`);
    }
    if (p.op === 'add') {
      if (Array.isArray(parent))
        parent.splice(last === '-' ? parent.length : Number(last), 0, structuredClone(p.value));
      else parent[last] = structuredClone(p.value);
    } else if (p.op === 'replace') {
      if (Array.isArray(parent)) parent[Number(last)] = structuredClone(p.value);
      else parent[last] = structuredClone(p.value);
    } else if (p.op === 'remove') {
      if (Array.isArray(parent)) parent.splice(Number(last), 1);
      else delete parent[last];
    } else {
      assert.fail(`unsupported patch op ${p.op}`);
    }
  }
  return root;
}

interface TestCase {
  name: string;
  manifest: string;
  settings?: Record<string, unknown>;
  expect: 'accept' | 'reject' | 'mutate';
  message?: string;
  patch?: Array<{ op: string; path: string; value?: unknown }>;
}

/** A case of a plugin's PolicyTestSuite (docs/testing-policies.md) as this host sees it: a guest that is not
 * selected by its rules (skip) still answers, and accepts. */
interface SuiteCase {
  name: string;
  resource: string;
  settings?: Record<string, unknown>;
  expect: 'pass' | 'skip' | 'fail' | 'mutate';
  message?: string;
  patch?: TestCase['patch'];
}

function suiteCases(file: string): TestCase[] {
  const suite = YAML.parse(readFileSync(file, 'utf8')) as { kind: string; cases: SuiteCase[] };
  assert.equal(suite.kind, 'PolicyTestSuite', file);
  return suite.cases.map((c) => ({
    name: c.name,
    manifest: c.resource,
    ...(c.settings ? { settings: c.settings } : {}),
    expect: c.expect === 'fail' ? 'reject' : c.expect === 'mutate' ? 'mutate' : 'accept',
    ...(c.message !== undefined ? { message: c.message } : {}),
    ...(c.patch ? { patch: c.patch } : {}),
  }));
}

// Object shapes no policy may trap on (missing fields, wrong types).
const MALFORMED_OBJECTS: unknown[] = [
  null,
  42,
  'Pod',
  [],
  {},
  { kind: 'Pod' },
  { kind: 'Pod', spec: null },
  { kind: 'Pod', spec: 'x' },
  { kind: 'Pod', spec: [] },
  { kind: 'Pod', metadata: 'x', spec: { containers: 'x', initContainers: {}, ephemeralContainers: 3, volumes: 'v' } },
  { kind: 'Pod', metadata: { annotations: ['a'] }, spec: { containers: [null, 1, 'c', [], {}] } },
  {
    kind: 'Pod',
    metadata: { annotations: { 'container.apparmor.security.beta.kubernetes.io/c': 7 } },
    spec: {
      hostNetwork: 'true',
      hostPID: 1,
      os: 'linux',
      hostUsers: 'false',
      securityContext: {
        runAsNonRoot: 'yes',
        runAsUser: '0',
        seccompProfile: 'x',
        appArmorProfile: 1,
        seLinuxOptions: [],
        sysctls: [1, { name: 2 }, { name: null }],
        windowsOptions: 'w',
      },
      volumes: [null, 1, { name: 3 }, { name: 'v', hostPath: 'p', nfs: null }],
      containers: [
        {
          name: 5,
          image: 7,
          ports: [null, { hostPort: '80' }, { hostPort: 1.5 }, { hostPort: -1 }],
          resources: { limits: 'x' },
          securityContext: {
            privileged: 'true',
            capabilities: { add: 'SYS_ADMIN', drop: 'ALL' },
            seccompProfile: { type: 3 },
            appArmorProfile: { type: null },
            seLinuxOptions: { type: 1, user: [], role: {} },
            procMount: 0,
            windowsOptions: { hostProcess: 'true' },
            runAsNonRoot: null,
            runAsUser: 'root',
            allowPrivilegeEscalation: 'false',
          },
        },
        { name: 'x', securityContext: 'privileged' },
        { name: 'y', securityContext: { capabilities: 'all' } },
        { name: 'z', securityContext: { capabilities: { drop: 'ALL', add: [1, null] } } },
      ],
    },
  },
  { kind: 'Deployment', spec: { template: null } },
  { kind: 'Deployment', spec: { template: { spec: 'x' } } },
  { kind: 'CronJob', spec: { jobTemplate: { spec: null } } },
  { kind: 'CronJob', spec: { jobTemplate: 'x' } },
  { kind: 'Job', spec: { template: { metadata: 1, spec: { containers: [{}] } } } },
];

// ------------------------------------------------------------------------------------------------

interface Built {
  name: string;
  wasm: string;
  annotated: boolean;
}

describe('bundled policies (plugins/): Kubewarden waPC conformance', function () {
  this.timeout(180_000);
  const built: Built[] = [];
  let tmp: string | null = null;

  before(async function () {
    const missing = PLUGIN_NAMES.filter((n) => !existsSync(join(DIST, `${n}.wasm`)));
    const raw = new Map<string, string>();
    if (missing.length) {
      tmp = mkdtempSync(join(tmpdir(), 'wasmpolicy-plugins-'));
      const { buildPlugins } = await import(pathToFileURL(join(PLUGINS, 'build.mjs')).href);
      for (const b of await buildPlugins({ outDir: tmp, names: missing })) raw.set(b.name, b.rawWasm);
    }
    for (const name of PLUGIN_NAMES) {
      const dist = join(DIST, `${name}.wasm`);
      if (existsSync(dist)) built.push({ name, wasm: dist, annotated: true });
      else built.push({ name, wasm: raw.get(name)!, annotated: false });
    }
  });

  after(() => {
    if (tmp) rmSync(tmp, { recursive: true, force: true });
  });

  it('has the fixed set of bundled policies', () => {
    assert.deepEqual(PLUGIN_NAMES, [
      'image-tag',
      'pss-apparmor',
      'pss-capabilities-baseline',
      'pss-capabilities-restricted',
      'pss-host-namespaces',
      'pss-host-ports',
      'pss-host-probes',
      'pss-host-process',
      'pss-hostpath-volumes',
      'pss-privilege-escalation',
      'pss-privileged',
      'pss-proc-mount',
      'pss-run-as-non-root',
      'pss-run-as-non-root-user',
      'pss-seccomp-baseline',
      'pss-seccomp-restricted',
      'pss-selinux',
      'pss-sysctls',
      'pss-volume-types',
      'resource-limits',
    ]);
  });

  for (const name of PLUGIN_NAMES) {
    describe(name, () => {
      const dir = join(PLUGINS, name);
      const metadata = YAML.parse(readFileSync(join(dir, 'metadata.yml'), 'utf8'));
      const cases: TestCase[] = suiteCases(join(dir, 'tests.yaml'));
      let bytes: Uint8Array<ArrayBuffer>;
      let module: WebAssembly.Module;
      let guest: WapcGuest;
      let entry: Built;

      before(() => {
        entry = built.find((b) => b.name === name)!;
        bytes = new Uint8Array(readFileSync(entry.wasm));
        module = new WebAssembly.Module(bytes);
        guest = new WapcGuest(module);
      });

      it("has a README.md and a metadata.yml in Kubewarden's format", () => {
        assert.ok(existsSync(join(dir, 'README.md')), 'README.md missing');
        assert.equal(metadata.executionMode, 'kubewarden-wapc');
        assert.equal(metadata.backgroundAudit, true);
        assert.deepEqual(metadata.contextAwareResources, []);
        assert.equal(metadata.mutating, name === 'pss-capabilities-restricted');
        assert.deepEqual(metadata.rules, [
          { apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE', 'UPDATE'] },
          {
            apiGroups: ['apps'],
            apiVersions: ['v1'],
            resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'],
            operations: ['CREATE', 'UPDATE'],
          },
          {
            apiGroups: [''],
            apiVersions: ['v1'],
            resources: ['replicationcontrollers'],
            operations: ['CREATE', 'UPDATE'],
          },
          {
            apiGroups: ['batch'],
            apiVersions: ['v1'],
            resources: ['jobs', 'cronjobs'],
            operations: ['CREATE', 'UPDATE'],
          },
        ]);
        const a = metadata.annotations;
        assert.equal(a['io.kubewarden.policy.title'], name);
        for (const k of ['description', 'author', 'url', 'source'])
          assert.ok(a[`io.kubewarden.policy.${k}`], `annotation ${k}`);
        assert.equal(a['io.kubewarden.policy.version'], '0.1.0');
        assert.equal(a['io.kubewarden.policy.license'], 'Apache-2.0');
        assert.ok(['low', 'medium', 'high'].includes(a['io.kubewarden.policy.severity']));
        assert.ok(['PSS Baseline', 'PSS Restricted', 'Best practices'].includes(a['io.kubewarden.policy.category']));
      });

      it('exports memory, __guest_call and wapc_init with the waPC signatures (docs/host-interface.md §1.1)', () => {
        const shape = readShape(bytes);
        const exp = new Map(shape.exports.map((e) => [e.name, e]));
        assert.equal(exp.get('memory')?.kind, 'memory');
        assert.equal(exp.get('__guest_call')?.sig, '(i32,i32)->(i32)');
        assert.ok(exp.has('wapc_init') || exp.has('_start'), 'wapc_init or _start must be exported');
        if (exp.has('wapc_init')) assert.equal(exp.get('wapc_init')!.sig, '()->()');
        if (exp.has('_start')) assert.equal(exp.get('_start')!.sig, '()->()');
      });

      it('imports only waPC host functions, with their exact signatures (no env, no WASI)', () => {
        const shape = readShape(bytes);
        assert.deepEqual(
          WebAssembly.Module.imports(module)
            .map((i) => `${i.module}.${i.name}`)
            .sort(),
          shape.imports.map((i) => `${i.module}.${i.name}`).sort(),
        );
        for (const imp of shape.imports) {
          assert.equal(imp.module, 'wapc', `import ${imp.module}.${imp.name} is not from wapc`);
          assert.equal(imp.kind, 'function');
          assert.ok(imp.name in WAPC_IMPORTS, `unknown waPC import ${imp.name}`);
          assert.equal(imp.sig, WAPC_IMPORTS[imp.name], `signature of ${imp.name}`);
          assert.ok(
            BUNDLED_IMPORTS.has(imp.name),
            `bundled policies are not context aware, but ${imp.name} is imported`,
          );
        }
        for (const required of ['__guest_request', '__guest_response', '__guest_error']) {
          assert.ok(
            shape.imports.some((i) => i.name === required),
            `${required} not imported`,
          );
        }
      });

      it('carries the io.kubewarden.metadata section when built by the top-level build (docs/host-interface.md §3)', function () {
        if (!entry.annotated) this.skip();
        const sections = WebAssembly.Module.customSections(module, 'io.kubewarden.metadata');
        assert.ok(sections.length >= 1, 'no io.kubewarden.metadata section');
        const meta = JSON.parse(new TextDecoder().decode(sections[0]));
        assert.equal(meta.protocolVersion, 'v1');
        assert.deepEqual(meta.rules, metadata.rules);
        assert.equal(meta.mutating, metadata.mutating);
        for (const k of ['title', 'description', 'severity', 'category']) {
          assert.equal(
            meta.annotations[`io.kubewarden.policy.${k}`],
            metadata.annotations[`io.kubewarden.policy.${k}`],
            k,
          );
        }
      });

      it('answers protocol_version with "v1"', () => {
        assert.deepEqual(guest.call('protocol_version', ''), { ok: true, text: '"v1"' });
      });

      it('reports an unknown operation as a guest error', () => {
        assert.deepEqual(guest.call('frobnicate', '{}'), {
          ok: false,
          error: 'No handler registered for function frobnicate',
        });
      });

      it('validates settings: {} is valid, unknown keys and non-objects are not', () => {
        assert.deepEqual(guest.json('validate_settings', {}), { valid: true, message: null });
        assert.deepEqual(guest.json('validate_settings', 'null'), { valid: true, message: null });
        const unknown = guest.json('validate_settings', { noSuchSetting: true });
        assert.equal(unknown.valid, false);
        assert.match(unknown.message, /unknown setting "noSuchSetting"/);
        const arr = guest.json('validate_settings', [1]);
        assert.equal(arr.valid, false);
        assert.match(arr.message, /settings must be a JSON object/);
        const bad = guest.json('validate_settings', '{');
        assert.equal(bad.valid, false);
      });

      it('reports an unparsable ValidationRequest as a guest error', () => {
        const r = guest.call('validate', '{"request": ');
        assert.equal(r.ok, false);
        assert.match((r as { error: string }).error, /cannot parse ValidationRequest/);
      });

      it('never traps on malformed objects, and accepts what it does not handle', () => {
        for (const object of MALFORMED_OBJECTS) {
          for (const operation of ['CREATE', 'UPDATE', 'DELETE']) {
            const resp = guest.json('validate', {
              request: { ...admissionRequest(object, operation), object },
              settings: {},
            });
            assert.equal(typeof resp.accepted, 'boolean', JSON.stringify(object));
            if (resp.accepted === false) assert.equal(typeof resp.message, 'string');
          }
        }
        const noObject = guest.json('validate', {
          request: { uid: '1', operation: 'DELETE', kind: { group: '', version: 'v1', kind: 'Pod' } },
          settings: {},
        });
        assert.deepEqual(noObject, { accepted: true, message: null, code: null, mutated_object: null, warnings: null });
        const other = guest.json('validate', {
          request: admissionRequest({
            apiVersion: 'v1',
            kind: 'Service',
            metadata: { name: 's' },
            spec: { containers: [{ name: 'x', securityContext: { privileged: true } }] },
          }),
          settings: {},
        });
        assert.equal(other.accepted, true);
        assert.equal(other.mutated_object, null);
      });

      it('keeps its memory bounded over many calls', () => {
        const c = cases[0];
        const object = YAML.parse(readFileSync(join(dir, c.manifest), 'utf8'));
        const payload = new TextEncoder().encode(
          JSON.stringify({ request: admissionRequest(object), settings: c.settings ?? {} }),
        );
        for (let i = 0; i < 200; i++) guest.callRaw('validate', payload);
        const before = guest.memoryBytes;
        for (let i = 0; i < 2000; i++) assert.equal(guest.callRaw('validate', payload).ok, true);
        assert.ok(guest.memoryBytes <= before + 4 * 65536, `memory grew from ${before} to ${guest.memoryBytes}`);
      });

      for (const c of cases) {
        it(`tests.yaml: ${c.name}`, () => {
          const object = YAML.parse(readFileSync(join(dir, c.manifest), 'utf8'));
          const settings = c.settings ?? {};
          assert.deepEqual(guest.json('validate_settings', settings), { valid: true, message: null });
          const resp = guest.json('validate', { request: admissionRequest(object), settings });
          assert.deepEqual(Object.keys(resp), ['accepted', 'message', 'code', 'mutated_object', 'warnings']);
          if (c.expect === 'accept') {
            assert.equal(resp.accepted, true, resp.message);
            assert.equal(resp.mutated_object, null);
          } else if (c.expect === 'reject') {
            assert.equal(resp.accepted, false);
            assert.equal(resp.message, c.message);
            assert.equal(resp.mutated_object, null);
          } else {
            assert.equal(resp.accepted, true, resp.message);
            assert.ok(resp.mutated_object, 'mutated_object expected');
            assert.ok(Array.isArray(c.patch) && c.patch.length > 0, 'a mutate case needs a patch');
            assert.deepEqual(resp.mutated_object, applyPatch(object, c.patch!));
          }
        });
      }
    });
  }

  describe('settings of configurable policies', () => {
    const guests = new Map<string, WapcGuest>();
    const guestFor = (name: string) => {
      if (!guests.has(name))
        guests.set(
          name,
          new WapcGuest(new WebAssembly.Module(new Uint8Array(readFileSync(built.find((b) => b.name === name)!.wasm)))),
        );
      return guests.get(name)!;
    };
    const table: Array<[string, unknown, boolean, RegExp?]> = [
      ['pss-host-ports', { allowedHostPorts: [80, 443] }, true],
      ['pss-host-ports', { allowedHostPorts: [] }, true],
      ['pss-host-ports', { allowedHostPorts: null }, true],
      ['pss-host-ports', { allowedHostPorts: '80' }, false, /must be a list of port numbers, got a string/],
      [
        'pss-host-ports',
        { allowedHostPorts: [80, '443'] },
        false,
        /\[1\] must be a port number between 1 and 65535, got "443"/,
      ],
      ['pss-host-ports', { allowedHostPorts: [0] }, false, /between 1 and 65535, got 0/],
      ['pss-host-ports', { allowedHostPorts: [65536] }, false, /got 65536/],
      ['pss-host-ports', { allowedHostPorts: [80.5] }, false, /got 80.5/],
      [
        'pss-host-ports',
        { allowedPorts: [80] },
        false,
        /unknown setting "allowedPorts"; valid settings are: allowedHostPorts/,
      ],
      ['pss-capabilities-restricted', { mutate: false }, true],
      ['pss-capabilities-restricted', { mutate: true }, true],
      ['pss-capabilities-restricted', { mutate: 'no' }, false, /setting "mutate" must be a boolean, got a string/],
      ['resource-limits', { requireCpu: false }, true],
      ['resource-limits', { requireCpu: true, requireMemory: false }, true],
      ['resource-limits', { requireCpu: false, requireMemory: false }, false, /both false/],
      ['resource-limits', { requireMemory: 1 }, false, /setting "requireMemory" must be a boolean, got a number/],
      ['pss-privileged', { allowed: true }, false, /unknown setting "allowed": this policy takes no settings/],
    ];
    for (const [name, settings, valid, re] of table) {
      it(`${name}: ${JSON.stringify(settings)} is ${valid ? 'valid' : 'invalid'}`, () => {
        const r = guestFor(name).json('validate_settings', settings);
        assert.equal(r.valid, valid, r.message);
        if (re) assert.match(r.message, re);
        if (!valid) {
          // the same settings sent with a request make validate fail instead of misbehaving
          const v = guestFor(name).call('validate', {
            request: admissionRequest({ apiVersion: 'v1', kind: 'Pod', spec: { containers: [] } }),
            settings,
          });
          assert.equal(v.ok, false);
          assert.match((v as { error: string }).error, /^invalid settings: /);
        }
      });
    }
  });

  describe('guest JSON handling (through the mutating policy)', () => {
    it('returns the whole object with strings, escapes, key order and number texts preserved', () => {
      const entry = built.find((b) => b.name === 'pss-capabilities-restricted')!;
      const guest = new WapcGuest(new WebAssembly.Module(new Uint8Array(readFileSync(entry.wasm))));
      const objectText =
        '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"j","annotations":{"z":"é😀 \\u0000\\u001f\\"\\\\\\/\\b\\f\\n\\r\\t","lone":"\\ud800x\\udc00","pair":"\\ud83d\\ude00","a":""}},' +
        '"spec":{"priority":12345678901234567890123,"ratio":1.50,"exp":-2.5E+10,"zero":-0,"empty":{},"list":[],"nil":null,"t":true,"f":false,' +
        '"containers":[{"name":"c","image":"i:1"}]}}';
      const payload = `{"settings":{},"request":{"uid":"x","operation":"CREATE","object":${objectText}}}`;
      const r = guest.call('validate', payload);
      assert.ok(r.ok, (r as { error: string }).error);
      const text = (r as { text: string }).text;
      const expectedObject =
        '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"j","annotations":{"z":"é😀 \\u0000\\u001f\\"\\\\/\\b\\f\\n\\r\\t","lone":"\\ud800x\\udc00","pair":"😀","a":""}},' +
        '"spec":{"priority":12345678901234567890123,"ratio":1.50,"exp":-2.5E+10,"zero":-0,"empty":{},"list":[],"nil":null,"t":true,"f":false,' +
        '"containers":[{"name":"c","image":"i:1","securityContext":{"capabilities":{"drop":["ALL"]}}}]}}';
      assert.equal(
        text,
        `{"accepted":true,"message":null,"code":null,"mutated_object":${expectedObject},"warnings":null}`,
      );
      // duplicate keys: the last value wins, in the first key's position
      const dup = guest.json(
        'validate',
        '{"request":{"object":{"kind":"Pod","spec":{"containers":[{"name":"a"}],"containers":[{"name":"b"}]}}},"settings":{}}',
      );
      assert.deepEqual(dup.mutated_object.spec.containers, [
        { name: 'b', securityContext: { capabilities: { drop: ['ALL'] } } },
      ]);
      // invalid JSON texts are errors, not traps
      for (const bad of [
        '{"request":{"object":{"a":01}}}',
        '{"request":{"object":{"a":"\\x"}}}',
        '{"request":{"object":{"a":1.}}}',
        '{"request":{"object":[1,]}}',
        '{"request":1} x',
        '{"request":"\u0001"}',
      ]) {
        const res = guest.call('validate', bad);
        assert.equal(res.ok, false, bad);
        assert.match((res as { error: string }).error, /^cannot parse ValidationRequest: /, bad);
      }
      const deep = '['.repeat(5000) + ']'.repeat(5000);
      const res = guest.call('validate', `{"request":{"object":${deep}}}`);
      assert.equal(res.ok, false);
      assert.match((res as { error: string }).error, /nesting too deep/);
    });
  });
});
