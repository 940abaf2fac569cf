import { strict as assert } from 'node:assert';
import type { JsonObject } from '../../../../lib/apiserver/context';
import { prepareCustomResourceForUpdate, prepareForUpdate } from '../../../../lib/apiserver/prepare/update';
import { assertSubset, contextFor, type RuleCase } from '../defaults/harness';

// BeginUpdate, BeforeUpdate and PrepareForUpdate per kind (lib/apiserver/prepare/update.ts): one row per rule,
// each naming the upstream file and function it follows. `old` is the stored object.
const R = 'pkg/registry';
const BU = 'k8s.io/apiserver pkg/registry/rest/update.go BeforeUpdate';
const tpl = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } };
const storedMeta = {
  name: 'x',
  namespace: 'default',
  uid: 'stored-uid',
  creationTimestamp: '2026-01-01T00:00:00Z',
  generation: 4,
};
const newMeta = { name: 'x', namespace: 'default' };

type UpdateCase = RuleCase & { old: JsonObject; clusterScoped?: boolean };

const cases: UpdateCase[] = [
  {
    name: 'generation, uid and creationTimestamp come from the stored object (a kind without PrepareForUpdate)',
    upstream: BU,
    gvk: 'v1/ConfigMap',
    old: { metadata: storedMeta, data: { a: '1' } },
    input: { metadata: { ...newMeta, generation: 99 }, data: { a: '2' } },
    expect: { metadata: { generation: 4, uid: 'stored-uid', creationTimestamp: '2026-01-01T00:00:00Z' } },
  },
  {
    name: 'deletionTimestamp and deletionGracePeriodSeconds cannot be removed by an update',
    upstream: BU,
    gvk: 'v1/ConfigMap',
    old: { metadata: { ...storedMeta, deletionTimestamp: '2026-02-02T00:00:00Z', deletionGracePeriodSeconds: 30 } },
    input: { metadata: newMeta },
    expect: { metadata: { deletionTimestamp: '2026-02-02T00:00:00Z', deletionGracePeriodSeconds: 30 } },
  },
  {
    name: 'a cluster-scoped object loses its namespace',
    upstream: BU,
    gvk: 'rbac.authorization.k8s.io/v1/ClusterRole',
    clusterScoped: true,
    old: { metadata: { name: 'r' } },
    input: { metadata: { name: 'r', namespace: 'default' } },
    absent: ['metadata.namespace'],
  },
  {
    name: 'Pod: status kept, generation bumped when the spec changed',
    upstream: `${R}/core/pod/strategy.go PrepareForUpdate, updatePodGeneration`,
    gvk: 'v1/Pod',
    old: {
      metadata: storedMeta,
      spec: { containers: [{ name: 'c', image: 'nginx:1.26' }] },
      status: { phase: 'Running', qosClass: 'BestEffort' },
    },
    input: {
      metadata: newMeta,
      spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
      status: { phase: 'Pending' },
    },
    expect: { metadata: { generation: 5 }, status: { phase: 'Running', qosClass: 'BestEffort' } },
  },
  {
    name: 'Pod: same spec, same generation',
    upstream: `${R}/core/pod/strategy.go updatePodGeneration`,
    gvk: 'v1/Pod',
    old: { metadata: storedMeta, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } },
    input: {
      metadata: { ...newMeta, labels: { new: 'label' } },
      spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
    },
    expect: { metadata: { generation: 4 } },
    absent: ['status'],
  },
  {
    name: 'Pod: a disabled feature the stored Pod does not use is dropped (hostnameOverride in 1.34)',
    upstream: 'pkg/api/pod/util.go DropDisabledPodFields(new, old)',
    gvk: 'v1/Pod',
    version: '1.34',
    old: { metadata: storedMeta, spec: { containers: [] } },
    input: { metadata: newMeta, spec: { containers: [], hostnameOverride: 'h' } },
    absent: ['spec.hostnameOverride'],
  },
  {
    name: 'Pod: ... and kept when the stored Pod uses it',
    upstream: 'pkg/api/pod/util.go DropDisabledPodFields(new, old)',
    gvk: 'v1/Pod',
    version: '1.34',
    old: { metadata: storedMeta, spec: { containers: [], hostnameOverride: 'h' } },
    input: { metadata: newMeta, spec: { containers: [], hostnameOverride: 'h2' } },
    expect: { spec: { hostnameOverride: 'h2' } },
  },
  {
    name: 'Deployment: an annotation change bumps the generation (annotations are copied to ReplicaSets)',
    upstream: `${R}/apps/deployment/strategy.go PrepareForUpdate`,
    gvk: 'apps/v1/Deployment',
    old: { metadata: { ...storedMeta, annotations: { a: '1' } }, spec: { template: tpl }, status: { replicas: 3 } },
    input: { metadata: { ...newMeta, annotations: { a: '2' } }, spec: { template: tpl }, status: {} },
    expect: { metadata: { generation: 5 }, status: { replicas: 3 } },
  },
  {
    name: 'Deployment: nothing changed, generation kept',
    upstream: `${R}/apps/deployment/strategy.go PrepareForUpdate`,
    gvk: 'apps/v1/Deployment',
    old: { metadata: storedMeta, spec: { replicas: 2, template: tpl } },
    input: { metadata: newMeta, spec: { replicas: 2, template: tpl } },
    expect: { metadata: { generation: 4 } },
  },
  {
    name: 'ReplicaSet: a spec change bumps the generation, status kept',
    upstream: `${R}/apps/replicaset/strategy.go PrepareForUpdate`,
    gvk: 'apps/v1/ReplicaSet',
    old: { metadata: storedMeta, spec: { replicas: 1, template: tpl }, status: { replicas: 1 } },
    input: { metadata: newMeta, spec: { replicas: 3, template: tpl } },
    expect: { metadata: { generation: 5 }, status: { replicas: 1 } },
  },
  {
    name: 'StatefulSet: spec change bumps the generation',
    upstream: `${R}/apps/statefulset/strategy.go PrepareForUpdate`,
    gvk: 'apps/v1/StatefulSet',
    old: { metadata: storedMeta, spec: { replicas: 1, template: tpl }, status: { replicas: 1, availableReplicas: 1 } },
    input: { metadata: newMeta, spec: { replicas: 2, template: tpl } },
    expect: { metadata: { generation: 5 }, status: { replicas: 1, availableReplicas: 1 } },
  },
  {
    name: 'DaemonSet: a template change bumps the generation and the template generation',
    upstream: `${R}/apps/daemonset/strategy.go PrepareForUpdate`,
    gvk: 'apps/v1/DaemonSet',
    old: {
      metadata: { ...storedMeta, annotations: { 'deprecated.daemonset.template.generation': '3' } },
      spec: { template: tpl },
    },
    input: {
      metadata: { ...newMeta, annotations: { 'deprecated.daemonset.template.generation': '0' } },
      spec: { template: { ...tpl, metadata: { labels: { app: 'b' } } } },
    },
    expect: { metadata: { generation: 5, annotations: { 'deprecated.daemonset.template.generation': '4' } } },
  },
  {
    name: 'DaemonSet: another spec change bumps the generation only',
    upstream: `${R}/apps/daemonset/strategy.go PrepareForUpdate`,
    gvk: 'apps/v1/DaemonSet',
    old: {
      metadata: { ...storedMeta, annotations: { 'deprecated.daemonset.template.generation': '3' } },
      spec: { template: tpl, minReadySeconds: 0 },
    },
    input: { metadata: newMeta, spec: { template: tpl, minReadySeconds: 5 } },
    expect: { metadata: { generation: 5, annotations: { 'deprecated.daemonset.template.generation': '3' } } },
  },
  {
    name: 'Job: status kept, spec change bumps the generation',
    upstream: `${R}/batch/job/strategy.go PrepareForUpdate`,
    gvk: 'batch/v1/Job',
    old: { metadata: storedMeta, spec: { parallelism: 1, template: tpl }, status: { active: 1 } },
    input: { metadata: newMeta, spec: { parallelism: 2, template: tpl } },
    expect: { metadata: { generation: 5 }, status: { active: 1 } },
  },
  {
    name: 'CronJob: spec change bumps the generation',
    upstream: `${R}/batch/cronjob/strategy.go PrepareForUpdate`,
    gvk: 'batch/v1/CronJob',
    old: { metadata: storedMeta, spec: { schedule: '* * * * *', jobTemplate: { spec: { template: tpl } } } },
    input: { metadata: newMeta, spec: { schedule: '0 * * * *', jobTemplate: { spec: { template: tpl } } } },
    expect: { metadata: { generation: 5 } },
  },
  {
    name: 'PodTemplate: a template change bumps the generation',
    upstream: `${R}/core/podtemplate/strategy.go PrepareForUpdate`,
    gvk: 'v1/PodTemplate',
    old: { metadata: storedMeta, template: tpl },
    input: { metadata: newMeta, template: { ...tpl, metadata: { labels: { app: 'b' } } } },
    expect: { metadata: { generation: 5 } },
  },
  {
    name: 'Service: cluster IPs, IP families and node ports the cluster allocated are kept; status kept',
    upstream: `${R}/core/service/storage/storage.go beginUpdate, patchAllocatedValues; strategy.go PrepareForUpdate`,
    gvk: 'v1/Service',
    old: {
      metadata: storedMeta,
      spec: {
        type: 'NodePort',
        clusterIP: '10.96.3.4',
        clusterIPs: ['10.96.3.4'],
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        ports: [{ name: 'http', port: 80, nodePort: 31000 }],
      },
      status: { loadBalancer: {} },
    },
    input: { metadata: newMeta, spec: { type: 'NodePort', ports: [{ name: 'http', port: 8080 }] } },
    expect: {
      spec: {
        clusterIP: '10.96.3.4',
        clusterIPs: ['10.96.3.4'],
        ipFamilies: ['IPv4'],
        ipFamilyPolicy: 'SingleStack',
        ports: [{ name: 'http', port: 8080, nodePort: 31000 }],
      },
      status: { loadBalancer: {} },
    },
  },
  {
    name: 'Namespace: finalizers and status kept, the name label set',
    upstream: `${R}/core/namespace/strategy.go PrepareForUpdate, Canonicalize`,
    gvk: 'v1/Namespace',
    clusterScoped: true,
    old: { metadata: { name: 'team' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } },
    input: { metadata: { name: 'team' }, spec: {} },
    expect: {
      metadata: { labels: { 'kubernetes.io/metadata.name': 'team' } },
      spec: { finalizers: ['kubernetes'] },
      status: { phase: 'Active' },
    },
  },
  {
    name: 'PersistentVolumeClaim: status kept',
    upstream: `${R}/core/persistentvolumeclaim/strategy.go PrepareForUpdate`,
    gvk: 'v1/PersistentVolumeClaim',
    old: { metadata: storedMeta, spec: {}, status: { phase: 'Bound' } },
    input: { metadata: newMeta, spec: {}, status: { phase: 'Pending' } },
    expect: { status: { phase: 'Bound' } },
  },
  {
    name: 'Ingress: status kept, spec change bumps the generation',
    upstream: `${R}/networking/ingress/strategy.go PrepareForUpdate`,
    gvk: 'networking.k8s.io/v1/Ingress',
    old: {
      metadata: storedMeta,
      spec: { ingressClassName: 'a' },
      status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } },
    },
    input: { metadata: newMeta, spec: { ingressClassName: 'b' } },
    expect: { metadata: { generation: 5 }, status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }] } } },
  },
  {
    name: 'NetworkPolicy: spec change bumps the generation',
    upstream: `${R}/networking/networkpolicy/strategy.go PrepareForUpdate`,
    gvk: 'networking.k8s.io/v1/NetworkPolicy',
    old: { metadata: storedMeta, spec: { policyTypes: ['Ingress'] } },
    input: { metadata: newMeta, spec: { policyTypes: ['Egress'] } },
    expect: { metadata: { generation: 5 } },
  },
  {
    name: 'PriorityClass: no generation change (its PrepareForUpdate only drops disabled fields)',
    upstream: `${R}/scheduling/priorityclass/strategy.go PrepareForUpdate`,
    gvk: 'scheduling.k8s.io/v1/PriorityClass',
    clusterScoped: true,
    old: { metadata: { name: 'p', generation: 1 }, value: 10, description: 'a' },
    input: { metadata: { name: 'p' }, value: 10, description: 'b' },
    expect: { metadata: { generation: 1 } },
  },
  {
    name: 'EndpointSlice: a label change bumps the generation',
    upstream: `${R}/discovery/endpointslice/strategy.go PrepareForUpdate`,
    gvk: 'discovery.k8s.io/v1/EndpointSlice',
    old: { metadata: { ...storedMeta, labels: { a: '1' } }, addressType: 'IPv4', endpoints: [] },
    input: { metadata: { ...newMeta, labels: { a: '2' } }, addressType: 'IPv4', endpoints: [] },
    expect: { metadata: { generation: 5 } },
  },
  {
    name: 'MutatingWebhookConfiguration: changed webhooks bump the generation',
    upstream: `${R}/admissionregistration/mutatingwebhookconfiguration/strategy.go PrepareForUpdate`,
    gvk: 'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration',
    clusterScoped: true,
    old: { metadata: { name: 'w', generation: 2 }, webhooks: [{ name: 'a.example.com' }] },
    input: { metadata: { name: 'w' }, webhooks: [{ name: 'b.example.com' }] },
    expect: { metadata: { generation: 3 } },
  },
  {
    name: 'CertificateSigningRequest: spec and status are the stored ones',
    upstream: `${R}/certificates/certificates/strategy.go PrepareForUpdate`,
    gvk: 'certificates.k8s.io/v1/CertificateSigningRequest',
    clusterScoped: true,
    old: { metadata: { name: 'c' }, spec: { username: 'alice', signerName: 's' }, status: {} },
    input: { metadata: { name: 'c' }, spec: { username: 'mallory', signerName: 's' } },
    expect: { spec: { username: 'alice' }, status: {} },
  },
  {
    name: 'CustomResourceDefinition: status kept, the storage version added to storedVersions',
    upstream: 'apiextensions-apiserver pkg/registry/customresourcedefinition/strategy.go PrepareForUpdate',
    gvk: 'apiextensions.k8s.io/v1/CustomResourceDefinition',
    clusterScoped: true,
    old: {
      metadata: { name: 'ws.example.com', generation: 1 },
      spec: { versions: [{ name: 'v1', storage: true }] },
      status: { storedVersions: ['v1'] },
    },
    input: {
      metadata: { name: 'ws.example.com' },
      spec: {
        versions: [
          { name: 'v1', storage: false },
          { name: 'v2', storage: true },
        ],
      },
    },
    expect: { metadata: { generation: 2 }, status: { storedVersions: ['v1', 'v2'] } },
  },
];

