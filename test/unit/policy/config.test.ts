import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync, writeFileSync, existsSync, mkdirSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import * as jsyaml from 'js-yaml';
import { DEFAULT_USER } from '../../../lib/admission/request';
import { runCheck } from '../../../lib/check/run';
import { silentLogger, type Logger } from '../../../lib/base/log';
import { readPolicyConfig, PolicyConfigError } from '../../../lib/policy/config';
import { isGroup, type PolicyEntry, type PolicySpec } from '../../../lib/policy/spec';
import type { Report } from '../../../lib/evaluation/result';
import { ROOT, runCli } from '../../support/cli';
import { tempDir, testPolicy } from '../../support/constant-policy';

const dir = tempDir('wasmpolicy-config-');
let n = 0;
function file(text: string, name = `c${n++}.yaml`): string {
  const f = path.join(dir, name);
  writeFileSync(f, text);
  return f;
}

function capturingLog(): Logger & { lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  return {
    lines,
    error: (msg) => lines.push({ level: 'error', msg }),
    warn: (msg) => lines.push({ level: 'warn', msg }),
    info: (msg) => lines.push({ level: 'info', msg }),
    debug: () => undefined,
  };
}

async function configError(text: string): Promise<string> {
  const f = file(text);
  try {
    await readPolicyConfig([f], { log: silentLogger });
  } catch (err) {
    assert.ok(err instanceof PolicyConfigError, String(err));
    return err.message.split(f).join('FILE');
  }
  assert.fail('the configuration was accepted');
}

const ALL_KINDS = `# every format in one stream
apiVersion: policies.kubewarden.io/v1
kind: ClusterAdmissionPolicy
metadata:
  name: tags
spec:
  module: ghcr.io/example/image-tag:v1
  rules:
    - apiGroups: [""]
      apiVersions: ["v1"]
      resources: ["pods"]
      operations: ["CREATE"]
  mutating: true
  mode: monitor
  message: "custom"
  timeoutSeconds: 5
  timeoutEvalSeconds: 3
  failurePolicy: Ignore
  matchPolicy: Exact
  settings:
    allowed: [a]
---
apiVersion: policies.kubewarden.io/v1
kind: AdmissionPolicy
metadata:
  name: local
  namespace: shop
  annotations:
    wasmpolicy.kubewarden.io/module: ./local.wasm
spec:
  module: registry://ghcr.io/example/local:v1
  rules:
    - apiGroups: [""]
      apiVersions: ["v1"]
      resources: ["pods"]
      operations: ["CREATE"]
---
apiVersion: v1
kind: List
items:
  - apiVersion: policies.kubewarden.io/v1
    kind: ClusterAdmissionPolicyGroup
    metadata:
      name: grp
    spec:
      rules:
        - apiGroups: [""]
          apiVersions: ["v1"]
          resources: ["pods"]
          operations: ["CREATE"]
      policies:
        a: {module: "builtin://image-tag"}
        b: {module: "builtin://resource-limits", settings: {x: 1}, timeoutEvalSeconds: 2}
      expression: "a() || !b()"
      message: "group says no"
  - apiVersion: policies.kubewarden.io/v1
    kind: AdmissionPolicyGroup
    metadata:
      name: nsgrp
      namespace: shop
    spec:
      rules:
        - apiGroups: [""]
          apiVersions: ["v1"]
          resources: ["pods"]
          operations: ["CREATE"]
      policies:
        a: {module: "builtin://image-tag"}
      expression: "a()"
      message: "no"
---
# policy-server's policies.yml
yml-single:
  module: builtin://image-tag
  policyMode: monitor
  allowedToMutate: true
  message: "from yml"
  settings: null
yml-group:
  policyMode: protect
  expression: "one() && two()"
  message: "yml group"
  policies:
    one: {module: "builtin://image-tag"}
    two: {module: "builtin://resource-limits"}
`;

