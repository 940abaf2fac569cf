import assert from 'node:assert/strict';
import type { JsonObject } from '../../../../lib/apiserver/context';
import { runBuiltinMutatingPlugins } from '../../../../lib/apiserver/plugins/index';
import { apiAccessVolume } from '../../../../lib/apiserver/plugins/service-account';
import { contextFor, podWith, runCases, type RuleCase } from '../defaults/harness';

const SA = 'plugin/pkg/admission/serviceaccount/admission.go';
const PR = 'plugin/pkg/admission/priority/admission.go';
const DT = 'plugin/pkg/admission/defaulttolerationseconds/admission.go';
const SP = 'plugin/pkg/admission/storage/storageobjectinuseprotection/admission.go';
const mount = (name: string) => ({ name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' });
const TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

const cases: RuleCase[] = [
  {
    name: 'ServiceAccount: automount off keeps the pod free of token volumes', upstream: `${SA} Admit`, gvk: 'v1/Pod',
    input: podWith({ automountServiceAccountToken: false }),
    expect: { spec: { serviceAccountName: 'default', serviceAccount: 'default', automountServiceAccountToken: false } },
    absent: ['spec.volumes', 'spec.containers.0.volumeMounts'],
  },
  {
    name: 'ServiceAccount: a named account is kept', upstream: `${SA} Admit`, gvk: 'v1/Pod',
    input: podWith({ serviceAccountName: 'builder', serviceAccount: 'builder', automountServiceAccountToken: false }),
    expect: { spec: { serviceAccountName: 'builder', serviceAccount: 'builder' } },
  },
  {
    name: 'ServiceAccount: an existing kube-api-access- volume is reused; a container mounting the path is left alone', upstream: `${SA} mountServiceAccountToken`, gvk: 'v1/Pod',
    input: podWith({
      volumes: [{ name: 'kube-api-access-abcde', emptyDir: {} }],
      initContainers: [{ name: 'i', image: 'x:1' }],
      containers: [{ name: 'c', image: 'x:1', volumeMounts: [{ name: 'own', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }] }, { name: 'd', image: 'x:1' }],
    }),
    expect: { spec: {
      volumes: [{ name: 'kube-api-access-abcde', emptyDir: {} }],
      initContainers: [{ volumeMounts: [mount('kube-api-access-abcde')] }],
      containers: [{ volumeMounts: [{ name: 'own', mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }] }, { volumeMounts: [mount('kube-api-access-abcde')] }],
    } },
  },
  {
    name: 'ServiceAccount: ephemeral containers get no mount', upstream: `${SA} mountServiceAccountToken`, gvk: 'v1/Pod',
    input: podWith({ ephemeralContainers: [{ name: 'e', image: 'x:1' }] }), absent: ['spec.ephemeralContainers.0.volumeMounts'],
  },
  {
    name: 'ServiceAccount: mirror pods are skipped', upstream: `${SA} Admit`, gvk: 'v1/Pod',
    input: podWith({}, { name: 'p', annotations: { 'kubernetes.io/config.mirror': 'x' } }), absent: ['spec.serviceAccountName', 'spec.volumes'],
  },
  {
    name: 'Priority: no class → priority 0, PreemptLowerPriority', upstream: `${PR} admitPod`, gvk: 'v1/Pod',
    input: podWith({}), expect: { spec: { priority: 0, preemptionPolicy: 'PreemptLowerPriority' } },
  },
  {
    name: 'Priority: system-node-critical resolves to its value', upstream: `${PR} admitPod (SystemPriorityClasses)`, gvk: 'v1/Pod',
    input: podWith({ priorityClassName: 'system-node-critical' }), expect: { spec: { priority: 2000001000, preemptionPolicy: 'PreemptLowerPriority' } },
  },
  {
    name: 'Priority: other classes are cluster state, left alone', upstream: `${PR} admitPod`, gvk: 'v1/Pod',
    input: podWith({ priorityClassName: 'high' }), absent: ['spec.priority', 'spec.preemptionPolicy'],
  },
  {
    name: 'DefaultTolerationSeconds: both tolerations appended', upstream: `${DT} Admit`, gvk: 'v1/Pod',
    input: podWith({ tolerations: [{ key: 'gpu', operator: 'Exists' }] }),
    expect: { spec: { tolerations: [{ key: 'gpu', operator: 'Exists' }, ...TOLERATIONS] } },
  },
  {
    name: 'DefaultTolerationSeconds: an existing NoExecute toleration for the key is enough', upstream: `${DT} Admit`, gvk: 'v1/Pod',
    input: podWith({ tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }] }),
    expect: { spec: { tolerations: [{ key: 'node.kubernetes.io/not-ready', tolerationSeconds: 60 }, TOLERATIONS[1]] } },
  },
  {
    name: 'DefaultTolerationSeconds: a toleration with empty key and effect covers both', upstream: `${DT} Admit`, gvk: 'v1/Pod',
    input: podWith({ tolerations: [{ operator: 'Exists' }] }), expect: { spec: { tolerations: [{ operator: 'Exists' }] } },
  },
  {
    name: 'StorageObjectInUseProtection: PVC finalizer', upstream: `${SP} Admit`, gvk: 'v1/PersistentVolumeClaim',
    input: { metadata: { name: 'c', finalizers: ['x'] } }, expect: { metadata: { finalizers: ['x', 'kubernetes.io/pvc-protection'] } },
  },
  { name: 'StorageObjectInUseProtection: PV finalizer', upstream: `${SP} Admit`, gvk: 'v1/PersistentVolume', input: { metadata: { name: 'v' } }, expect: { metadata: { finalizers: ['kubernetes.io/pv-protection'] } } },
  {
    name: 'StorageObjectInUseProtection: VolumeAttributesClass finalizer, not duplicated', upstream: `${SP} Admit`, gvk: 'storage.k8s.io/v1/VolumeAttributesClass',
    input: { metadata: { name: 'g', finalizers: ['kubernetes.io/vac-protection'] } }, expect: { metadata: { finalizers: ['kubernetes.io/vac-protection'] } },
  },
  { name: 'no plugin touches a ConfigMap', upstream: 'pkg/kubeapiserver/options/plugins.go', gvk: 'v1/ConfigMap', input: { metadata: { name: 'c' } }, exact: { metadata: { name: 'c' } } },
];