describe('PrepareForUpdate per kind (validating policies, UPDATE with --old)', () => {
  for (const c of cases)
    it(`${c.name} [${c.upstream}]${c.version ? ` (${c.version})` : ''}`, () => {
      const obj = structuredClone(c.input);
      const ctx = { ...contextFor(c.gvk, c.version, c.gates), namespaced: !c.clusterScoped };
      prepareForUpdate(obj, structuredClone(c.old), ctx);
      if (c.expect !== undefined) assertSubset(obj, c.expect);
      for (const p of c.absent ?? []) {
        let cur: unknown = obj;
        for (const k of p.split('.')) cur = (cur as Record<string, unknown> | undefined)?.[k];
        assert.equal(cur, undefined, `${p} should be absent: ${JSON.stringify(obj)}`);
      }
    });

  it('a custom resource with a status subresource keeps the stored status; a change outside metadata bumps the generation [apiextensions-apiserver pkg/registry/customresource/strategy.go PrepareForUpdate]', () => {
    const obj: JsonObject = {
      apiVersion: 'example.com/v1',
      kind: 'W',
      metadata: { name: 'w' },
      spec: { size: 2 },
      status: { ok: false },
    };
    const old: JsonObject = {
      apiVersion: 'example.com/v1',
      kind: 'W',
      metadata: { name: 'w', generation: 3 },
      spec: { size: 1 },
      status: { ok: true },
    };
    prepareCustomResourceForUpdate(obj, old, contextFor('example.com/v1/W'), true);
    assert.deepEqual([obj.status, (obj.metadata as JsonObject).generation], [{ ok: true }, 4]);
    const same: JsonObject = { apiVersion: 'example.com/v1', kind: 'W', metadata: { name: 'w' }, spec: { size: 1 } };
    prepareCustomResourceForUpdate(same, old, contextFor('example.com/v1/W'), true);
    assert.deepEqual([same.status, (same.metadata as JsonObject).generation], [{ ok: true }, 3]);
  });
});
