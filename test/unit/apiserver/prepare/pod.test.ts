import { prepareForCreate } from '../../../../lib/apiserver/prepare/index';
import { podWith, runCases, type RuleCase } from '../defaults/harness';

const S = 'pkg/registry/core/pod/strategy.go';
const Q = 'pkg/apis/core/helper/qos/qos.go ComputePodQOS';
const U = 'pkg/api/pod/util.go DropDisabledPodFields';

const res = (limits?: Record<string, string>, requests?: Record<string, string>) => ({
  resources: { ...(limits ? { limits } : {}), ...(requests ? { requests } : {}) },
});
const withContainers = (...cs: Array<Record<string, unknown>>) =>
  podWith({ containers: cs.map((c, i) => ({ name: `c${i}`, image: 'x:1', ...c })) });

const cases: RuleCase[] = [
  {
    name: 'generation 1, status reset to Pending + BestEffort, uid and creationTimestamp',
    upstream: `${S} PrepareForCreate; apiserver pkg/registry/rest/meta.go FillObjectMetaSystemFields`,
    gvk: 'v1/Pod',
    input: { ...podWith({}), status: { phase: 'Running', podIP: '1.2.3.4' } },
    expect: {
      metadata: { generation: 1, creationTimestamp: '2026-12-07T01:00:00Z' },
      status: { phase: 'Pending', qosClass: 'BestEffort' },
    },
    absent: ['status.podIP'],
  },
  {
    name: 'QoS Guaranteed: cpu and memory limits equal requests',
    upstream: Q,
    gvk: 'v1/Pod',
    input: withContainers(res({ cpu: '1', memory: '1Gi' }, { cpu: '1000m', memory: '1Gi' })),
    expect: { status: { qosClass: 'Guaranteed' } },
  },
  {
    name: 'QoS Burstable: requests below limits',
    upstream: Q,
    gvk: 'v1/Pod',
    input: withContainers(res({ cpu: '1', memory: '1Gi' }, { cpu: '500m', memory: '1Gi' })),
    expect: { status: { qosClass: 'Burstable' } },
  },
  {
    name: 'QoS Burstable: one container without limits',
    upstream: Q,
    gvk: 'v1/Pod',
    input: withContainers(res({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' }), {}),
    expect: { status: { qosClass: 'Burstable' } },
  },
  {
    name: 'QoS BestEffort: only zero and non-compute resources',
    upstream: Q,
    gvk: 'v1/Pod',
    input: withContainers(res({ 'ephemeral-storage': '1Gi' }, { cpu: '0' })),
    expect: { status: { qosClass: 'BestEffort' } },
  },
  {
    name: 'QoS counts init containers',
    upstream: Q,
    gvk: 'v1/Pod',
    input: podWith({
      containers: [{ name: 'c', image: 'x:1', ...res({ cpu: '1', memory: '1Gi' }, { cpu: '1', memory: '1Gi' }) }],
      initContainers: [{ name: 'i', image: 'x:1', ...res(undefined, { cpu: '100m' }) }],
    }),
    expect: { status: { qosClass: 'Burstable' } },
  },
  {
    name: 'QoS from pod-level resources with PodLevelResources on',
    upstream: `${Q} (PodLevelResources)`,
    gvk: 'v1/Pod',
    version: '1.35',
    input: podWith({ resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } } }),
    expect: { status: { qosClass: 'Guaranteed' } },
  },
  {
    name: 'pod-level resources ignored (and dropped) with PodLevelResources off',
    upstream: `${Q}; ${U} (PodLevelResources)`,
    gvk: 'v1/Pod',
    version: '1.33',
    input: podWith({ resources: { limits: { cpu: '1', memory: '1Gi' }, requests: { cpu: '1', memory: '1Gi' } } }),
    expect: { status: { qosClass: 'BestEffort' } },
    absent: ['spec.resources'],
  },
  {
    name: 'a qosClass in the manifest is kept',
    upstream: `${S} PrepareForCreate (qos.GetPodQOS)`,
    gvk: 'v1/Pod',
    input: { ...podWith({}), status: { qosClass: 'Guaranteed' } },
    expect: { status: { phase: 'Pending', qosClass: 'Guaranteed' } },
  },
  {
    name: 'scheduling gates add the SchedulingGated condition',
    upstream: `${S} applySchedulingGatedCondition`,
    gvk: 'v1/Pod',
    input: podWith({ schedulingGates: [{ name: 'g' }] }),
    expect: {
      status: {
        conditions: [
          {
            type: 'PodScheduled',
            status: 'False',
            lastProbeTime: null,
            lastTransitionTime: '2026-12-07T01:00:00Z',
            reason: 'SchedulingGated',
            message: 'Scheduling is blocked due to non-empty scheduling gates',
          },
        ],
      },
    },
  },
  {
    name: 'matchLabelKeys / mismatchLabelKeys merged into pod (anti)affinity selectors',
    upstream: `${S} mutatePodAffinity`,
    gvk: 'v1/Pod',
    input: podWith(
      {
        affinity: {
          podAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              { topologyKey: 'z', labelSelector: { matchLabels: { app: 'a' } }, matchLabelKeys: ['rev', 'absent'] },
            ],
          },
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              { weight: 1, podAffinityTerm: { topologyKey: 'z', labelSelector: {}, mismatchLabelKeys: ['team'] } },
            ],
          },
        },
      },
      { name: 'p', namespace: 'default', labels: { rev: '7', team: 't' } },
    ),
    expect: {
      spec: {
        affinity: {
          podAffinity: {
            requiredDuringSchedulingIgnoredDuringExecution: [
              {
                labelSelector: {
                  matchLabels: { app: 'a' },
                  matchExpressions: [{ key: 'rev', operator: 'In', values: ['7'] }],
                },
              },
            ],
          },
          podAntiAffinity: {
            preferredDuringSchedulingIgnoredDuringExecution: [
              {
                podAffinityTerm: {
                  labelSelector: { matchExpressions: [{ key: 'team', operator: 'NotIn', values: ['t'] }] },
                },
              },
            ],
          },
        },
      },
    },
  },
  {
    name: 'topologySpread matchLabelKeys merged by the API server from 1.34',
    upstream: `${S} mutateTopologySpreadConstraints`,
    gvk: 'v1/Pod',
    version: '1.34',
    input: podWith(
      {
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: 'z',
            whenUnsatisfiable: 'DoNotSchedule',
            labelSelector: {},
            matchLabelKeys: ['rev'],
          },
        ],
      },
      { name: 'p', labels: { rev: '7' } },
    ),
    expect: {
      spec: {
        topologySpreadConstraints: [
          { labelSelector: { matchExpressions: [{ key: 'rev', operator: 'In', values: ['7'] }] } },
        ],
      },
    },
  },
  {
    name: 'topologySpread matchLabelKeys not merged in 1.33 (the scheduler did it)',
    upstream: `${S} mutateTopologySpreadConstraints (MatchLabelKeysInPodTopologySpreadSelectorMerge)`,
    gvk: 'v1/Pod',
    version: '1.33',
    input: podWith(
      {
        topologySpreadConstraints: [
          {
            maxSkew: 1,
            topologyKey: 'z',
            whenUnsatisfiable: 'DoNotSchedule',
            labelSelector: {},
            matchLabelKeys: ['rev'],
          },
        ],
      },
      { name: 'p', labels: { rev: '7' } },
    ),
    absent: ['spec.topologySpreadConstraints.0.labelSelector.matchExpressions'],
  },
  {
    name: 'AppArmor annotation copied into the container field',
    upstream: `${S} applyAppArmorVersionSkew`,
    gvk: 'v1/Pod',
    input: podWith(
      {
        containers: [
          { name: 'a', image: 'x:1' },
          { name: 'b', image: 'x:1', securityContext: { appArmorProfile: { type: 'Unconfined' } } },
          { name: 'c', image: 'x:1' },
        ],
      },
      {
        name: 'p',
        annotations: {
          'container.apparmor.security.beta.kubernetes.io/a': 'localhost/prof',
          'container.apparmor.security.beta.kubernetes.io/b': 'runtime/default',
          'container.apparmor.security.beta.kubernetes.io/c': 'bogus',
        },
      },
    ),
    expect: {
      spec: {
        containers: [
          { name: 'a', securityContext: { appArmorProfile: { type: 'Localhost', localhostProfile: 'prof' } } },
          { name: 'b', securityContext: { appArmorProfile: { type: 'Unconfined' } } },
          { name: 'c' },
        ],
      },
    },
    absent: ['spec.containers.2.securityContext'],
  },
  {
    name: 'AppArmor annotation equal to the pod profile is not copied',
    upstream: `${S} applyAppArmorVersionSkew`,
    gvk: 'v1/Pod',
    input: podWith(
      { securityContext: { appArmorProfile: { type: 'RuntimeDefault' } }, containers: [{ name: 'a', image: 'x:1' }] },
      { name: 'p', annotations: { 'container.apparmor.security.beta.kubernetes.io/a': 'runtime/default' } },
    ),
    absent: ['spec.containers.0.securityContext'],
  },
  {
    name: 'AppArmor skew skipped for Windows pods',
    upstream: `${S} applyAppArmorVersionSkew`,
    gvk: 'v1/Pod',
    input: podWith(
      { os: { name: 'windows' }, containers: [{ name: 'a', image: 'x:1' }] },
      { name: 'p', annotations: { 'container.apparmor.security.beta.kubernetes.io/a': 'runtime/default' } },
    ),
    absent: ['spec.containers.0.securityContext'],
  },
];

describe('apiserver prepare: Pod', () => runCases(cases, (obj, ctx) => prepareForCreate(obj, ctx)));
