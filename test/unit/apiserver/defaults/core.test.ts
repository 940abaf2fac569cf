import { applyDefaults } from '../../../../lib/apiserver/defaults/index';
import { runCases, type RuleCase } from './harness';

const D = 'pkg/apis/core/v1/defaults.go';

const cases: RuleCase[] = [
  {
    name: 'Service ClusterIP defaults',
    upstream: `${D} SetDefaults_Service`,
    gvk: 'v1/Service',
    input: {
      spec: { selector: { app: 'a' }, ports: [{ port: 80 }, { port: 53, protocol: 'UDP', targetPort: 'dns' }] },
    },
    exact: {
      spec: {
        selector: { app: 'a' },
        ports: [
          { port: 80, protocol: 'TCP', targetPort: 80 },
          { port: 53, protocol: 'UDP', targetPort: 'dns' },
        ],
        sessionAffinity: 'None',
        type: 'ClusterIP',
        internalTrafficPolicy: 'Cluster',
      },
    },
  },
  {
    name: 'Service targetPort "" and 0 become the port',
    upstream: `${D} SetDefaults_Service`,
    gvk: 'v1/Service',
    input: {
      spec: {
        ports: [
          { port: 80, targetPort: '' },
          { port: 81, targetPort: 0 },
        ],
      },
    },
    expect: {
      spec: {
        ports: [
          { port: 80, targetPort: 80 },
          { port: 81, targetPort: 81 },
        ],
      },
    },
  },
  {
    name: 'Service LoadBalancer: traffic policies, node ports flag, ipMode',
    upstream: `${D} SetDefaults_Service`,
    gvk: 'v1/Service',
    input: {
      spec: { type: 'LoadBalancer', ports: [{ port: 443 }] },
      status: { loadBalancer: { ingress: [{ ip: '1.2.3.4' }, { hostname: 'h' }] } },
    },
    expect: {
      spec: { externalTrafficPolicy: 'Cluster', internalTrafficPolicy: 'Cluster', allocateLoadBalancerNodePorts: true },
      status: { loadBalancer: { ingress: [{ ip: '1.2.3.4', ipMode: 'VIP' }, { hostname: 'h' }] } },
    },
    absent: ['status.loadBalancer.ingress.1.ipMode'],
  },
  {
    name: 'Service ClusterIP with externalIPs gets externalTrafficPolicy',
    upstream: `${D} SetDefaults_Service (ExternallyAccessible)`,
    gvk: 'v1/Service',
    input: { spec: { externalIPs: ['1.1.1.1'], ports: [{ port: 80 }] } },
    expect: { spec: { externalTrafficPolicy: 'Cluster' } },
  },
  {
    name: 'Service ExternalName: no traffic policies',
    upstream: `${D} SetDefaults_Service`,
    gvk: 'v1/Service',
    input: { spec: { type: 'ExternalName', externalName: 'example.com' } },
    absent: ['spec.internalTrafficPolicy', 'spec.externalTrafficPolicy'],
  },
  {
    name: 'Service sessionAffinity None removes sessionAffinityConfig',
    upstream: `${D} SetDefaults_Service`,
    gvk: 'v1/Service',
    input: { spec: { sessionAffinityConfig: { clientIP: { timeoutSeconds: 5 } } } },
    absent: ['spec.sessionAffinityConfig'],
  },
  {
    name: 'Service ClientIP affinity timeout 10800',
    upstream: `${D} SetDefaults_Service`,
    gvk: 'v1/Service',
    input: { spec: { sessionAffinity: 'ClientIP' } },
    expect: { spec: { sessionAffinityConfig: { clientIP: { timeoutSeconds: 10800 } } } },
  },
  {
    name: 'Secret type Opaque',
    upstream: `${D} SetDefaults_Secret`,
    gvk: 'v1/Secret',
    input: { data: {} },
    expect: { type: 'Opaque' },
  },
  {
    name: 'Namespace metadata.name label and phase',
    upstream: `${D} SetDefaults_Namespace, SetDefaults_NamespaceStatus`,
    gvk: 'v1/Namespace',
    input: { metadata: { name: 'team-a', labels: { 'kubernetes.io/metadata.name': 'other' } } },
    expect: { metadata: { labels: { 'kubernetes.io/metadata.name': 'team-a' } }, status: { phase: 'Active' } },
  },
  {
    name: 'PersistentVolumeClaim volumeMode, phase, rounding',
    upstream: `${D} SetDefaults_PersistentVolumeClaim, SetDefaults_PersistentVolumeClaimSpec`,
    gvk: 'v1/PersistentVolumeClaim',
    input: { spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '0.5Gi' } } } },
    expect: {
      spec: { volumeMode: 'Filesystem', resources: { requests: { storage: '512Mi' } } },
      status: { phase: 'Pending' },
    },
  },
  {
    name: 'PersistentVolume reclaim policy, volumeMode, phase, sources',
    upstream: `${D} SetDefaults_PersistentVolume`,
    gvk: 'v1/PersistentVolume',
    input: { spec: { capacity: { storage: '1Gi' }, hostPath: { path: '/d' } } },
    expect: {
      spec: { persistentVolumeReclaimPolicy: 'Retain', volumeMode: 'Filesystem', hostPath: { path: '/d', type: '' } },
      status: { phase: 'Pending' },
    },
  },
  {
    name: 'ReplicationController selector, labels, replicas from template',
    upstream: `${D} SetDefaults_ReplicationController`,
    gvk: 'v1/ReplicationController',
    input: {
      metadata: { name: 'rc' },
      spec: { template: { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } } },
    },
    expect: {
      metadata: { labels: { app: 'a' } },
      spec: { replicas: 1, selector: { app: 'a' }, template: { spec: { restartPolicy: 'Always' } } },
    },
  },
  {
    name: 'ReplicationController keeps its own selector and labels',
    upstream: `${D} SetDefaults_ReplicationController`,
    gvk: 'v1/ReplicationController',
    input: {
      metadata: { name: 'rc', labels: { own: 'x' } },
      spec: {
        replicas: 0,
        selector: { app: 'b' },
        template: { metadata: { labels: { app: 'a' } }, spec: { containers: [] } },
      },
    },
    expect: { metadata: { labels: { own: 'x' } }, spec: { replicas: 0, selector: { app: 'b' } } },
  },
  {
    name: 'PodTemplate template spec defaults',
    upstream: 'pkg/apis/core/v1/zz_generated.defaults.go SetObjectDefaults_PodTemplate',
    gvk: 'v1/PodTemplate',
    input: { template: { spec: { containers: [{ name: 'c', image: 'x' }] } } },
    expect: { template: { spec: { schedulerName: 'default-scheduler', containers: [{ imagePullPolicy: 'Always' }] } } },
  },
  {
    name: 'LimitRange Container: default from max, defaultRequest from default then min; rounding',
    upstream: `${D} SetDefaults_LimitRangeItem`,
    gvk: 'v1/LimitRange',
    input: {
      spec: {
        limits: [
          { type: 'Container', max: { cpu: '2', memory: '1Gi' }, min: { cpu: '100m', 'ephemeral-storage': '0.0001' } },
          { type: 'Pod', max: { cpu: '4' } },
        ],
      },
    },
    exact: {
      spec: {
        limits: [
          {
            type: 'Container',
            max: { cpu: '2', memory: '1Gi' },
            min: { cpu: '100m', 'ephemeral-storage': '1m' },
            default: { cpu: '2', memory: '1Gi' },
            defaultRequest: { cpu: '2', memory: '1Gi', 'ephemeral-storage': '1m' },
          },
          { type: 'Pod', max: { cpu: '4' } },
        ],
      },
    },
  },
  {
    name: 'ResourceQuota hard rounded',
    upstream: `${D} SetDefaults_ResourceList (ResourceQuotaSpec.hard)`,
    gvk: 'v1/ResourceQuota',
    input: { spec: { hard: { 'requests.cpu': '1.0001', pods: '10' } } },
    expect: { spec: { hard: { 'requests.cpu': '1001m', pods: '10' } } },
  },
  {
    name: 'Endpoints port protocol TCP',
    upstream: `${D} SetDefaults_EndpointPort`,
    gvk: 'v1/Endpoints',
    input: { subsets: [{ ports: [{ port: 80 }] }] },
    expect: { subsets: [{ ports: [{ port: 80, protocol: 'TCP' }] }] },
  },
  {
    name: 'Node allocatable from capacity',
    upstream: `${D} SetDefaults_NodeStatus`,
    gvk: 'v1/Node',
    input: { status: { capacity: { cpu: '4' } } },
    expect: { status: { allocatable: { cpu: '4' } } },
  },
  {
    name: 'ConfigMap and ServiceAccount are not defaulted',
    upstream: 'pkg/apis/core/v1/zz_generated.defaults.go (no SetObjectDefaults_ConfigMap)',
    gvk: 'v1/ConfigMap',
    input: { metadata: { name: 'c' }, data: { a: 'b' } },
    exact: { metadata: { name: 'c' }, data: { a: 'b' } },
  },
];

describe('apiserver defaults: core/v1 kinds', () => runCases(cases, (obj, ctx) => applyDefaults(obj, ctx)));
