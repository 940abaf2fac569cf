import { strict as assert } from 'node:assert';
import { activationFor, evaluateConditions } from '../../../lib/admission/cel';
import { CelCompileError, compileCondition } from '../../../lib/admission/cel-compile';
import type { AdmissionRequest } from '../../../lib/kube/admission-review';

/*
 * CEL as match conditions use it (Kubernetes, "Dynamic Admission Control", "Matching requests: matchConditions";
 * "CEL in Kubernetes" for the libraries): the variables, the standard macros and functions, and the parts of the
 * Kubernetes libraries that are provided here (docs/policy-config.md lists the rest).
 */
const request: AdmissionRequest = {
  uid: 'u',
  kind: { group: 'apps', version: 'v1', kind: 'Deployment' },
  resource: { group: 'apps', version: 'v1', resource: 'deployments' },
  operation: 'UPDATE',
  userInfo: { username: 'alice', groups: ['devs', 'system:authenticated'], extra: { team: ['a'] } },
  name: 'web',
  namespace: 'shop',
  object: {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', labels: { app: 'web', tier: 'front' } },
    spec: {
      replicas: 3,
      ratio: 0.5,
      template: {
        spec: {
          containers: [{ name: 'a', image: 'ghcr.io/x/a:1', ports: [{ containerPort: 8080 }, { containerPort: 80 }] }],
        },
      },
    },
  },
  oldObject: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: { replicas: 2 } },
};

const truths = [
  'request.userInfo.username == "alice" && "devs" in request.userInfo.groups',
  'request.userInfo.extra.team == ["a"]',
  'request.operation == "UPDATE" && request.kind.kind == "Deployment" && request.subResource == ""',
  'request.requestKind == request.kind && request.dryRun == false',
  'object.spec.replicas > oldObject.spec.replicas',
  'object.spec.replicas == 3 && object.spec.ratio < 1.0 && object.spec.replicas > 2.5',
  'has(object.metadata.labels.app) && !has(object.metadata.annotations)',
  '"app" in object.metadata.labels && object.metadata.labels.exists(k, k == "tier")',
  'object.spec.template.spec.containers.all(c, c.image.startsWith("ghcr.io/"))',
  'object.spec.template.spec.containers.exists_one(c, c.name == "a")',
  'object.spec.template.spec.containers.map(c, c.name).join(",") == "a"',
  'object.spec.template.spec.containers[0].ports.filter(p, p.containerPort < 1024).size() == 1',
  'object.?metadata.?annotations.?owner.orValue("none") == "none"',
  'object.metadata.name.matches("^w") && object.metadata.name.upperAscii() == "WEB"',
  '"a-b-c".replace("-", "_") == "a_b_c" && "a-b-c".replace("-", "_", 1) == "a_b-c" && "abc".reverse() == "cba"',
  '"v1.2.3".find("[0-9]+") == "1" && "v1.2.3".findAll("[0-9]+") == ["1", "2", "3"] && "v1.2.3".findAll("[0-9]+", 2) == ["1", "2"]',
  '[1, 2, 3].isSorted() && ![2, 1].isSorted() && [1, 2, 3].sum() == 6 && [3, 1, 2].min() == 1 && [3, 1, 2].max() == 3',
  '["a", "b", "a"].indexOf("a") == 0 && ["a", "b", "a"].lastIndexOf("a") == 2 && [1].indexOf(5) == -1',
  '"a,b".split(",").size() == 2 && " x ".trim() == "x" && "abc".substring(1) == "bc" && "abc".indexOf("c") == 2',
  'int("3") + 1 == 4 && string(object.spec.replicas) == "3" && double(1) == 1.0',
  'namespaceObject == null',
  'false && object.nope.x == 1 || true',
];

describe('selection: CEL for matchConditions', () => {
  for (const expression of truths) {
    it(expression, () => {
      const c = compileCondition({ name: 'c', expression });
      assert.deepEqual(evaluateConditions([c], activationFor(request)), { kind: 'match' });
    });
  }

  it('reports evaluation errors by condition, and a hint for the authorizer', () => {
    const out = evaluateConditions(
      [
        compileCondition({ name: 'missing', expression: 'object.metadata.labels.nope == "x"' }),
        compileCondition({ name: 'authz', expression: 'authorizer.group("").resource("pods").check("get").allowed()' }),
      ],
      activationFor(request),
    );
    assert.equal(out.kind, 'error');
    assert.ok(out.kind === 'error');
    assert.match(out.errors[0], /^matchConditions\[missing\]: /);
    assert.match(out.errors[1], /^matchConditions\[authz\]: .*authorizer checks cannot be evaluated without a cluster/);
  });

  it('a non-boolean result is an error at evaluation', () => {
    const out = evaluateConditions(
      [compileCondition({ name: 'n', expression: 'object.spec.replicas' })],
      activationFor(request),
    );
    assert.deepEqual(out, { kind: 'error', errors: ['matchConditions[n]: expression must evaluate to bool, got int'] });
  });

  it('refuses at compile time what the API server refuses', () => {
    for (const expression of ['1 + 1', 'params.x', 'object.metadata.name ==', '"a" + 1']) {
      assert.throws(() => compileCondition({ name: 'c', expression }), CelCompileError, expression);
    }
  });

  it('errors in list helpers are evaluation errors', () => {
    for (const expression of ['[].min() == 1', '["a", 1].isSorted()', '["a", "b"].sum() == 1']) {
      const out = evaluateConditions([compileCondition({ name: 'c', expression })], activationFor(request));
      assert.equal(out.kind, 'error', expression);
    }
  });
});
