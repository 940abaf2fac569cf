import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { DEFAULT_USER } from '../../../lib/admission/request';
import type { EvaluatedResponse } from '../../../lib/admission/response';
import { runCheck } from '../../../lib/check/run';
import { silentLogger } from '../../../lib/base/log';
import { readPolicyConfig } from '../../../lib/policy/config';
import {
  calledMembers,
  checkMembers,
  evaluateGroupExpression,
  GROUP_MUTATION_MESSAGE,
  GroupExpressionError,
  groupResponse,
  parseGroupExpression,
  type GroupExpr,
} from '../../../lib/policy/group';
import type { PolicyEntry, PolicyGroupSpec } from '../../../lib/policy/spec';
import type { Report } from '../../../lib/evaluation/result';
import { tempDir, testPolicy } from '../../support/constant-policy';

/*
 * Policy groups (docs/host-interface.md §6.1; Kubewarden docs, "Policy groups"): members are functions of no argument in an
 * expression of &&, ||, ! and parentheses (the Kubewarden controller also accepts == and !=); && and ||
 * short-circuit, so some members are never evaluated; the group rejects with its own message and one cause per
 * evaluated member that rejected; members never mutate.
 */

function show(e: GroupExpr): string {
  switch (e.type) {
    case 'call':
      return `${e.name}()`;
    case 'literal':
      return String(e.value);
    case 'not':
      return `!${show(e.operand)}`;
    default:
      return `(${show(e.left)} ${{ and: '&&', or: '||', eq: '==', ne: '!=' }[e.type]} ${show(e.right)})`;
  }
}

