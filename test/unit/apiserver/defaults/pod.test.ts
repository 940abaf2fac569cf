import { applyDefaults } from '../../../../lib/apiserver/defaults/index';
import { podWith, runCases, type RuleCase } from './harness';

const D = 'pkg/apis/core/v1/defaults.go';

const cases: RuleCase[] = [
  {
    name: 'requests copied from limits for containers and init containers',
    upstream: `${D} SetDefaults_Pod`,
    gvk: 'v1/Pod',
    input: podWith({
      containers: [
        { name: 'c', image: 'x:1', resources: { limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '100m' } } },
      ],
      initContainers: [{ name: 'i', image: 'x:1', resources: { limits: { memory: '64Mi' } } }],
    }),
    expect: {
      spec: {
        containers: [
          { resources: { limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: '100m', memory: '1Gi' } } },
        ],
        initContainers: [{ resources: { limits: { memory: '64Mi' }, requests: { memory: '64Mi' } } }],
      },
    },
  },
  {
    name: 'ephemeral containers do not get requests from limits',
    upstream: `${D} SetDefaults_Pod`,
    gvk: 'v1/Pod',
    input: podWith({ ephemeralContainers: [{ name: 'e', image: 'x:1', resources: { limits: { cpu: '1' } } }] }),
    absent: ['spec.ephemeralContainers.0.resources.requests'],
  },
  {
    name: 'enableServiceLinks true',
    upstream: `${D} SetDefaults_Pod`,
    gvk: 'v1/Pod',
    input: podWith({}),
    expect: { spec: { enableServiceLinks: true } },
  },
  {
    name: 'enableServiceLinks false kept',
    upstream: `${D} SetDefaults_Pod`,
    gvk: 'v1/Pod',
    input: podWith({ enableServiceLinks: false }),
    expect: { spec: { enableServiceLinks: false } },
  },
  {
    name: 'hostNetwork: hostPort defaults to containerPort',
    upstream: `${D} SetDefaults_Pod defaultHostNetworkPorts`,
    gvk: 'v1/Pod',
    input: podWith({
      hostNetwork: true,
      containers: [
        { name: 'c', image: 'x:1', ports: [{ containerPort: 8443 }, { containerPort: 80, hostPort: 8080 }] },
      ],
    }),
    expect: {
      spec: {
        containers: [
          {
            ports: [
              { containerPort: 8443, hostPort: 8443, protocol: 'TCP' },
              { containerPort: 80, hostPort: 8080, protocol: 'TCP' },
            ],
          },
        ],
      },
    },
  },
  {
    name: 'without hostNetwork no hostPort',
    upstream: `${D} SetDefaults_Pod defaultHostNetworkPorts`,
    gvk: 'v1/Pod',
    input: podWith({ containers: [{ name: 'c', image: 'x:1', ports: [{ containerPort: 8443 }] }] }),
    absent: ['spec.containers.0.ports.0.hostPort'],
  },
  {
    name: 'pod-level requests from aggregated container requests, then from pod limits (PodLevelResources on)',
    upstream: `${D} defaultPodRequests`,
    gvk: 'v1/Pod',
    version: '1.35',
    input: podWith({
      resources: { limits: { cpu: '2', memory: '2Gi' } },
      containers: [
        { name: 'a', image: 'x:1', resources: { requests: { cpu: '500m' } } },
        { name: 'b', image: 'x:1', resources: { requests: { cpu: '250m' } } },
      ],
      initContainers: [{ name: 'i', image: 'x:1', resources: { requests: { cpu: '1' } } }],
    }),
    expect: { spec: { resources: { limits: { cpu: '2', memory: '2Gi' }, requests: { cpu: '1', memory: '2Gi' } } } },
  },
  {
    name: 'pod-level requests: sidecars add up with regular containers',
    upstream: `${D} defaultPodRequests (AggregateContainerRequests)`,
    gvk: 'v1/Pod',
    version: '1.35',
    input: podWith({
      resources: { limits: { cpu: '4' } },
      containers: [{ name: 'a', image: 'x:1', resources: { requests: { cpu: '500m' } } }],
      initContainers: [{ name: 's', image: 'x:1', restartPolicy: 'Always', resources: { requests: { cpu: '1500m' } } }],
    }),
    expect: { spec: { resources: { requests: { cpu: '2' } } } },
  },
  {
    name: 'pod-level hugepage limits from containers (PodLevelResources on)',
    upstream: `${D} defaultHugePagePodLimits`,
    gvk: 'v1/Pod',
    version: '1.34',
    input: podWith({
      resources: { limits: { memory: '1Gi' } },
      containers: [{ name: 'a', image: 'x:1', resources: { limits: { 'hugepages-2Mi': '100Mi' } } }],
    }),
    expect: {
      spec: {
        resources: {
          limits: { memory: '1Gi', 'hugepages-2Mi': '100Mi' },
          requests: { memory: '1Gi', 'hugepages-2Mi': '100Mi' },
        },
      },
    },
  },
  {
    name: 'no pod-level defaults with PodLevelResources off',
    upstream: `${D} SetDefaults_Pod (PodLevelResources gate)`,
    gvk: 'v1/Pod',
    version: '1.33',
    input: podWith({ resources: { limits: { cpu: '2' } } }),
    absent: ['spec.resources.requests'],
  },
];

describe('apiserver defaults: Pod only (table B)', () => runCases(cases, (obj, ctx) => applyDefaults(obj, ctx)));
