import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import * as jsyaml from 'js-yaml';
import { BUILTIN_RESOURCES } from '../../../lib/kube/resource-table';
import { servedBuiltinResources, servedGroupVersions } from '../../../lib/kube/served-versions';
import { EquivalentIndex, selectWebhook, type SelectionDecision } from '../../../lib/admission/match';
import { buildOperationRequest } from '../../../lib/admission/operation';
import { DEFAULT_USER } from '../../../lib/admission/request';
import { ResourceResolver } from '../../../lib/kube/resource-resolver';
import type { Operation } from '../../../lib/kube/admission-review';
import { silentLogger } from '../../../lib/base/log';
import type { KubeObject } from '../../../lib/manifests';
import { readPolicyConfig } from '../../../lib/policy/config';
import type { PolicyEntry } from '../../../lib/policy/spec';
import { NamespaceIndex } from '../../../lib/evaluation/units';
import { tempDir } from '../../support/constant-policy';
import { runCli } from '../../support/cli';

/*
 * Which requests reach a policy, written case by case from the documentation of the rule each case checks:
 *
 *  [rules]        Kubernetes, "Dynamic Admission Control", section "Matching requests: rules"
 *                 (kubernetes/website content/en/docs/reference/access-authn-authz/extensible-admission-controllers.md)
 *  [objectSel]    same page, "Matching requests: objectSelector"
 *  [nsSel]        same page, "Matching requests: namespaceSelector"
 *  [matchPolicy]  same page, "Matching requests: matchPolicy"
 *  [matchCond]    same page, "Matching requests: matchConditions", and the admissionregistration/v1
 *                 MatchCondition reference (the Kubewarden CRD repeats it for spec.matchConditions)
 *  [labels]       Kubernetes, "Labels and Selectors", set-based requirements
 *  [nsLabel]      Kubernetes, "Namespaces", automatic labelling (kubernetes.io/metadata.name)
 *  [exempt]       Kubernetes admission webhooks are never called for the admission configuration kinds
 *                 (webhook configurations and admission policies), so that they cannot lock themselves in
 *  [kwNs]         Kubewarden, "Policies evaluating resources in the Admission Controller namespace", and the
 *                 ClusterAdmissionPolicy reference for allowInsideAdmissionControllerNamespace
 *  [kwAP]         Kubewarden, AdmissionPolicy: applies to its own namespace and to namespaced resources only
 */

const resolver = new ResourceResolver();
const CRD: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { kind: 'Widget', plural: 'widgets' },
    versions: [
      { name: 'v1', served: true },
      { name: 'v2', served: true },
    ],
  },
};
const HOOKED_CRD: KubeObject = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'gadgets.example.com' },
  spec: {
    group: 'example.com',
    scope: 'Namespaced',
    names: { kind: 'Gadget', plural: 'gadgets' },
    conversion: { strategy: 'Webhook' },
    versions: [{ name: 'v1' }, { name: 'v2' }],
  },
};
resolver.addCrds([CRD, HOOKED_CRD]);
// What the API server's equivalent-resource registry holds: the group-versions the (default) release serves.
const equivalents = new EquivalentIndex(servedBuiltinResources(), [CRD, HOOKED_CRD]);

const NAMESPACES: KubeObject[] = [
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { env: 'prod', team: 'a' } } },
  { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'dev', labels: { env: 'dev' } } },
];

const dir = tempDir('wasmpolicy-selection-');
let fileNo = 0;

/** A policy resource (or several) as a file, read by the real configuration loader. */
async function load(docs: object | object[], opts: { kubewardenNamespace?: string } = {}): Promise<PolicyEntry[]> {
  const file = path.join(dir, `p${fileNo++}.yaml`);
  writeFileSync(file, (Array.isArray(docs) ? docs : [docs]).map((d) => jsyaml.dump(d)).join('---\n'));
  return readPolicyConfig([file], { log: silentLogger, ...opts });
}

