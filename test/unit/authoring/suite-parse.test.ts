import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parseSuite } from '../../../lib/authoring/suite/parse';
import { SuiteError } from '../../../lib/authoring/suite/types';

const HEAD =
  'apiVersion: wasmpolicy.kubewarden.io/v1alpha1\nkind: PolicyTestSuite\npolicies:\n  - module: builtin://pss-privileged\n';

/** The SuiteError parsing `text` raises: its line and reason. */
function problem(text: string): [number, string] {
  try {
    parseSuite('/s/wasmpolicy-test.yaml', text);
  } catch (err) {
    if (err instanceof SuiteError) return [err.place.line, err.reason];
    throw err;
  }
  assert.fail('no error');
}

describe('suite parse', () => {
  it('reads cases with their lines, paths relative to the suite, matchers and defaults', () => {
    const { suite } = parseSuite(
      '/s/wasmpolicy-test.yaml',
      `${HEAD}  - name: local\n    module: ./p.wasm\n    settings: { a: 1 }\ncases:\n  - name: one\n    resource: m/a.yaml\n    expect: fail\n    message: '/priv.*ged/i'\n  - name: two\n    resources: [m/b.yaml, /abs/c.yaml]\n    policy: local\n    operation: UPDATE\n    oldResource: m/old.yaml\n    results:\n      - object: Pod/ns/x\n        expect: pass\n`,
    );
    assert.equal(suite.name, 's');
    assert.deepEqual(
      suite.policies.map((p) => (p.kind === 'ref' ? [p.name, p.module, p.settings] : [])),
      [
        ['pss-privileged', 'builtin://pss-privileged', {}],
        ['local', '/s/p.wasm', { a: 1 }],
      ],
    );
    const [one, two] = suite.cases;
    assert.deepEqual(
      [one.place.line, one.files, one.operation, one.expectation.expect],
      [9, ['/s/m/a.yaml'], 'CREATE', 'fail'],
    );
    assert.ok(one.expectation.message?.kind === 'regex' && one.expectation.message.re.test('PRIVILEGED'));
    assert.deepEqual(
      [two.place.line, two.files, two.policies, two.oldFiles, two.results[0].place.line, two.hasExpectations],
      [13, ['/s/m/b.yaml', '/abs/c.yaml'], ['local'], ['/s/m/old.yaml'], 19, true],
    );
  });

  it('a case without expectations is one for --update', () => {
    const { suite } = parseSuite('/s/t.yaml', `${HEAD}cases:\n  - name: new\n    resource: a.yaml\n`);
    assert.equal(suite.cases[0].hasExpectations, false);
  });

  it('names the line and the problem', () => {
    assert.deepEqual(problem(`${HEAD}cases:\n  - name: x\n    resource: a.yaml\n    expect: pass\n    mesage: hi\n`), [
      9,
      'unknown field "mesage" in the case; known fields: name, resource, resources, kustomize, helm, policy, policies, settings, operation, oldResource, oldResources, user, groups, namespace, namespaceLabels, session, expect, message, patch, mutated, results',
    ]);
    assert.deepEqual(
      problem(`${HEAD}cases:\n  - name: x\n    resource: a.yaml\n    policy: nope\n    expect: pass\n`),
      [8, "no policy named nope in the suite's policies (pss-privileged)"],
    );
    assert.deepEqual(problem(`${HEAD}cases:\n  - name: x\n    resource: a.yaml\n    operation: UPDATE\n`), [
      8,
      'an UPDATE needs the stored objects: give them with oldResource or oldResources',
    ]);
    assert.deepEqual(problem(`${HEAD}cases:\n  - name: x\n    resource: a.yaml\n    message: hi\n`), [
      8,
      'message, patch and mutated refine an expect: give expect too',
    ]);
    assert.deepEqual(
      problem(`${HEAD}cases:\n  - name: x\n    resource: a.yaml\n    expect: fail\n    message: /([/\n`)[0],
      9,
    );
    assert.deepEqual(problem(`${HEAD}cases:\n  - name: x\n    resource: a.yaml\n  - name: x\n    resource: b.yaml\n`), [
      8,
      'a case named "x" is already at line 6; case names are unique in a suite',
    ]);
    assert.deepEqual(problem('apiVersion: v1\nkind: ConfigMap\n'), [2, 'kind must be PolicyTestSuite']);
    assert.deepEqual(problem(`${HEAD}cases:\n  - name: x\n`), [
      6,
      'case "x": give the objects with resource, resources, kustomize or helm',
    ]);
  });

  it("the docs' Helm example: the chart relative to the suite, --set and the release name for helm template", () => {
    const file = path.join('docs/examples/testing/helm/wasmpolicy-test.yaml');
    const { suite } = parseSuite(file, readFileSync(file, 'utf8'));
    assert.deepEqual(
      suite.cases.map((c) => c.render),
      [
        [{ kind: 'helm', chart: 'docs/examples/testing/helm/chart' }],
        [
          {
            kind: 'helm',
            chart: 'docs/examples/testing/helm/chart',
            values: [],
            set: ['privileged=true'],
            releaseName: 'shop',
          },
        ],
      ],
    );
    assert.deepEqual(
      suite.cases[1].results.map((r) => [r.object, r.policy, r.expect]),
      [
        ['Deployment/default/shop-web', 'privileged', 'fail'],
        [undefined, 'tags', 'pass'],
      ],
    );
  });
});
