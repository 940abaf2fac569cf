import { strict as assert } from 'node:assert';
import type { JsonObject } from '../../../lib/apiserver/context';
import { apiServerStage, type StageOptions, type StageTarget } from '../../../lib/apiserver/stage';

// The API server's steps before admission (docs/admission-path.md), checked against the worked example of a
// Pod created by `kubectl apply` (kubectl pkg/cmd/apply, apiserver handlers/create.go, registry/rest/create.go).
const OPTS: StageOptions = {
  kubernetesVersion: '1.35',
  validate: 'strict',
  applyMode: 'client',
  defaultNamespace: 'default',
  operation: 'CREATE',
  now: new Date(Date.UTC(2026, 0, 2, 3, 4, 5)),
};
const POD: StageTarget = { group: '', version: 'v1', kind: 'Pod', resource: 'pods', namespaced: true };
const run = (obj: JsonObject, target: StageTarget, opts: Partial<StageOptions> = {}) =>
  apiServerStage(obj, target, { ...OPTS, ...opts });

describe('apiserver: the stage before admission', () => {
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'nginx' },
    spec: { containers: [{ name: 'nginx', image: 'nginx:1.27', ports: [{ containerPort: 80 }] }] },
  };

  it('gives mutating policies the worked example Pod: last-applied, managedFields, defaults, ServiceAccount volume, tolerations', () => {
    const out = run(pod, POD);
    assert.ok(out.ok);
    const json = JSON.stringify(out.mutating).replace(/kube-api-access-[a-z0-9]{5}/g, 'kube-api-access-xxxxx');
    const m = JSON.parse(json) as JsonObject;
    const la =
      '{"apiVersion":"v1","kind":"Pod","metadata":{"annotations":{},"name":"nginx","namespace":"default"},"spec":{"containers":[{"image":"nginx:1.27","name":"nginx","ports":[{"containerPort":80}]}]}}\n';
    const fieldsV1 = JSON.parse(
      '{"f:metadata":{"f:annotations":{".":{},"f:kubectl.kubernetes.io/last-applied-configuration":{}}},"f:spec":{"f:containers":{"k:{\\"name\\":\\"nginx\\"}":{".":{},"f:image":{},"f:imagePullPolicy":{},"f:name":{},"f:ports":{".":{},"k:{\\"containerPort\\":80,\\"protocol\\":\\"TCP\\"}":{".":{},"f:containerPort":{},"f:protocol":{}}},"f:resources":{},"f:terminationMessagePath":{},"f:terminationMessagePolicy":{}}},"f:dnsPolicy":{},"f:enableServiceLinks":{},"f:restartPolicy":{},"f:schedulerName":{},"f:securityContext":{},"f:terminationGracePeriodSeconds":{}}}',
    );
    assert.deepEqual(m.metadata, {
      name: 'nginx',
      namespace: 'default',
      annotations: { 'kubectl.kubernetes.io/last-applied-configuration': la },
      managedFields: [
        {
          manager: 'kubectl-client-side-apply',
          operation: 'Update',
          apiVersion: 'v1',
          time: '2026-01-02T03:04:05Z',
          fieldsType: 'FieldsV1',
          fieldsV1,
        },
      ],
    });
    const expectedSpec = JSON.parse(
      '{"volumes":[{"name":"kube-api-access-xxxxx","projected":{"sources":[{"serviceAccountToken":{"expirationSeconds":3607,"path":"token"}},{"configMap":{"name":"kube-root-ca.crt","items":[{"key":"ca.crt","path":"ca.crt"}]}},{"downwardAPI":{"items":[{"path":"namespace","fieldRef":{"apiVersion":"v1","fieldPath":"metadata.namespace"}}]}}],"defaultMode":420}}],"containers":[{"name":"nginx","image":"nginx:1.27","ports":[{"containerPort":80,"protocol":"TCP"}],"resources":{},"volumeMounts":[{"name":"kube-api-access-xxxxx","readOnly":true,"mountPath":"/var/run/secrets/kubernetes.io/serviceaccount"}],"terminationMessagePath":"/dev/termination-log","terminationMessagePolicy":"File","imagePullPolicy":"IfNotPresent"}],"restartPolicy":"Always","terminationGracePeriodSeconds":30,"dnsPolicy":"ClusterFirst","serviceAccountName":"default","serviceAccount":"default","securityContext":{},"schedulerName":"default-scheduler","tolerations":[{"key":"node.kubernetes.io/not-ready","operator":"Exists","effect":"NoExecute","tolerationSeconds":300},{"key":"node.kubernetes.io/unreachable","operator":"Exists","effect":"NoExecute","tolerationSeconds":300}],"priority":0,"enableServiceLinks":true,"preemptionPolicy":"PreemptLowerPriority"}',
    );
    assert.deepEqual(m.spec, expectedSpec);
    assert.deepEqual(m.status, {});
  });

  it('gives validating policies uid, creationTimestamp, generation and the Pending status with its QoS class', () => {
    const out = run(pod, POD);
    assert.ok(out.ok);
    const v = out.validating(out.mutating);
    assert.ok(v.ok);
    const meta = v.object.metadata as JsonObject;
    assert.match(String(meta.uid), /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    assert.equal(meta.creationTimestamp, '2026-01-02T03:04:05Z');
    assert.equal(meta.generation, 1);
    assert.deepEqual(v.object.status, { phase: 'Pending', qosClass: 'BestEffort' });
    // The same input gives the same uid (reproducible output).
    const again = run(pod, POD);
    assert.ok(again.ok);
    const v2 = again.validating(again.mutating);
    assert.ok(v2.ok);
    assert.equal((v2.object.metadata as JsonObject).uid, meta.uid);
  });

  it('clears the namespace of cluster-scoped objects (a ClusterRole written with namespace: default)', () => {
    const out = run(
      {
        apiVersion: 'rbac.authorization.k8s.io/v1',
        kind: 'ClusterRole',
        metadata: { name: 'r', namespace: 'default' },
        rules: [],
      },
      {
        group: 'rbac.authorization.k8s.io',
        version: 'v1',
        kind: 'ClusterRole',
        resource: 'clusterroles',
        namespaced: false,
      },
    );
    assert.ok(out.ok);
    assert.equal('namespace' in (out.mutating.metadata as JsonObject), false);
    assert.equal(out.namespace, undefined);
  });

  it('gives a Namespace its kubernetes.io/metadata.name label and the request its own name as namespace', () => {
    const out = run(
      { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'team-a' } },
      { group: '', version: 'v1', kind: 'Namespace', resource: 'namespaces', namespaced: false },
    );
    assert.ok(out.ok);
    assert.deepEqual((out.mutating.metadata as JsonObject).labels, { 'kubernetes.io/metadata.name': 'team-a' });
    assert.equal(out.namespace, 'team-a');
  });

  it('refuses generateName as kubectl apply does; kubectl create gets a generated name for validating policies', () => {
    const obj = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'cfg-' } };
    const target = { group: '', version: 'v1', kind: 'ConfigMap', resource: 'configmaps', namespaced: true };
    const refused = run(obj, target);
    assert.deepEqual(refused, { ok: false, code: 400, message: 'cannot use generate name with apply' });
    const created = run(obj, target, { applyMode: 'create' });
    assert.ok(created.ok);
    assert.equal(created.name, undefined);
    const v = created.validating(created.mutating);
    assert.ok(v.ok);
    assert.match(String((v.object.metadata as JsonObject).name), /^cfg-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
  });

  it('fails an unknown field with the API server wording under --validate=strict, warns and drops it under warn, drops it silently under ignore', () => {
    const obj = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web' },
      spec: {
        selector: { matchLabels: { a: 'b' } },
        template: {
          metadata: { labels: { a: 'b' } },
          spec: { containers: [{ name: 'c', image: 'nginx', imagePullPolcy: 'Always' }] },
        },
      },
    };
    const target = { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true };
    const strict = run(obj, target);
    assert.equal(strict.ok, false);
    assert.ok(!strict.ok);
    assert.equal(
      strict.message,
      'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: unknown field "spec.template.spec.containers[0].imagePullPolcy"',
    );
    assert.deepEqual(strict.path, ['spec', 'template', 'spec', 'containers', 0, 'imagePullPolcy']);
    const warn = run(obj, target, { validate: 'warn' });
    assert.ok(warn.ok);
    assert.deepEqual(
      warn.warnings.map((w) => w.message),
      ['unknown field "spec.template.spec.containers[0].imagePullPolcy"'],
    );
    const ignore = run(obj, target, { validate: 'ignore' });
    assert.ok(ignore.ok);
    assert.deepEqual(ignore.warnings, []);
    assert.doesNotMatch(JSON.stringify(ignore.mutating.spec), /imagePullPolcy/);
  });

  it('rejects a missing required field with 422 before validating admission only', () => {
    const out = run(
      {
        apiVersion: 'apps/v1',
        kind: 'Deployment',
        metadata: { name: 'web' },
        spec: { template: { spec: { containers: [{ image: 'nginx' }] } } },
      },
      { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments', namespaced: true },
    );
    assert.ok(out.ok);
    const v = out.validating(out.mutating);
    assert.deepEqual(v, {
      ok: false,
      code: 422,
      message:
        'Deployment.apps "web" is invalid: [spec.selector: Required value, spec.template.spec.containers[0].name: Required value]',
      path: ['spec', 'selector'],
    });
  });

  it('under --apply-mode server, no last-applied annotation and an Apply entry of manager kubectl', () => {
    const out = run(pod, POD, { applyMode: 'server' });
    assert.ok(out.ok);
    const meta = out.mutating.metadata as JsonObject;
    assert.equal(meta.annotations, undefined);
    const mf = (meta.managedFields as JsonObject[])[0];
    assert.equal(mf.manager, 'kubectl');
    assert.equal(mf.operation, 'Apply');
    assert.equal('f:dnsPolicy' in ((mf.fieldsV1 as JsonObject)['f:spec'] as JsonObject), false);
  });
});