function cap(spec: Record<string, unknown>, extra: Record<string, unknown> = {}): object {
  return {
    apiVersion: 'policies.kubewarden.io/v1',
    kind: 'ClusterAdmissionPolicy',
    metadata: { name: 'p' },
    spec: { module: 'builtin://image-tag', rules: [rule()], ...spec },
    ...extra,
  };
}

function rule(over: Record<string, unknown> = {}): Record<string, unknown> {
  return { apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'], ...over };
}

const pod = (ns = 'prod', labels: Record<string, string> = {}): KubeObject => ({
  apiVersion: 'v1',
  kind: 'Pod',
  metadata: { name: 'p', namespace: ns, labels },
  spec: {},
});

interface Case {
  doc: string;
  name: string;
  spec?: Record<string, unknown>;
  policy?: object;
  object: KubeObject;
  operation?: Operation;
  old?: KubeObject;
  expect: SelectionDecision['action'];
  /** Checks on the decision. */
  check?: (d: SelectionDecision) => void;
}

async function decide(c: Case): Promise<SelectionDecision> {
  const [entry] = await load(c.policy ?? cap(c.spec ?? {}));
  assert.ok(entry.webhook, 'a policy resource has a webhook');
  const res = resolver.resolve(c.object.apiVersion, c.object.kind);
  const synth = buildOperationRequest(
    c.object,
    res,
    { operation: c.operation ?? 'CREATE', userInfo: DEFAULT_USER },
    c.old,
  );
  const namespaces = new NamespaceIndex(NAMESPACES);
  return selectWebhook(entry.webhook, {
    request: synth.request,
    namespaced: res.namespaced,
    namespaceLabels: (n) => namespaces.get(n),
    equivalents: () => equivalents.equivalents(res.group, res.resource),
  });
}

function table(title: string, cases: Case[]): void {
  describe(title, () => {
    for (const c of cases) {
      it(`${c.doc} ${c.name}: ${c.expect}`, async () => {
        const d = await decide(c);
        assert.equal(d.action, c.expect, JSON.stringify(d));
        c.check?.(d);
      });
    }
  });
}

describe('selection: which requests reach a policy', () => {
  table('rules', [
    { doc: '[rules]', name: 'an operation listed in the rule matches', object: pod(), expect: 'call' },
    { doc: '[rules]', name: 'an operation not listed does not', object: pod(), operation: 'DELETE', expect: 'skip' },
    {
      doc: '[rules]',
      name: '"*" matches every operation',
      spec: { rules: [rule({ operations: ['*'] })] },
      object: pod(),
      operation: 'DELETE',
      expect: 'call',
    },
    {
      doc: '[rules]',
      name: '"" is the core group: apps objects do not match it',
      object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'prod' } },
      spec: { rules: [rule({ resources: ['*'] })] },
      expect: 'skip',
    },
    {
      doc: '[rules]',
      name: '"*" matches all API groups',
      spec: { rules: [rule({ apiGroups: ['*'], apiVersions: ['*'], resources: ['deployments'] })] },
      object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'prod' } },
      expect: 'call',
    },
    {
      doc: '[rules]',
      name: 'an apiVersion not listed does not match (matchPolicy Exact)',
      spec: {
        matchPolicy: 'Exact',
        rules: [rule({ apiGroups: ['apps'], apiVersions: ['v1beta2'], resources: ['deployments'] })],
      },
      object: { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'd', namespace: 'prod' } },
      expect: 'skip',
    },
    {
      doc: '[rules]',
      name: '"*" matches all resources',
      spec: { rules: [rule({ resources: ['*'] })] },
      object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'prod' } },
      expect: 'call',
    },
    {
      doc: '[rules]',
      name: '"*/*" matches all resources (and subresources)',
      spec: { rules: [rule({ resources: ['*/*'] })] },
      object: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'prod' } },
      expect: 'call',
    },
    // The page says "pods/*" matches the subresources of pods; the API server's matcher (rules.Matcher) also lets
    // a "*" subresource match the empty one, so pods themselves match too.
    {
      doc: '[rules]',
      name: '"pods/*" matches pods and their subresources',
      spec: { rules: [rule({ resources: ['pods/*'] })] },
      object: pod(),
      expect: 'call',
    },
    {
      doc: '[rules]',
      name: '"services/*" does not match pods',
      spec: { rules: [rule({ resources: ['services/*'] })] },
      object: pod(),
      expect: 'skip',
    },
    {
      doc: '[rules]',
      name: '"*/status" matches no top-level resource',
      spec: { rules: [rule({ resources: ['*/status'] })] },
      object: pod(),
      expect: 'skip',
    },
    {
      doc: '[rules]',
      name: 'a different resource does not match',
      object: { apiVersion: 'v1', kind: 'Service', metadata: { name: 's', namespace: 'prod' } },
      expect: 'skip',
    },
    {
      doc: '[rules]',
      name: 'scope Namespaced matches namespaced resources',
      spec: { rules: [rule({ resources: ['*'], scope: 'Namespaced' })] },
      object: pod(),
      expect: 'call',
    },
    {
      doc: '[rules]',
      name: 'scope Namespaced does not match a cluster-scoped resource',
      spec: {
        rules: [
          { apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], operations: ['CREATE'], scope: 'Namespaced' },
        ],
      },
      object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' } },
      expect: 'skip',
    },
    {
      doc: '[rules]',
      name: 'scope Cluster matches Namespace objects (they are cluster-scoped)',
      spec: { rules: [rule({ resources: ['namespaces'], scope: 'Cluster' })] },
      object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x' } },
      expect: 'call',
    },
    {
      doc: '[rules]',
      name: 'scope Cluster does not match namespaced resources',
      spec: { rules: [rule({ resources: ['*'], scope: 'Cluster' })] },
      object: pod(),
      expect: 'skip',
    },
    {
      doc: '[rules]',
      name: 'a request matching any one of several rules is sent',
      spec: { rules: [rule({ resources: ['services'] }), rule({ resources: ['pods'] })] },
      object: pod(),
      expect: 'call',
    },
    {
      doc: '[exempt]',
      name: 'ValidatingWebhookConfiguration objects never reach a webhook',
      spec: { rules: [{ apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], operations: ['*'] }] },
      object: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingWebhookConfiguration',
        metadata: { name: 'w' },
      },
      expect: 'skip',
    },
    {
      doc: '[exempt]',
      name: 'nor ValidatingAdmissionPolicyBinding objects',
      spec: { rules: [{ apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], operations: ['*'] }] },
      object: {
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'ValidatingAdmissionPolicyBinding',
        metadata: { name: 'w' },
      },
      expect: 'skip',
    },
  ]);

  const widget = (v: string): KubeObject => ({
    apiVersion: `example.com/${v}`,
    kind: 'Widget',
    metadata: { name: 'w', namespace: 'prod' },
    spec: { size: 1 },
  });
  table('matchPolicy', [
    {
      doc: '[matchPolicy]',
      name: 'Exact: a request through another version is not sent',
      spec: {
        matchPolicy: 'Exact',
        rules: [rule({ apiGroups: ['example.com'], apiVersions: ['v1'], resources: ['widgets'] })],
      },
      object: widget('v2'),
      expect: 'skip',
    },
    {
      doc: '[matchPolicy]',
      name: 'Equivalent (the default): it is sent, converted to the version of the rule',
      spec: { rules: [rule({ apiGroups: ['example.com'], apiVersions: ['v1'], resources: ['widgets'] })] },
      object: widget('v2'),
      expect: 'call',
      check: (d) => {
        assert.ok(d.action === 'call');
        assert.deepEqual(d.request.kind, { group: 'example.com', version: 'v1', kind: 'Widget' });
        assert.deepEqual(d.request.resource, { group: 'example.com', version: 'v1', resource: 'widgets' });
        assert.deepEqual(
          d.request.requestKind,
          { group: 'example.com', version: 'v2', kind: 'Widget' },
          'requestKind keeps the original version',
        );
        assert.equal((d.request.object as KubeObject).apiVersion, 'example.com/v1');
      },
    },
    {
      doc: '[matchPolicy]',
      name: 'Equivalent: the version of the request is used when a rule matches it directly',
      spec: { rules: [rule({ apiGroups: ['example.com'], apiVersions: ['*'], resources: ['widgets'] })] },
      object: widget('v2'),
      expect: 'call',
      check: (d) => assert.ok(d.action === 'call' && !d.converted),
    },
    {
      doc: '[matchPolicy]',
      name: 'Equivalent: a conversion through a CRD webhook cannot be done on the client',
      spec: { rules: [rule({ apiGroups: ['example.com'], apiVersions: ['v1'], resources: ['gadgets'] })] },
      object: { apiVersion: 'example.com/v2', kind: 'Gadget', metadata: { name: 'g', namespace: 'prod' } },
      expect: 'error',
    },
    {
      doc: '[matchPolicy]',
      name: 'Equivalent: built-in versions (autoscaling/v2 → v1) need the API server to convert',
      spec: {
        rules: [rule({ apiGroups: ['autoscaling'], apiVersions: ['v1'], resources: ['horizontalpodautoscalers'] })],
      },
      object: {
        apiVersion: 'autoscaling/v2',
        kind: 'HorizontalPodAutoscaler',
        metadata: { name: 'h', namespace: 'prod' },
      },
      expect: 'error',
    },
    {
      doc: '[matchPolicy]',
      name: 'Equivalent: another group serving the same resource (extensions → apps deployments)',
      spec: { rules: [rule({ apiGroups: ['apps'], apiVersions: ['v1'], resources: ['deployments'] })] },
      object: { apiVersion: 'extensions/v1beta1', kind: 'Deployment', metadata: { name: 'd', namespace: 'prod' } },
      expect: 'error',
      check: (d) => assert.match((d as { message: string }).message, /apps\/v1/),
    },
    // k8s.io/apiserver admission/plugin/webhook/generic/webhook.go: equivalents come from the registry of served resources.
    {
      doc: '[matchPolicy]',
      name: 'Equivalent only converts to served group-versions: a batch/v1beta1 cronjobs rule does not match a batch/v1 CronJob (gone since 1.25)',
      spec: { rules: [rule({ apiGroups: ['batch'], apiVersions: ['v1beta1'], resources: ['cronjobs'] })] },
      object: { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'c', namespace: 'prod' } },
      expect: 'skip',
    },
    {
      doc: '[matchPolicy]',
      name: 'Equivalent never matches an unrelated resource',
      spec: { rules: [rule({ apiGroups: ['example.com'], apiVersions: ['v1'], resources: ['widgets'] })] },
      object: pod(),
      expect: 'skip',
    },
  ]);

  const anyPods = {
    rules: [
      rule({ resources: ['pods', 'namespaces', 'configmaps'], operations: ['*'] }),
      {
        apiGroups: ['rbac.authorization.k8s.io'],
        apiVersions: ['v1'],
        resources: ['clusterroles'],
        operations: ['CREATE'],
      },
    ],
  };
  table('namespaceSelector', [
    {
      doc: '[nsSel]',
      name: 'an object in a namespace whose labels match',
      spec: {
        ...anyPods,
        allowInsideAdmissionControllerNamespace: true,
        namespaceSelector: { matchLabels: { env: 'prod' } },
      },
      object: pod('prod'),
      expect: 'call',
    },
    {
      doc: '[nsSel]',
      name: 'an object in a namespace whose labels do not match',
      spec: {
        ...anyPods,
        allowInsideAdmissionControllerNamespace: true,
        namespaceSelector: { matchLabels: { env: 'prod' } },
      },
      object: pod('dev'),
      expect: 'skip',
    },
    {
      doc: '[nsSel] [labels]',
      name: 'matchExpressions In',
      spec: {
        ...anyPods,
        namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod', 'staging'] }] },
      },
      object: pod('prod'),
      expect: 'call',
    },
    {
      doc: '[nsSel] [labels]',
      name: 'NotIn matches a namespace without the label at all',
      spec: {
        ...anyPods,
        namespaceSelector: { matchExpressions: [{ key: 'runlevel', operator: 'NotIn', values: ['0', '1'] }] },
      },
      object: pod('dev'),
      expect: 'call',
    },
    {
      doc: '[nsSel] [labels]',
      name: 'NotIn excludes a namespace with a listed value',
      spec: {
        ...anyPods,
        namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'NotIn', values: ['dev'] }] },
      },
      object: pod('dev'),
      expect: 'skip',
    },
    {
      doc: '[nsSel] [labels]',
      name: 'Exists',
      spec: { ...anyPods, namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'Exists' }] } },
      object: pod('dev'),
      expect: 'skip',
    },
    {
      doc: '[nsSel] [labels]',
      name: 'DoesNotExist',
      spec: { ...anyPods, namespaceSelector: { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] } },
      object: pod('dev'),
      expect: 'call',
    },
    {
      doc: '[nsSel] [labels]',
      name: 'requirements are ANDed',
      spec: {
        ...anyPods,
        namespaceSelector: {
          matchExpressions: [
            { key: 'env', operator: 'In', values: ['prod'] },
            { key: 'team', operator: 'In', values: ['b'] },
          ],
        },
      },
      object: pod('prod'),
      expect: 'skip',
    },
    {
      doc: '[nsSel] [nsLabel]',
      name: 'a namespace absent from the input has only kubernetes.io/metadata.name',
      spec: {
        ...anyPods,
        namespaceSelector: {
          matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'In', values: ['elsewhere'] }],
        },
      },
      object: pod('elsewhere'),
      expect: 'call',
    },
    {
      doc: '[nsSel] [nsLabel]',
      name: 'and no other label',
      spec: { ...anyPods, namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'Exists' }] } },
      object: pod('elsewhere'),
      expect: 'skip',
    },
    {
      doc: '[nsSel]',
      name: 'a Namespace object is matched on its own labels',
      spec: { ...anyPods, namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['qa'] }] } },
      object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { env: 'qa' } } },
      expect: 'call',
    },
    {
      doc: '[nsSel]',
      name: "(not on the input's other version of it)",
      spec: { ...anyPods, namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['prod'] }] } },
      object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'prod', labels: { env: 'qa' } } },
      expect: 'skip',
    },
    {
      doc: '[nsSel]',
      name: 'a DELETE of a Namespace uses the stored labels',
      spec: { ...anyPods, namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['qa'] }] } },
      object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'x', labels: { env: 'qa' } } },
      operation: 'DELETE',
      expect: 'call',
    },
    {
      doc: '[nsSel]',
      name: 'other cluster-scoped objects are never excluded',
      spec: {
        ...anyPods,
        namespaceSelector: { matchExpressions: [{ key: 'env', operator: 'In', values: ['nowhere'] }] },
      },
      object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' } },
      expect: 'call',
    },
  ]);

  table('objectSelector', [
    {
      doc: '[objectSel]',
      name: "the object's labels match",
      spec: { objectSelector: { matchLabels: { foo: 'bar' } } },
      object: pod('prod', { foo: 'bar' }),
      expect: 'call',
    },
    {
      doc: '[objectSel]',
      name: "the object's labels do not match",
      spec: { objectSelector: { matchLabels: { foo: 'bar' } } },
      object: pod('prod', { foo: 'baz' }),
      expect: 'skip',
    },
    {
      doc: '[objectSel]',
      name: 'an object without labels does not match a non-empty selector',
      spec: { objectSelector: { matchExpressions: [{ key: 'foo', operator: 'Exists' }] } },
      object: pod(),
      expect: 'skip',
    },
    {
      doc: '[objectSel]',
      name: 'an empty selector matches everything',
      spec: { objectSelector: {} },
      object: pod(),
      expect: 'call',
    },
    {
      doc: '[objectSel]',
      name: 'UPDATE: matching oldObject is enough',
      spec: {
        rules: [rule({ resources: ['configmaps'], operations: ['UPDATE'] })],
        objectSelector: { matchLabels: { locked: 'true' } },
      },
      object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'prod' } },
      operation: 'UPDATE',
      old: {
        apiVersion: 'v1',
        kind: 'ConfigMap',
        metadata: { name: 'c', namespace: 'prod', labels: { locked: 'true' } },
      },
      expect: 'call',
    },
    {
      doc: '[objectSel]',
      name: 'UPDATE: neither object nor oldObject matches',
      spec: {
        rules: [rule({ resources: ['configmaps'], operations: ['UPDATE'] })],
        objectSelector: { matchLabels: { locked: 'true' } },
      },
      object: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'prod' } },
      operation: 'UPDATE',
      old: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', namespace: 'prod' } },
      expect: 'skip',
    },
    {
      doc: '[objectSel]',
      name: 'DELETE: the (null) object is not considered, oldObject is',
      spec: { rules: [rule({ operations: ['DELETE'] })], objectSelector: { matchLabels: { foo: 'bar' } } },
      object: pod('prod', { foo: 'bar' }),
      operation: 'DELETE',
      expect: 'call',
    },
    {
      doc: '[objectSel]',
      name: 'CREATE: the (null) oldObject does not match',
      spec: { objectSelector: { matchExpressions: [{ key: 'foo', operator: 'DoesNotExist' }] } },
      object: pod('prod', { foo: 'x' }),
      expect: 'skip',
    },
  ]);

  const cond = (expression: string, failurePolicy?: string): Record<string, unknown> => ({
    matchConditions: [{ name: 'c', expression }],
    ...(failurePolicy ? { failurePolicy } : {}),
  });
  table('matchConditions', [
    {
      doc: '[matchCond]',
      name: 'all conditions true: the policy is called',
      spec: {
        matchConditions: [
          { name: 'a', expression: 'object.metadata.name == "p"' },
          { name: 'b', expression: 'request.userInfo.username == "test-user"' },
        ],
      },
      object: pod(),
      expect: 'call',
    },
    {
      doc: '[matchCond]',
      name: 'a false condition skips the policy',
      spec: cond('!("system:masters" in request.userInfo.groups)'),
      object: pod(),
      expect: 'skip',
      check: (d) => assert.match((d as { reason: string }).reason, /matchConditions\[c\] is false/),
    },
    {
      doc: '[matchCond]',
      name: 'oldObject is null on CREATE',
      spec: cond('oldObject == null'),
      object: pod(),
      expect: 'call',
    },
    {
      doc: '[matchCond]',
      name: 'object is null on DELETE',
      spec: { ...cond('object == null && oldObject.metadata.name == "p"'), rules: [rule({ operations: ['DELETE'] })] },
      object: pod(),
      operation: 'DELETE',
      expect: 'call',
    },
    {
      doc: '[matchCond]',
      name: 'request carries the resource, operation and namespace',
      spec: cond('request.resource.resource == "pods" && request.operation == "CREATE" && request.namespace == "prod"'),
      object: pod(),
      expect: 'call',
    },
    {
      doc: '[matchCond]',
      name: 'namespaceObject is declared (null for webhooks)',
      spec: cond('namespaceObject == null'),
      object: pod(),
      expect: 'call',
    },
    {
      doc: '[matchCond]',
      name: 'an error under failurePolicy Fail rejects the request',
      spec: cond('object.metadata.labels.missing == "x"'),
      object: pod(),
      expect: 'fail',
    },
    {
      doc: '[matchCond]',
      name: 'an error under failurePolicy Ignore skips the policy',
      spec: cond('object.metadata.labels.missing == "x"', 'Ignore'),
      object: pod(),
      expect: 'ignore',
    },
    {
      doc: '[matchCond]',
      name: 'a false condition wins over an error',
      spec: {
        matchConditions: [
          { name: 'err', expression: 'object.nope.x' },
          { name: 'no', expression: 'false' },
        ],
      },
      object: pod(),
      expect: 'skip',
    },
    {
      doc: '[matchCond]',
      name: 'optional field access and has() avoid errors',
      spec: cond('!has(object.metadata.annotations) && object.?spec.?replicas.orValue(1) == 1'),
      object: pod(),
      expect: 'call',
    },
    {
      doc: '[matchCond]',
      name: 'authorizer checks compile but cannot run here: failurePolicy decides',
      spec: cond('authorizer.requestResource.check("create").allowed()', 'Ignore'),
      object: pod(),
      expect: 'ignore',
    },
    {
      doc: '[matchCond]',
      name: 'conditions run only after rules matched',
      spec: { ...cond('object.nope.x'), rules: [rule({ resources: ['services'] })] },
      object: pod(),
      expect: 'skip',
    },
  ]);

  describe('the Kubewarden controller: its namespace, and AdmissionPolicies', () => {
    table('cluster-wide policies', [
      {
        doc: '[kwNs]',
        name: 'an object in the Kubewarden namespace is not evaluated',
        spec: anyPods,
        object: pod('kubewarden'),
        expect: 'skip',
      },
      {
        doc: '[kwNs]',
        name: 'nor the Kubewarden Namespace itself',
        spec: anyPods,
        object: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'kubewarden' } },
        expect: 'skip',
      },
      {
        doc: '[kwNs]',
        name: 'unless allowInsideAdmissionControllerNamespace',
        spec: { ...anyPods, allowInsideAdmissionControllerNamespace: true },
        object: pod('kubewarden'),
        expect: 'call',
      },
      { doc: '[kwNs]', name: 'other namespaces are evaluated', spec: anyPods, object: pod('dev'), expect: 'call' },
      {
        doc: '[kwNs]',
        name: 'groups are excluded the same way',
        policy: {
          apiVersion: 'policies.kubewarden.io/v1',
          kind: 'ClusterAdmissionPolicyGroup',
          metadata: { name: 'g' },
          spec: { ...anyPods, policies: { a: { module: 'builtin://image-tag' } }, expression: 'a()', message: 'no' },
        },
        object: pod('kubewarden'),
        expect: 'skip',
      },
    ]);
    const ap = (spec: Record<string, unknown>, ns = 'prod'): object => ({
      apiVersion: 'policies.kubewarden.io/v1',
      kind: 'AdmissionPolicy',
      metadata: { name: 'a', namespace: ns },
      spec: { module: 'builtin://image-tag', ...spec },
    });
    table('AdmissionPolicy', [
      {
        doc: '[kwAP]',
        name: 'an object in the policy namespace is evaluated',
        policy: ap({ rules: [rule()] }),
        object: pod('prod'),
        expect: 'call',
      },
      {
        doc: '[kwAP]',
        name: 'an object in another namespace is not',
        policy: ap({ rules: [rule()] }),
        object: pod('dev'),
        expect: 'skip',
      },
      {
        doc: '[kwAP]',
        name: 'cluster-scoped objects are not (its rules are namespaced)',
        policy: ap({ rules: [rule({ apiGroups: ['rbac.authorization.k8s.io'], resources: ['clusterroles'] })] }),
        object: { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' } },
        expect: 'skip',
      },
      {
        doc: '[kwAP] [kwNs]',
        name: 'a namespaced policy inside the Kubewarden namespace applies there',
        policy: ap({ rules: [rule()] }, 'kubewarden'),
        object: pod('kubewarden'),
        expect: 'call',
      },
      {
        doc: '[kwAP]',
        name: 'AdmissionPolicyGroup is pinned too',
        policy: {
          apiVersion: 'policies.kubewarden.io/v1',
          kind: 'AdmissionPolicyGroup',
          metadata: { name: 'g', namespace: 'prod' },
          spec: {
            rules: [rule()],
            policies: { a: { module: 'builtin://image-tag' } },
            expression: 'a()',
            message: 'no',
          },
        },
        object: pod('dev'),
        expect: 'skip',
      },
    ]);

    it('[kwNs] the controller keeps only matchExpressions of a cluster-wide namespaceSelector, and says so', async () => {
      const warnings: string[] = [];
      const file = path.join(dir, 'labels.yaml');
      writeFileSync(file, jsyaml.dump(cap({ namespaceSelector: { matchLabels: { env: 'prod' } } })));
      const [entry] = await readPolicyConfig([file], {
        log: { ...silentLogger, warn: (m: string) => warnings.push(m) },
      });
      assert.deepEqual(entry.webhook?.namespaceSelector, {
        matchExpressions: [{ key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: ['kubewarden'] }],
      });
      assert.ok(
        warnings.some((w) =>
          /labels\.yaml:\d+: ClusterAdmissionPolicy p: spec\.namespaceSelector\.matchLabels: the Kubewarden controller drops/.test(
            w,
          ),
        ),
        warnings.join('\n'),
      );
    });

    it('[kwNs] --kubewarden-namespace names the namespace to exclude', async () => {
      const [entry] = await load(cap(anyPods), { kubewardenNamespace: 'cattle-kubewarden-system' });
      assert.deepEqual(entry.webhook?.namespaceSelector?.matchExpressions?.[0], {
        key: 'kubernetes.io/metadata.name',
        operator: 'NotIn',
        values: ['cattle-kubewarden-system'],
      });
    });
  });

  describe('served group-versions (lib/admission/served-versions.ts)', () => {
    it('each release serves its GA group-versions only: no batch/v1beta1, resource.k8s.io/v1 from 1.34', () => {
      for (const v of ['1.33', '1.34', '1.35'] as const) {
        const gv = servedGroupVersions(v);
        assert.ok(gv.has('batch/v1') && gv.has('autoscaling/v2') && gv.has('autoscaling/v1') && gv.has('v1'));
        assert.ok(
          !gv.has('batch/v1beta1') && !gv.has('extensions/v1beta1') && !gv.has('flowcontrol.apiserver.k8s.io/v1beta3'),
        );
      }
      assert.ok(!servedGroupVersions('1.33').has('resource.k8s.io/v1'));
      assert.ok(servedGroupVersions('1.34').has('resource.k8s.io/v1'));
      assert.ok(!servedBuiltinResources('1.33').some((r) => r.kind === 'VolumeAttributesClass'));
      assert.ok(servedBuiltinResources('1.34').some((r) => r.kind === 'VolumeAttributesClass' && r.version === 'v1'));
      assert.ok(!servedBuiltinResources('1.35').some((r) => r.kind === 'MutatingAdmissionPolicy'));
      assert.ok(BUILTIN_RESOURCES.length > servedBuiltinResources('1.35').length);
    });

    it('check: a batch/v1beta1 cronjobs rule skips a batch/v1 CronJob instead of failing the run (exit 0, not 2)', async () => {
      const policy = path.join(dir, 'cron-policy.yaml');
      writeFileSync(
        policy,
        jsyaml.dump(
          cap({ rules: [rule({ apiGroups: ['batch'], apiVersions: ['v1beta1'], resources: ['cronjobs'] })] }),
        ),
      );
      const cron = path.join(dir, 'cron.yaml');
      writeFileSync(
        cron,
        jsyaml.dump({
          apiVersion: 'batch/v1',
          kind: 'CronJob',
          metadata: { name: 'c', namespace: 'prod' },
          spec: {
            schedule: '* * * * *',
            jobTemplate: {
              spec: {
                template: { spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:latest' }] } },
              },
            },
          },
        }),
      );
      const r = await runCli(['check', '--policies', policy, '-f', cron, '-o', 'json']);
      assert.equal(r.code, 0, r.stderr + r.stdout);
      const doc = JSON.parse(r.stdout) as { results: { verdict: string; message?: string }[] };
      assert.deepEqual(
        doc.results.map((x) => x.verdict),
        ['skip'],
      );
    });
  });
});