describe('policy configuration (--policies)', () => {
  describe('reading', () => {
    let entries: PolicyEntry[];
    let f: string;
    before(async () => {
      f = file(ALL_KINDS);
      entries = await readPolicyConfig([f], { log: silentLogger });
    });

    it('accepts the four policy kinds and policies.yml in one stream, Lists included, in order', () => {
      assert.deepEqual(
        entries.map((e) => e.id),
        [
          'clusterwide-tags',
          'namespaced-shop-local',
          'clusterwide-group-grp',
          'namespaced-group-shop-nsgrp',
          'yml-single',
          'yml-group',
        ],
      );
      assert.deepEqual(
        entries.map((e) => (isGroup(e) ? 'group' : 'single')),
        ['single', 'single', 'group', 'group', 'single', 'group'],
      );
    });

    it('reads every field of a ClusterAdmissionPolicy', () => {
      const p = entries[0] as PolicySpec;
      assert.equal(
        p.module,
        'registry://ghcr.io/example/image-tag:v1',
        'a module without a scheme is an OCI reference',
      );
      assert.equal(p.mode, 'monitor');
      assert.equal(p.allowedToMutate, true);
      assert.equal(p.message, 'custom');
      assert.equal(p.timeoutEvalSeconds, 3);
      assert.deepEqual(p.settings, { allowed: ['a'] });
      assert.equal(p.webhook?.name, 'clusterwide-tags.kubewarden.admission');
      assert.equal(p.webhook?.timeoutSeconds, 5);
      assert.equal(p.webhook?.failurePolicy, 'Ignore');
      assert.equal(p.webhook?.matchPolicy, 'Exact');
      assert.match(p.origin, /:2 \(ClusterAdmissionPolicy tags\)$/);
    });

    it('applies the defaults of the CRDs', () => {
      const [p] = entries.filter((e) => e.id === 'namespaced-shop-local') as PolicySpec[];
      assert.equal(p.mode, 'protect');
      assert.equal(p.allowedToMutate, false);
      assert.equal(p.webhook?.failurePolicy, 'Fail');
      assert.equal(p.webhook?.matchPolicy, 'Equivalent');
      assert.equal(p.webhook?.timeoutSeconds, 10);
      assert.deepEqual(p.webhook?.namespaceSelector, { matchLabels: { 'kubernetes.io/metadata.name': 'shop' } });
      assert.ok(p.webhook?.rules.every((r) => r.scope === 'Namespaced'));
    });

    it('maps a module to a local file with the wasmpolicy.kubewarden.io/module annotation (relative to the file)', () => {
      const [p] = entries.filter((e) => e.id === 'namespaced-shop-local') as PolicySpec[];
      assert.equal(p.module, pathToFileURL(path.join(path.dirname(f), 'local.wasm')).href);
    });

    it('reads groups: members, expression, message', () => {
      const g = entries[2];
      assert.ok(isGroup(g));
      assert.equal(g.expression, 'a() || !b()');
      assert.equal(g.message, 'group says no');
      assert.deepEqual(
        g.members.map((m) => [m.name, m.module]),
        [
          ['a', 'builtin://image-tag'],
          ['b', 'builtin://resource-limits'],
        ],
      );
      assert.deepEqual(g.members[1].settings, { x: 1 });
      assert.equal(g.members[1].timeoutEvalSeconds, 2);
    });

    it('reads policies.yml entries, which have no webhook (their metadata rules decide)', () => {
      const s = entries[4] as PolicySpec;
      assert.equal(s.mode, 'monitor');
      assert.equal(s.allowedToMutate, true);
      assert.equal(s.message, 'from yml');
      assert.deepEqual(s.settings, {});
      assert.equal(s.webhook, undefined);
      const g = entries[5];
      assert.ok(isGroup(g) && g.members.length === 2 && g.webhook === undefined);
    });

    it('reads a directory, and stdin', async () => {
      const d = path.join(dir, 'folder');
      mkdirSync(d);
      writeFileSync(path.join(d, 'a.yaml'), 'a:\n  module: builtin://image-tag\n');
      writeFileSync(path.join(d, 'b.yml'), 'b:\n  module: builtin://image-tag\n');
      writeFileSync(path.join(d, 'notes.txt'), 'not read');
      const fromDir = await readPolicyConfig([d], { log: silentLogger });
      assert.deepEqual(
        fromDir.map((e) => e.id),
        ['a', 'b'],
      );
      const { Readable } = await import('node:stream');
      const fromStdin = await readPolicyConfig(['-'], {
        log: silentLogger,
        stdin: Readable.from(['c:\n  module: builtin://image-tag\n']),
      });
      assert.deepEqual(
        fromStdin.map((e) => e.id),
        ['c'],
      );
    });

    it('reports each ignored field once: a warning when set to a value that matters, else at -v', async () => {
      const log = capturingLog();
      const docs = ['a', 'b'].map(
        (name) => `apiVersion: policies.kubewarden.io/v1
kind: ClusterAdmissionPolicy
metadata: {name: ${name}}
spec:
  module: builtin://image-tag
  policyServer: ${name === 'a' ? 'default' : 'reserved'}
  backgroundAudit: true
  sideEffects: None
  rules: [{apiGroups: [""], apiVersions: [v1], resources: [pods], operations: [CREATE]}]
`,
      );
      await readPolicyConfig([file(docs.join('---\n'))], { log });
      const about = (field: string) => log.lines.filter((l) => l.msg.startsWith(`${field} is ignored`));
      assert.equal(about('policyServer').length, 1);
      assert.equal(about('policyServer')[0].level, 'warn', 'b names another PolicyServer');
      assert.match(about('policyServer')[0].msg, /2 policies, first at .*:6\)/);
      assert.equal(about('backgroundAudit').length, 0, 'read for audit, not ignored');
      assert.equal(about('sideEffects')[0].level, 'info');
    });
  });

  describe('validation names the file, line and field', () => {
    const policy = (
      spec: string,
      kind = 'ClusterAdmissionPolicy',
      meta = 'name: p',
    ) => `apiVersion: policies.kubewarden.io/v1
kind: ${kind}
metadata:
  ${meta}
spec:
${spec}`;
    const rules = '  rules: [{apiGroups: [""], apiVersions: [v1], resources: [pods], operations: [CREATE]}]\n';
    const cases: [string, string, RegExp][] = [
      ['a missing module', policy(rules), /FILE:5: ClusterAdmissionPolicy p: spec\.module: required/],
      ['missing rules', policy('  module: builtin://x\n'), /FILE:5: ClusterAdmissionPolicy p: spec\.rules: required/],
      [
        'an unknown operation',
        policy(
          '  module: builtin://x\n  rules:\n    - apiGroups: [""]\n      apiVersions: [v1]\n      resources: [pods]\n      operations: [CREATE, PATCH]\n',
        ),
        /FILE:11: .*spec\.rules\[0\]\.operations\[1\]: unsupported value "PATCH"/,
      ],
      [
        '"*" with other groups',
        policy(
          '  module: builtin://x\n  rules: [{apiGroups: ["*", apps], apiVersions: [v1], resources: [pods], operations: [CREATE]}]\n',
        ),
        /FILE:7: .*spec\.rules\[0\]\.apiGroups: if "\*" is present/,
      ],
      [
        'overlapping resources',
        policy(
          '  module: builtin://x\n  rules: [{apiGroups: [""], apiVersions: [v1], resources: ["*/*", pods], operations: [CREATE]}]\n',
        ),
        /spec\.rules\[0\]\.resources: if '\*\/\*' is present, must not specify other resources/,
      ],
      [
        'a bad scope',
        policy(
          '  module: builtin://x\n  rules: [{apiGroups: [""], apiVersions: [v1], resources: [pods], operations: [CREATE], scope: Global}]\n',
        ),
        /spec\.rules\[0\]\.scope: unsupported value "Global"/,
      ],
      [
        'a bad mode',
        policy(`  module: builtin://x\n  mode: audit\n${rules}`),
        /FILE:7: .*spec\.mode: must be one of protect, monitor, got "audit"/,
      ],
      [
        'a bad failurePolicy',
        policy(`  module: builtin://x\n  failurePolicy: Sometimes\n${rules}`),
        /FILE:7: .*spec\.failurePolicy: must be one of Fail, Ignore/,
      ],
      [
        'a bad matchPolicy',
        policy(`  module: builtin://x\n  matchPolicy: Loose\n${rules}`),
        /spec\.matchPolicy: must be one of Exact, Equivalent/,
      ],
      [
        'timeoutSeconds out of range',
        policy(`  module: builtin://x\n  timeoutSeconds: 31\n${rules}`),
        /FILE:7: .*spec\.timeoutSeconds: must be between 2 and 30, got 31/,
      ],
      // The policies.kubewarden.io CRDs' schema: timeoutSeconds minimum 2 (a webhook itself would accept 1).
      [
        'timeoutSeconds below the CRD minimum of 2',
        policy(`  module: builtin://x\n  timeoutSeconds: 1\n${rules}`),
        /FILE:7: .*spec\.timeoutSeconds: must be between 2 and 30, got 1/,
      ],
      [
        'timeoutEvalSeconds out of range',
        policy(`  module: builtin://x\n  timeoutEvalSeconds: 1\n${rules}`),
        /spec\.timeoutEvalSeconds: must be between 2 and 30/,
      ],
      [
        'sideEffects Some',
        policy(`  module: builtin://x\n  sideEffects: Some\n${rules}`),
        /spec\.sideEffects: must be one of None, NoneOnDryRun/,
      ],
      [
        'settings that are not a mapping',
        policy(`  module: builtin://x\n  settings: [1]\n${rules}`),
        /FILE:7: .*spec\.settings: must be a mapping or null/,
      ],
      [
        'a misspelt field',
        policy(`  module: builtin://x\n  objectSelecter: {}\n${rules}`),
        /FILE:7: .*spec\.objectSelecter: unknown field in a ClusterAdmissionPolicy \(did you mean objectSelector\?\)/,
      ],
      [
        'namespaceSelector on an AdmissionPolicy',
        policy(
          `  module: builtin://x\n  namespaceSelector: {}\n${rules}`,
          'AdmissionPolicy',
          'name: p\n  namespace: n',
        ),
        /spec\.namespaceSelector: unknown field in a AdmissionPolicy/,
      ],
      [
        'a selector operator',
        policy(
          `  module: builtin://x\n  objectSelector:\n    matchExpressions:\n      - {key: a, operator: Equals, values: [b]}\n${rules}`,
        ),
        /FILE:9: .*spec\.objectSelector\.matchExpressions\[0\]\.operator: must be one of In, NotIn, Exists, DoesNotExist/,
      ],
      [
        'Exists with values',
        policy(
          `  module: builtin://x\n  objectSelector:\n    matchExpressions:\n      - {key: a, operator: Exists, values: [b]}\n${rules}`,
        ),
        /matchExpressions\[0\]\.values: may not be specified when operator is Exists/,
      ],
      [
        'a bad label key',
        policy(`  module: builtin://x\n  objectSelector:\n    matchLabels: {"-x": v}\n${rules}`),
        /FILE:8: .*spec\.objectSelector\.matchLabels\["-x"\]: label key "-x" must be/,
      ],
      [
        'a CEL syntax error',
        policy(
          `  module: builtin://x\n  matchConditions:\n    - name: c\n      expression: "object.metadata.name =="\n${rules}`,
        ),
        /FILE:9: .*spec\.matchConditions\[0\]\.expression: compilation failed/,
      ],
      [
        'an unknown CEL variable',
        policy(`  module: builtin://x\n  matchConditions:\n    - name: c\n      expression: "params.x == 1"\n${rules}`),
        /spec\.matchConditions\[0\]\.expression: compilation failed/,
      ],
      [
        'duplicate condition names',
        policy(
          `  module: builtin://x\n  matchConditions:\n    - {name: c, expression: "true"}\n    - {name: c, expression: "true"}\n${rules}`,
        ),
        /FILE:9: .*spec\.matchConditions\[1\]\.name: duplicate value "c"/,
      ],
      [
        'a condition name that is not a qualified name',
        policy(`  module: builtin://x\n  matchConditions:\n    - {name: "-c", expression: "true"}\n${rules}`),
        /spec\.matchConditions\[0\]\.name: "-c" is not a qualified name/,
      ],
      [
        'an AdmissionPolicy targeting everything',
        policy(
          '  module: builtin://x\n  rules: [{apiGroups: ["*"], apiVersions: [v1], resources: ["*"], operations: [CREATE]}]\n',
          'AdmissionPolicy',
          'name: p\n  namespace: n',
        ),
        /spec\.rules\[0\]: apiGroups and resources cannot both use wildcards/,
      ],
      [
        'an AdmissionPolicy targeting policy reports',
        policy(
          '  module: builtin://x\n  rules: [{apiGroups: [wgpolicyk8s.io], apiVersions: [v1alpha2], resources: [policyreports], operations: [CREATE]}]\n',
          'AdmissionPolicy',
          'name: p\n  namespace: n',
        ),
        /policyreports\} resources cannot be targeted by AdmissionPolicy/,
      ],
      ['an unknown module scheme', policy(`  module: oci://x\n${rules}`), /spec\.module: unsupported scheme oci:\/\//],
      [
        'a name that is not a DNS subdomain',
        policy(`  module: builtin://x\n${rules}`, 'ClusterAdmissionPolicy', 'name: Bad_Name'),
        /FILE:4: .*metadata\.name: "Bad_Name" must be a lowercase RFC 1123 subdomain/,
      ],
      [
        'another apiVersion',
        'apiVersion: policies.kubewarden.io/v1alpha2\nkind: ClusterAdmissionPolicy\nmetadata: {name: p}\nspec: {}\n',
        /FILE:1: ClusterAdmissionPolicy p: apiVersion: must be policies.kubewarden.io\/v1/,
      ],
      [
        'another kind',
        'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: d}\n',
        /FILE:2: Deployment d: kind: not a Kubewarden policy/,
      ],
      ['a YAML error', 'a:\n  module: [\n', /FILE:3: YAML: syntax error/],
      [
        'a group without message',
        policy('  expression: "a()"\n  policies: {a: {module: builtin://x}}\n' + rules, 'ClusterAdmissionPolicyGroup'),
        /FILE:5: ClusterAdmissionPolicyGroup p: spec\.message: required/,
      ],
      [
        'a group calling a non-member',
        policy(
          '  expression: "a() && c()"\n  message: m\n  policies: {a: {module: builtin://x}}\n' + rules,
          'ClusterAdmissionPolicyGroup',
        ),
        /FILE:6: .*spec\.expression: c\(\) is not a member of the group \(members: a\) \(at column 8/,
      ],
      [
        'a group expression syntax error',
        policy(
          '  expression: "a() &&"\n  message: m\n  policies: {a: {module: builtin://x}}\n' + rules,
          'ClusterAdmissionPolicyGroup',
        ),
        /spec\.expression: unexpected the end of the expression/,
      ],
      [
        'an operator groups do not have',
        policy(
          '  expression: "a() + a()"\n  message: m\n  policies: {a: {module: builtin://x}}\n' + rules,
          'ClusterAdmissionPolicyGroup',
        ),
        /spec\.expression: unexpected character "\+"/,
      ],
      [
        'a member name that is not an identifier',
        policy(
          '  expression: "a()"\n  message: m\n  policies: {a: {module: builtin://x}, my-b: {module: builtin://x}}\n' +
            rules,
          'ClusterAdmissionPolicyGroup',
        ),
        /spec\.policies\.my-b: policy group member name "my-b" is invalid/,
      ],
      [
        'a member field groups do not have',
        policy(
          '  expression: "a()"\n  message: m\n  policies:\n    a: {module: builtin://x, mode: monitor}\n' + rules,
          'ClusterAdmissionPolicyGroup',
        ),
        /FILE:9: .*spec\.policies\.a\.mode: unknown field/,
      ],
      [
        'member timeouts above the group timeout',
        policy(
          '  expression: "a() && b()"\n  message: m\n  timeoutSeconds: 3\n  policies:\n    a: {module: builtin://x, timeoutEvalSeconds: 2}\n    b: {module: builtin://x, timeoutEvalSeconds: 2}\n' +
            rules,
          'ClusterAdmissionPolicyGroup',
        ),
        /spec\.policies: the sum of all members' timeoutEvalSeconds \(4\) cannot be greater than group timeoutSeconds \(3\)/,
      ],
      [
        'a problem inside a List item',
        'apiVersion: v1\nkind: List\nitems:\n  - apiVersion: policies.kubewarden.io/v1\n    kind: ClusterAdmissionPolicy\n    metadata: {name: p}\n    spec:\n      module: builtin://x\n      mode: loud\n      rules: [{apiGroups: [""], apiVersions: [v1], resources: [pods], operations: [CREATE]}]\n',
        /FILE:9: ClusterAdmissionPolicy p: spec\.mode: must be one of protect, monitor/,
      ],
      [
        'policies.yml: a bad policyMode',
        'p:\n  module: builtin://x\n  policyMode: watch\n',
        /FILE:3: policies\.yml: p\.policyMode: must be one of protect, monitor/,
      ],
      [
        'policies.yml: an id with a slash',
        'a/b:\n  module: builtin://x\n',
        /policies\.yml: \["a\/b"\]: a policy id may not contain "\/"/,
      ],
      [
        'policies.yml: unknown member field (deny_unknown_fields)',
        'g:\n  expression: "a()"\n  message: m\n  policies:\n    a: {module: builtin://x, allowedToMutate: true}\n',
        /FILE:5: policies\.yml: g\.policies\.a\.allowedToMutate: unknown field/,
      ],
    ];
    for (const [what, text, expected] of cases) {
      it(what, async () => assert.match(await configError(text), expected));
    }

    it('reports every problem at once, and duplicate ids', async () => {
      const text = 'a:\n  module: builtin://x\n  policyMode: x\nb:\n  module: 3\n---\na:\n  module: builtin://x\n';
      const msg = await configError(text);
      assert.match(msg, /FILE:3: .*a\.policyMode/);
      assert.match(msg, /FILE:5: .*b\.module: must be a string/);
      assert.match(msg, /FILE:7: policy: duplicate policy id "a", also defined at FILE:1/);
    });
  });

  describe('post-processing, failurePolicy and timeouts (docs/host-interface.md §1.6, §9)', () => {
    let polDir: string;
    let manifest: string;
    const mods: Record<string, string> = {};
    before(async () => {
      polDir = tempDir('wasmpolicy-pp-');
      mods.reject = await testPolicy(polDir, 'reject', {
        behaviour: { respond: { accepted: false, message: 'rejected by test', code: 403 } },
      });
      mods.accept = await testPolicy(polDir, 'accept', { behaviour: { respond: { accepted: true } } });
      mods.warns = await testPolicy(polDir, 'warns', {
        behaviour: { respond: { accepted: true, warnings: ['careful'] } },
      });
      mods.mutate = await testPolicy(polDir, 'mutate', {
        behaviour: {
          respond: {
            accepted: true,
            mutated_object: {
              apiVersion: 'v1',
              kind: 'ConfigMap',
              metadata: { name: 'c', namespace: 'shop', labels: { mutated: 'yes' } },
            },
          },
        },
        mutating: true,
      });
      mods.trap = await testPolicy(polDir, 'trap', { behaviour: { trap: true } });
      mods.loop = await testPolicy(polDir, 'loop', { behaviour: { loop: true } });
      manifest = path.join(polDir, 'cm.yaml');
      writeFileSync(manifest, 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\n  namespace: shop\n');
    });

    const cap = (name: string, module: string, spec = ''): string => `apiVersion: policies.kubewarden.io/v1
kind: ClusterAdmissionPolicy
metadata:
  name: ${name}
spec:
  module: ${pathToFileURL(module).href}
  rules: [{apiGroups: [""], apiVersions: [v1], resources: [configmaps], operations: ["*"]}]
${spec}`;

    async function check(config: string, timeoutMs = 2000): Promise<Report> {
      const policies = await readPolicyConfig([file(config)], { log: silentLogger });
      return runCheck({
        files: [manifest],
        recursive: false,
        policies,
        request: { operation: 'CREATE', userInfo: DEFAULT_USER },
        evaluationLimits: { timeoutMs, memoryLimitBytes: 256 * 1024 * 1024, maxOutputBytes: 1 << 20 },
        workers: 2,
        log: silentLogger,
      });
    }

    it('protect mode: the rejection is a rejection', async () => {
      const r = await check(cap('r', mods.reject));
      assert.equal(r.results[0].verdict, 'fail');
      assert.equal(r.results[0].message, 'rejected by test');
      assert.equal(r.results[0].code, 403);
    });

    it('monitor mode turns a rejection into a warning', async () => {
      const r = await check(cap('r', mods.reject, '  mode: monitor\n'));
      assert.equal(r.results[0].verdict, 'warn');
      assert.equal(r.results[0].message, 'monitor mode: would be rejected: rejected by test');
    });

    it('protect, not mutating, and a patch: the policy-server rejection text', async () => {
      const r = await check(cap('m', mods.mutate, '  mutating: false\n'));
      assert.equal(r.results[0].verdict, 'fail');
      assert.equal(
        r.results[0].message,
        'Request rejected by policy clusterwide-m. The policy attempted to mutate the request, but it is currently configured to not allow mutations.',
      );
    });

    it('mutating: true lets the patch through', async () => {
      const r = await check(cap('m', mods.mutate, '  mutating: true\n'));
      assert.equal(r.results[0].verdict, 'pass');
      assert.deepEqual(r.results[0].patch, [{ op: 'add', path: '/metadata/labels', value: { mutated: 'yes' } }]);
    });

    it('a custom message replaces the rejection text and keeps the original as a cause', async () => {
      const r = await check(cap('r', mods.reject, '  message: "ask the platform team"\n'));
      assert.equal(r.results[0].verdict, 'fail');
      assert.equal(r.results[0].message, 'ask the platform team');
      assert.deepEqual(r.results[0].causes, ['rejected by test']);
    });

    // crates/policy-server evaluation `validation_response_with_constraints`: the custom message is applied to the
    // policy's own rejection, before the mutation refusal, which an accepted patch is not.
    it('the custom message does not replace the mutation refusal (policy-server applies it first)', async () => {
      const r = await check(cap('m', mods.mutate, '  message: "no mutations here"\n'));
      assert.match(r.results[0].message!, /^Request rejected by policy clusterwide-m\./);
      assert.equal(r.results[0].causes, undefined);
    });

    it('an accepted object is not touched by the custom message; warnings pass through', async () => {
      const r = await check(cap('w', mods.warns, '  message: "unused"\n'));
      assert.equal(r.results[0].verdict, 'warn');
      assert.deepEqual(r.results[0].warnings, ['careful']);
      assert.equal(r.results[0].message, undefined);
    });

    it('a policy error is a 500 rejection by policy-server, whatever failurePolicy says', async () => {
      const r = await check(cap('t', mods.trap, '  failurePolicy: Ignore\n'));
      assert.equal(r.results[0].verdict, 'error');
      assert.equal(r.results[0].code, 500);
    });

    it("policy-server's own deadline (timeoutEvalSeconds) is a 500 rejection too", async () => {
      const r = await check(
        cap('l', mods.loop, '  timeoutEvalSeconds: 2\n  timeoutSeconds: 10\n  failurePolicy: Ignore\n'),
        5000,
      );
      assert.equal(r.results[0].verdict, 'error');
      assert.match(r.results[0].message!, /exceeded the allowed execution time/);
    });

    it('the webhook timeout under failurePolicy Ignore: the object is admitted, with a warning', async () => {
      const r = await check(cap('l', mods.loop, '  timeoutSeconds: 2\n  failurePolicy: Ignore\n'), 5000);
      assert.equal(r.results[0].verdict, 'warn');
      assert.match(
        r.results[0].message!,
        /failed calling webhook "clusterwide-l\.kubewarden\.admission": no answer within timeoutSeconds \(2s\); failurePolicy Ignore: the API server admits the object/,
      );
    });

    it('the webhook timeout under failurePolicy Fail: the request fails', async () => {
      const r = await check(cap('l', mods.loop, '  timeoutSeconds: 2\n'), 5000);
      assert.equal(r.results[0].verdict, 'error');
      assert.match(r.results[0].message!, /failurePolicy Fail: the API server rejects the request/);
    });

    it('a matchConditions error under Ignore admits with a warning; under Fail it is an error', async () => {
      const bad = '  matchConditions: [{name: c, expression: "object.data.x == 1"}]\n';
      const ignore = await check(cap('r', mods.reject, `${bad}  failurePolicy: Ignore\n`));
      assert.equal(ignore.results[0].verdict, 'warn');
      assert.match(
        ignore.results[0].message!,
        /failed evaluating match conditions: matchConditions\[c\]: .*failurePolicy Ignore/,
      );
      const fail = await check(cap('r', mods.reject, bad));
      assert.equal(fail.results[0].verdict, 'error');
    });

    it('a policy that is not selected is a skip with the reason, and not evaluated', async () => {
      const r = await check(cap('r', mods.reject, '  objectSelector: {matchLabels: {app: x}}\n'));
      assert.equal(r.results[0].verdict, 'skip');
      assert.match(r.results[0].message!, /objectSelector \(app=x\) does not match the labels of the object/);
    });
  });

  describe('the CLI', () => {
    let polDir: string;
    before(async () => {
      polDir = tempDir('wasmpolicy-cli-config-');
      await testPolicy(polDir, 'reject', { behaviour: { respond: { accepted: false, message: 'no deletes' } } });
    });

    it('-p keeps working alongside --policies; both run', async () => {
      const f = file('extra:\n  module: builtin://resource-limits\n');
      const r = await runCli([
        'check',
        '-f',
        'manifests/examples/web.yaml',
        '--policies',
        f,
        '-p',
        'builtin://image-tag',
        '-o',
        'json',
      ]);
      assert.equal(r.code, 0, r.stderr);
      const j = JSON.parse(r.stdout) as Report;
      assert.deepEqual(
        j.policies.map((p) => p.id),
        ['extra', 'image-tag'],
      );
    });

    it('reads --policies - from stdin, but stdin only once', async () => {
      const r = await runCli(['check', '-f', 'manifests/examples/web.yaml', '--policies', '-', '-o', 'json'], {
        stdin: 'from-stdin:\n  module: builtin://image-tag\n',
      });
      assert.equal(r.code, 0, r.stderr);
      assert.deepEqual(
        (JSON.parse(r.stdout) as Report).policies.map((p) => p.id),
        ['from-stdin'],
      );
      const both = await runCli(['check', '-f', '-', '--policies', '-']);
      assert.equal(both.code, 2);
      assert.match(both.stderr, /only one of -f, --policies and --old can read stdin/);
    });

    it('exits 2 with file:line:field on a bad configuration', async () => {
      const f = file('p:\n  module: builtin://image-tag\n  policyMode: loud\n');
      const r = await runCli(['check', '-f', 'manifests/examples/web.yaml', '--policies', f]);
      assert.equal(r.code, 2);
      assert.match(
        r.stderr,
        new RegExp(
          `${f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: policies\\.yml: p\\.policyMode: must be one of protect, monitor`,
        ),
      );
    });

    it('--operation DELETE sends oldObject and no object', async () => {
      const f = file(`apiVersion: policies.kubewarden.io/v1
kind: ClusterAdmissionPolicy
metadata: {name: no-delete}
spec:
  module: ${pathToFileURL(path.join(polDir, 'reject.wasm')).href}
  rules: [{apiGroups: [""], apiVersions: [v1], resources: [services], operations: [DELETE]}]
  matchConditions:
    - {name: deleting, expression: "object == null && oldObject.metadata.name == 'web'"}
`);
      const del = await runCli([
        'check',
        '-f',
        'manifests/examples/web.yaml',
        '--policies',
        f,
        '--operation',
        'DELETE',
      ]);
      assert.equal(del.code, 1, del.stdout + del.stderr);
      assert.match(del.stdout, /rejected: Service shop\/web by clusterwide-no-delete: no deletes/);
      const create = await runCli(['check', '-f', 'manifests/examples/web.yaml', '--policies', f]);
      assert.equal(create.code, 0, create.stdout + create.stderr);
    });

    it('--operation UPDATE --old pairs objects by apiVersion, kind, namespace and name', async () => {
      const oldFile = file(
        'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\n  namespace: shop\n  labels: {frozen: "true"}\nspec: {}\n',
      );
      const f = file(`apiVersion: policies.kubewarden.io/v1
kind: ClusterAdmissionPolicy
metadata: {name: frozen}
spec:
  module: ${pathToFileURL(path.join(polDir, 'reject.wasm')).href}
  rules: [{apiGroups: [""], apiVersions: [v1], resources: [services], operations: [UPDATE]}]
  matchConditions:
    - {name: was-frozen, expression: "oldObject.metadata.labels.frozen == 'true' && !has(object.metadata.labels)"}
`);
      const r = await runCli([
        'check',
        '-f',
        'manifests/examples/web.yaml',
        '--policies',
        f,
        '--operation',
        'UPDATE',
        '--old',
        oldFile,
        '-o',
        'json',
      ]);
      const j = JSON.parse(r.stdout) as Report;
      assert.equal(r.code, 2, 'the Deployment has no old version: an error result');
      assert.deepEqual(
        j.results.map((x) => [x.object?.kind, x.verdict]),
        [
          ['Deployment', 'error'],
          ['Service', 'fail'],
        ],
      );
      assert.match(j.results[0].message!, /no object with the same apiVersion, kind, namespace and name in --old/);
    });

    it('refuses flags that do not go together', async () => {
      const a = await runCli(['check', '-f', 'manifests/examples/web.yaml', '--old', 'x.yaml']);
      assert.equal(a.code, 2);
      assert.match(a.stderr, /--old gives the stored objects of an UPDATE/);
      const b = await runCli(['check', '-f', 'manifests/examples/web.yaml', '--operation', 'UPDATE']);
      assert.equal(b.code, 2);
      assert.match(b.stderr, /--operation UPDATE needs the stored objects/);
    });
  });

  describe('manifests/policies: the bundled set as policy resources', () => {
    const policiesDir = path.join(ROOT, 'manifests', 'policies');

    it('has one ClusterAdmissionPolicy per bundled policy, whose rules and mutating flag are its metadata', () => {
      const plugins = readdirSync(path.join(ROOT, 'plugins')).filter((d) =>
        existsSync(path.join(ROOT, 'plugins', d, 'metadata.yml')),
      );
      for (const name of plugins) {
        const cap = jsyaml.load(readFileSync(path.join(policiesDir, `${name}.yaml`), 'utf8')) as {
          kind: string;
          metadata: { name: string; annotations: Record<string, string> };
          spec: Record<string, unknown>;
        };
        const md = jsyaml.load(readFileSync(path.join(ROOT, 'plugins', name, 'metadata.yml'), 'utf8')) as {
          rules: unknown;
          mutating: boolean;
          annotations: Record<string, string>;
        };
        assert.equal(cap.kind, 'ClusterAdmissionPolicy');
        assert.equal(cap.metadata.name, name);
        assert.deepEqual(cap.spec.rules, md.rules, `${name}: rules`);
        assert.equal(cap.spec.mutating, md.mutating, `${name}: mutating`);
        assert.equal(
          cap.spec.module,
          `registry://ghcr.io/kubectl-wasmpolicy/policies/${name}:v${md.annotations['io.kubewarden.policy.version']}`,
        );
        assert.equal(cap.metadata.annotations['wasmpolicy.kubewarden.io/module'], `builtin://${name}`);
      }
    });

    let byDefault: Report;
    let fromConfig: Report;
    let text: Awaited<ReturnType<typeof runCli>>;
    before(async () => {
      const a = await runCli(['check', '-f', 'manifests/examples/', '-o', 'json']);
      const b = await runCli(['check', '--policies', 'manifests/policies/', '-f', 'manifests/examples/', '-o', 'json']);
      text = await runCli(['check', '--policies', 'manifests/policies/', '-f', 'manifests/examples/']);
      assert.equal(a.code, 1, a.stderr);
      assert.equal(b.code, 1, b.stderr);
      byDefault = JSON.parse(a.stdout) as Report;
      fromConfig = JSON.parse(b.stdout) as Report;
    });

    it('gives the same verdicts, messages and patches as the default run', () => {
      const key = (r: Report['results'][number], policy: string) =>
        `${r.source.file}:${r.source.line} ${r.object?.kind}/${r.object?.name} ${policy}`;
      const expected = new Map(byDefault.results.map((r) => [key(r, r.policy ?? ''), r]));
      const singles = fromConfig.results.filter((r) => !r.policy?.startsWith('clusterwide-group-'));
      assert.equal(singles.length, expected.size);
      for (const r of singles) {
        const want = expected.get(key(r, (r.policy ?? '').replace(/^clusterwide-/, '')));
        assert.ok(want, key(r, r.policy ?? ''));
        assert.equal(r.verdict, want.verdict, key(r, r.policy ?? ''));
        assert.equal(r.message, want.message);
        assert.deepEqual(r.patch, want.patch);
      }
    });

    it('and the group: the first rejecting member short-circuits the others', () => {
      const group = fromConfig.results.filter((r) => r.policy === 'clusterwide-group-host-isolation');
      assert.deepEqual(
        group.map((r) => `${r.object?.kind}/${r.object?.name}:${r.verdict}`),
        [
          'Deployment/api:pass',
          'CronJob/report:pass',
          'Pod/migrate:pass',
          'DaemonSet/node-agent:fail',
          'Deployment/web:pass',
          'Service/web:skip',
        ],
      );
      const agent = group.find((r) => r.verdict === 'fail')!;
      assert.equal(
        agent.message,
        "the workload must not be privileged, share the host's namespaces or mount host paths",
      );
      assert.equal(agent.causes?.length, 1, 'host_namespaces() and hostpath_volumes() were not evaluated');
      assert.match(agent.causes![0], /^spec\.policies\.privileged: .*privileged/);
      assert.match(
        text.stdout,
        /node-agent\.yaml:3: rejected: DaemonSet monitoring\/node-agent by clusterwide-group-host-isolation: the workload must not be privileged.*\n(?: {4}at .*\n)? {4}cause: spec\.policies\.privileged: /,
      );
    });

    it('in monitor mode it exits 0 with warnings (1 with --fail-on-warn)', async () => {
      const monitorDir = tempDir('wasmpolicy-monitor-');
      for (const f of readdirSync(policiesDir).filter((x) => x.endsWith('.yaml'))) {
        const text = readFileSync(path.join(policiesDir, f), 'utf8');
        assert.match(text, /^ {2}mode: protect$/m, f);
        writeFileSync(path.join(monitorDir, f), text.replace(/^ {2}mode: protect$/m, '  mode: monitor'));
      }
      const r = await runCli(['check', '--policies', monitorDir, '-f', 'manifests/examples/']);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.match(
        r.stdout,
        /warning: DaemonSet monitoring\/node-agent by clusterwide-pss-privileged: monitor mode: would be rejected: /,
      );
      assert.match(r.stdout, /, 0 rejected, 13 warnings, 0 errors, /);
      const strict = await runCli(['check', '--policies', monitorDir, '-f', 'manifests/examples/', '--fail-on-warn']);
      assert.equal(strict.code, 1);
    });
  });
});