describe('apiserver plugins: built-in mutating admission (spec §6.1)', () => {
  runCases(cases, (obj, ctx) => runBuiltinMutatingPlugins(obj, ctx));

  it(`ServiceAccount: kube-api-access-<5 chars> projected volume and mounts [${SA} createVolume]`, () => {
    const pod = podWith({ initContainers: [{ name: 'i', image: 'x:1' }] });
    runBuiltinMutatingPlugins(pod, contextFor('v1/Pod'));
    const spec = pod.spec as JsonObject;
    const volumes = spec.volumes as JsonObject[];
    assert.equal(volumes.length, 1);
    const name = String(volumes[0].name);
    assert.match(name, /^kube-api-access-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    assert.deepEqual(volumes[0], apiAccessVolume(name));
    assert.deepEqual((volumes[0].projected as JsonObject).sources, [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ]);
    for (const c of [...(spec.initContainers as JsonObject[]), ...(spec.containers as JsonObject[])]) assert.deepEqual(c.volumeMounts, [mount(name)]);
  });

  it('the suffix is deterministic per object and differs between objects', () => {
    const name = (seed: string): string => {
      const pod = podWith({});
      runBuiltinMutatingPlugins(pod, contextFor('v1/Pod', '1.35', {}, seed));
      return String(((pod.spec as JsonObject).volumes as JsonObject[])[0].name);
    };
    assert.equal(name('a'), name('a'));
    assert.notEqual(name('a'), name('b'));
  });

  it('plugins run only on CREATE, DefaultTolerationSeconds also on UPDATE', () => {
    const pod = podWith({});
    runBuiltinMutatingPlugins(pod, { ...contextFor('v1/Pod'), operation: 'UPDATE' });
    const spec = pod.spec as JsonObject;
    assert.equal(spec.serviceAccountName, undefined);
    assert.equal(spec.priority, undefined);
    assert.deepEqual(spec.tolerations, TOLERATIONS);
  });
});