describe('policy groups', () => {
  describe('expression language', () => {
    const parses: [string, string][] = [
      ['a()', 'a()'],
      ['a() && b() || c()', '((a() && b()) || c())'],
      ['a() || b() && c()', '(a() || (b() && c()))'],
      ['!a() && b()', '(!a() && b())'],
      ['!(a() && b())', '!(a() && b())'],
      ['(a() || b()) && c()', '((a() || b()) && c())'],
      ['a() == b() && c()', '((a() == b()) && c())'],
      ['a() != true', '(a() != true)'],
      [
        '  sigstore_pgp()  ||  (sigstore_gh_action() && reject_latest_tag())  ',
        '(sigstore_pgp() || (sigstore_gh_action() && reject_latest_tag()))',
      ],
      ['!!a()', '!!a()'],
    ];
    for (const [src, tree] of parses) it(`parses ${src}`, () => assert.equal(show(parseGroupExpression(src)), tree));

    const errors: [string, RegExp, number][] = [
      ['', /must be non-empty/, 0],
      ['a() &&', /unexpected the end of the expression/, 6],
      ['a', /a must be called as a\(\)/, 1],
      ['a(b)', /a\(\) takes no arguments/, 2],
      ['a() & b()', /unexpected character "&"/, 4],
      ['(a() || b()', /expected "\)" but found the end of the expression/, 11],
      ['a() b()', /unexpected "b"/, 4],
      ['a() + 1', /unexpected character "\+"/, 4],
    ];
    for (const [src, message, pos] of errors) {
      it(`refuses ${JSON.stringify(src)}`, () => {
        assert.throws(
          () => parseGroupExpression(src),
          (err: unknown) => err instanceof GroupExpressionError && message.test(err.message) && err.pos === pos,
        );
      });
    }

    it('refuses calls to names that are not members', () => {
      assert.throws(
        () => checkMembers(parseGroupExpression('a() && z()'), ['a', 'b']),
        /z\(\) is not a member of the group \(members: a, b\)/,
      );
      assert.deepEqual(calledMembers(parseGroupExpression('b() || a() && b()')), ['b', 'a']);
    });

    it('short-circuits && and ||, left to right', () => {
      const evaluate = (src: string, values: Record<string, boolean>): [boolean, string[]] => {
        const called: string[] = [];
        const v = evaluateGroupExpression(parseGroupExpression(src), (n) => {
          called.push(n);
          return values[n];
        });
        return [v, called];
      };
      assert.deepEqual(evaluate('a() && b()', { a: false, b: true }), [false, ['a']]);
      assert.deepEqual(evaluate('a() || b()', { a: true, b: false }), [true, ['a']]);
      assert.deepEqual(evaluate('a() || b() && c()', { a: false, b: false, c: true }), [false, ['a', 'b']]);
      assert.deepEqual(evaluate('!a() || b()', { a: false, b: false }), [true, ['a']]);
      assert.deepEqual(evaluate('a() == b()', { a: false, b: false }), [true, ['a', 'b']]);
    });
  });

  describe('the group response (policy-evaluator PolicyGroupEvaluator)', () => {
    const ok = (): EvaluatedResponse => ({ response: { uid: 'u', allowed: true, warnings: ['member warning'] } });
    const no = (message?: string): EvaluatedResponse => ({
      response: { uid: 'u', allowed: false, ...(message ? { status: { message } } : {}) },
    });
    const mutates = (): EvaluatedResponse => ({
      response: { uid: 'u', allowed: true, patch: 'W10=', patchType: 'JSONPatch' },
      patch: [{ op: 'add', path: '/x', value: 1 }],
    });

    it("accepts without status and without the members' warnings", () => {
      const r = groupResponse('u', parseGroupExpression('a() || b()'), 'msg', [
        { name: 'a', response: no('a says no') },
        { name: 'b', response: ok() },
      ]);
      assert.deepEqual(r, { response: { uid: 'u', allowed: true } });
    });

    it('rejects with the group message and a cause per evaluated rejecting member, in declaration order', () => {
      const r = groupResponse('u', parseGroupExpression('b() && a() || c()'), 'group message', [
        { name: 'a', response: no('a says no') },
        { name: 'b', response: ok() },
        { name: 'c', response: no() },
        { name: 'd', response: no('never evaluated') },
      ]);
      assert.equal(r.response.allowed, false);
      assert.equal(r.response.status?.message, 'group message');
      assert.equal(r.response.status?.code, undefined);
      assert.deepEqual(r.response.status?.details?.causes, [
        { field: 'spec.policies.a', message: 'a says no' },
        { field: 'spec.policies.c' },
      ]);
    });

    it('a member that mutates counts as false, with the policy-server message', () => {
      const r = groupResponse('u', parseGroupExpression('m()'), 'g', [{ name: 'm', response: mutates() }]);
      assert.equal(r.response.allowed, false);
      assert.equal(r.response.patch, undefined);
      assert.deepEqual(r.response.status?.details?.causes, [
        { field: 'spec.policies.m', message: GROUP_MUTATION_MESSAGE },
      ]);
    });

    it('an expression error is a rejection with code 500', () => {
      const r = groupResponse('u', parseGroupExpression('a() && ghost()'), 'g', [{ name: 'a', response: ok() }]);
      assert.deepEqual(r.response, {
        uid: 'u',
        allowed: false,
        status: { message: 'error evaluating policy group expression: Function not found: ghost ()', code: 500 },
      });
    });
  });

  describe('evaluated with the members in the pool', () => {
    let d: string;
    let manifest: string;
    const module: Record<string, string> = {};
    before(async () => {
      d = tempDir('wasmpolicy-groups-');
      const pod = [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] }];
      module.accept = pathToFileURL(
        await testPolicy(d, 'accept', {
          behaviour: { respond: { accepted: true, warnings: ['from a member'] } },
          rules: pod,
        }),
      ).href;
      module.reject = pathToFileURL(
        await testPolicy(d, 'reject', {
          behaviour: { respond: { accepted: false, message: 'member rejects' } },
          rules: pod,
        }),
      ).href;
      module.mutate = pathToFileURL(
        await testPolicy(d, 'mutate', {
          behaviour: {
            respond: {
              accepted: true,
              mutated_object: {
                apiVersion: 'v1',
                kind: 'Pod',
                metadata: { name: 'p', namespace: 'default', labels: { x: 'y' } },
                spec: {},
              },
            },
          },
          mutating: true,
          rules: pod,
        }),
      ).href;
      module.trap = pathToFileURL(await testPolicy(d, 'trap', { behaviour: { trap: true } })).href;
      // Only Services: a policies.yml group is called when any member's metadata rules match.
      module.services = pathToFileURL(
        await testPolicy(d, 'services', {
          behaviour: { respond: { accepted: false, message: 'services member' } },
          rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['services'], operations: ['CREATE'] }],
        }),
      ).href;
      manifest = path.join(d, 'pod.yaml');
      writeFileSync(manifest, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\nspec: {}\n');
    });

    const group = (expression: string, members: string[], extra = ''): string => `apiVersion: policies.kubewarden.io/v1
kind: ClusterAdmissionPolicyGroup
metadata:
  name: g
spec:
  rules: [{apiGroups: [""], apiVersions: [v1], resources: [pods], operations: [CREATE]}]
  expression: ${JSON.stringify(expression)}
  message: the group rejects
  policies:
${members.map((m) => `    ${m}: {module: ${JSON.stringify(module[m])}}`).join('\n')}
${extra}`;

    async function run(entries: PolicyEntry[]): Promise<Report> {
      return runCheck({
        files: [manifest],
        recursive: false,
        policies: entries,
        request: { operation: 'CREATE', userInfo: DEFAULT_USER },
        workers: 2,
        log: silentLogger,
      });
    }
    async function check(config: string): Promise<Report> {
      const f = path.join(d, `g${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(f, config);
      return run(await readPolicyConfig([f], { log: silentLogger }));
    }

    it('rejects with the group message and the causes of the evaluated members', async () => {
      const r = await check(group('accept() && reject()', ['accept', 'reject']));
      assert.equal(r.results.length, 1, 'one result for the group, none for its members');
      assert.deepEqual(
        r.policies.map((p) => [p.id, p.module]),
        [['clusterwide-group-g', 'group(accept() && reject())']],
      );
      const g = r.results[0];
      assert.equal(g.verdict, 'fail');
      assert.equal(g.message, 'the group rejects');
      assert.deepEqual(g.causes, ['spec.policies.reject: member rejects']);
      assert.equal(g.warnings, undefined, "members' warnings are dropped");
    });

    it('accepts when the expression is true, even if a member rejected', async () => {
      const r = await check(group('reject() || accept()', ['accept', 'reject']));
      assert.equal(r.results[0].verdict, 'pass');
    });

    it('members never mutate: a patch makes the member false', async () => {
      const r = await check(group('mutate()', ['mutate']));
      assert.equal(r.results[0].verdict, 'fail');
      assert.deepEqual(r.results[0].causes, [`spec.policies.mutate: ${GROUP_MUTATION_MESSAGE}`]);
      assert.equal(r.results[0].patch, undefined);
    });

    it('a member that fails counts as a rejecting member with its error', async () => {
      const r = await check(group('trap()', ['trap']));
      assert.equal(r.results[0].verdict, 'fail');
      assert.match(r.results[0].causes![0], /^spec\.policies\.trap: internal server error: /);
      const saved = await check(group('trap() || accept()', ['trap', 'accept']));
      assert.equal(saved.results[0].verdict, 'pass');
    });

    it('monitor mode turns the group rejection into a warning and keeps the causes', async () => {
      const r = await check(group('reject()', ['reject'], '  mode: monitor\n'));
      assert.equal(r.results[0].verdict, 'warn');
      assert.equal(r.results[0].message, 'monitor mode: would be rejected: the group rejects');
      assert.deepEqual(r.results[0].causes, ['spec.policies.reject: member rejects']);
    });

    it('an expression error is an error result (code 500)', async () => {
      // The loaders refuse such an expression; a group built in code still goes through the evaluator.
      const spec: PolicyGroupSpec = {
        kind: 'group',
        id: 'broken',
        mode: 'protect',
        expression: 'accept() && ghost()',
        message: 'm',
        members: [{ name: 'accept', module: module.accept, settings: {} }],
        origin: 'test',
      };
      const r = await run([spec]);
      assert.equal(r.results[0].verdict, 'error');
      assert.equal(r.results[0].code, 500);
      assert.equal(r.results[0].message, 'error evaluating policy group expression: Function not found: ghost ()');
    });

    it("a policies.yml group has no webhook: it is called when a member's metadata rules match", async () => {
      const f = path.join(d, 'policies.yml');
      writeFileSync(
        f,
        `only-services:\n  expression: "services()"\n  message: "yml group"\n  policies:\n    services: {module: ${JSON.stringify(module.services)}}\n`,
      );
      const r = await run(await readPolicyConfig([f], { log: silentLogger }));
      assert.equal(r.results[0].verdict, 'skip', 'a Pod does not match the rules of the only member');
    });

    it('a group and single policies side by side keep their order', async () => {
      const f = path.join(d, 'mixed.yaml');
      writeFileSync(f, `${group('accept()', ['accept'])}---\nsingle:\n  module: ${JSON.stringify(module.reject)}\n`);
      const r = await run(await readPolicyConfig([f], { log: silentLogger }));
      assert.deepEqual(
        r.results.map((x) => [x.policy, x.verdict]),
        [
          ['clusterwide-group-g', 'pass'],
          ['single', 'fail'],
        ],
      );
      assert.equal(r.summary.policies, 2);
    });
  });
});
