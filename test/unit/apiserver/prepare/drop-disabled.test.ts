import { prepareForCreate } from '../../../../lib/apiserver/prepare/index';
import { podWith, runCases, type RuleCase } from '../defaults/harness';

const U = 'pkg/api/pod/util.go DropDisabledPodFields';
const T = 'pkg/api/pod/util.go DropDisabledTemplateFields';
const c = (extra: Record<string, unknown>) => ({ name: 'c', image: 'x:1', ...extra });

const cases: RuleCase[] = [
  {
    name: 'lifecycle.stopSignal dropped (ContainerStopSignals off)',
    upstream: `${U} (ContainerStopSignals)`,
    gvk: 'v1/Pod',
    input: podWith({ containers: [c({ lifecycle: { stopSignal: 'SIGUSR1', preStop: { sleep: { seconds: 1 } } } })] }),
    expect: { spec: { containers: [{ lifecycle: { preStop: { sleep: { seconds: 1 } } } }] } },
    absent: ['spec.containers.0.lifecycle.stopSignal'],
  },
  {
    name: 'a lifecycle holding only stopSignal is removed',
    upstream: `${U} dropContainerStopSignals`,
    gvk: 'v1/Pod',
    input: podWith({ containers: [c({ lifecycle: { stopSignal: 'SIGUSR1' } })] }),
    absent: ['spec.containers.0.lifecycle'],
  },
  {
    name: 'workloadRef dropped (GenericWorkload off)',
    upstream: `${U} (GenericWorkload)`,
    gvk: 'v1/Pod',
    input: podWith({ workloadRef: { name: 'w' } }),
    absent: ['spec.workloadRef'],
  },
  {
    name: 'hostnameOverride dropped in 1.34',
    upstream: `${U} (HostnameOverride)`,
    gvk: 'v1/Pod',
    version: '1.34',
    input: podWith({ hostnameOverride: 'h' }),
    absent: ['spec.hostnameOverride'],
  },
  {
    name: 'hostnameOverride kept in 1.35',
    upstream: `${U} (HostnameOverride)`,
    gvk: 'v1/Pod',
    version: '1.35',
    input: podWith({ hostnameOverride: 'h' }),
    expect: { spec: { hostnameOverride: 'h' } },
  },
  {
    name: 'resource claims dropped in 1.33',
    upstream: `${U} (DynamicResourceAllocation)`,
    gvk: 'v1/Pod',
    version: '1.33',
    input: podWith({
      resourceClaims: [{ name: 'gpu' }],
      containers: [c({ resources: { claims: [{ name: 'gpu' }] } })],
    }),
    absent: ['spec.resourceClaims', 'spec.containers.0.resources.claims'],
  },
  {
    name: 'resource claims kept in 1.34',
    upstream: `${U} (DynamicResourceAllocation)`,
    gvk: 'v1/Pod',
    version: '1.34',
    input: podWith({ resourceClaims: [{ name: 'gpu' }] }),
    expect: { spec: { resourceClaims: [{ name: 'gpu' }] } },
  },
  {
    name: 'image volumes and their mounts dropped in 1.34',
    upstream: `${U} dropImageVolumes (ImageVolume)`,
    gvk: 'v1/Pod',
    version: '1.34',
    input: podWith({
      volumes: [
        { name: 'img', image: { reference: 'r:1' } },
        { name: 'e', emptyDir: {} },
      ],
      containers: [
        c({
          volumeMounts: [
            { name: 'img', mountPath: '/i' },
            { name: 'e', mountPath: '/e' },
          ],
        }),
      ],
    }),
    expect: {
      spec: {
        volumes: [{ name: 'e', emptyDir: {} }],
        containers: [{ volumeMounts: [{ name: 'e', mountPath: '/e' }] }],
      },
    },
  },
  {
    name: 'image volumes kept in 1.35',
    upstream: `${U} dropImageVolumes (ImageVolume)`,
    gvk: 'v1/Pod',
    version: '1.35',
    input: podWith({ volumes: [{ name: 'img', image: { reference: 'r:1' } }] }),
    expect: { spec: { volumes: [{ name: 'img', image: { reference: 'r:1' } }] } },
  },
  {
    name: 'env fileKeyRef dropped in 1.34',
    upstream: `${U} (EnvFiles)`,
    gvk: 'v1/Pod',
    version: '1.34',
    input: podWith({
      containers: [c({ env: [{ name: 'A', valueFrom: { fileKeyRef: { volumeName: 'v', path: 'p', key: 'k' } } }] })],
    }),
    absent: ['spec.containers.0.env.0.valueFrom.fileKeyRef'],
  },
  {
    name: 'env fileKeyRef kept in 1.35',
    upstream: `${U} (EnvFiles)`,
    gvk: 'v1/Pod',
    version: '1.35',
    input: podWith({
      containers: [c({ env: [{ name: 'A', valueFrom: { fileKeyRef: { volumeName: 'v', path: 'p', key: 'k' } } }] })],
    }),
    expect: { spec: { containers: [{ env: [{ valueFrom: { fileKeyRef: { key: 'k' } } }] }] } },
  },
  {
    name: 'clusterTrustBundle and podCertificate projections dropped',
    upstream: `${U} (ClusterTrustBundleProjection, PodCertificateRequest)`,
    gvk: 'v1/Pod',
    input: podWith({
      volumes: [
        {
          name: 'p',
          projected: {
            sources: [
              { clusterTrustBundle: { path: 'b' } },
              { podCertificate: { signerName: 's' } },
              { configMap: { name: 'c' } },
            ],
          },
        },
      ],
    }),
    expect: { spec: { volumes: [{ projected: { sources: [{}, {}, { configMap: { name: 'c' } }] } }] } },
  },
  {
    name: 'container restart rules dropped in 1.34, sidecars keep restartPolicy Always',
    upstream: `${U} (ContainerRestartRules)`,
    gvk: 'v1/Pod',
    version: '1.34',
    input: podWith({
      initContainers: [{ name: 's', image: 'x:1', restartPolicy: 'Always' }],
      containers: [
        c({
          restartPolicy: 'Never',
          restartPolicyRules: [{ action: 'Restart', exitCodes: { operator: 'In', values: [42] } }],
        }),
      ],
    }),
    expect: { spec: { initContainers: [{ restartPolicy: 'Always' }] } },
    absent: ['spec.containers.0.restartPolicy', 'spec.containers.0.restartPolicyRules'],
  },
  {
    name: 'container restart rules kept in 1.35',
    upstream: `${U} (ContainerRestartRules)`,
    gvk: 'v1/Pod',
    version: '1.35',
    input: podWith({ containers: [c({ restartPolicy: 'Never' })] }),
    expect: { spec: { containers: [{ restartPolicy: 'Never' }] } },
  },
  {
    name: 'templates get the same dropping (Deployment, 1.33 resource claims)',
    upstream: `${T}`,
    gvk: 'apps/v1/Deployment',
    version: '1.33',
    input: {
      metadata: { name: 'd' },
      spec: { template: { spec: { resourceClaims: [{ name: 'x' }], containers: [] } } },
    },
    absent: ['spec.template.spec.resourceClaims'],
  },
  {
    name: 'CronJob job template pod template dropping',
    upstream: `${T}`,
    gvk: 'batch/v1/CronJob',
    input: {
      metadata: { name: 'cj' },
      spec: { jobTemplate: { spec: { template: { spec: { workloadRef: { name: 'w' }, containers: [] } } } } },
    },
    absent: ['spec.jobTemplate.spec.template.spec.workloadRef'],
  },
];

describe('apiserver prepare: fields of disabled gates dropped (spec §5.2)', () =>
  runCases(cases, (obj, ctx) => prepareForCreate(obj, ctx)));
