import { applyDefaults } from '../../../../lib/apiserver/defaults/index';
import { runCases, type RuleCase } from './harness';

const cases: RuleCase[] = [
  {
    name: 'HPA v2 minReplicas and default CPU metric',
    upstream: 'pkg/apis/autoscaling/v2/defaults.go SetDefaults_HorizontalPodAutoscaler',
    gvk: 'autoscaling/v2/HorizontalPodAutoscaler',
    input: { spec: { maxReplicas: 3 } },
    expect: {
      spec: {
        minReplicas: 1,
        metrics: [
          { type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 80 } } },
        ],
      },
    },
    absent: ['spec.behavior'],
  },
  {
    name: 'HPA v2 behavior filled from the defaults, user fields kept',
    upstream: 'pkg/apis/autoscaling/v2/defaults.go SetDefaults_HorizontalPodAutoscalerBehavior',
    gvk: 'autoscaling/v2/HorizontalPodAutoscaler',
    input: {
      spec: {
        maxReplicas: 3,
        metrics: [{ type: 'Pods' }],
        behavior: { scaleDown: { stabilizationWindowSeconds: 60 } },
      },
    },
    exact: {
      spec: {
        maxReplicas: 3,
        minReplicas: 1,
        metrics: [{ type: 'Pods' }],
        behavior: {
          scaleDown: {
            selectPolicy: 'Max',
            policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
            stabilizationWindowSeconds: 60,
          },
          scaleUp: {
            stabilizationWindowSeconds: 0,
            selectPolicy: 'Max',
            policies: [
              { type: 'Pods', value: 4, periodSeconds: 15 },
              { type: 'Percent', value: 100, periodSeconds: 15 },
            ],
          },
        },
      },
    },
  },
  {
    name: 'HPA v1 minReplicas',
    upstream: 'pkg/apis/autoscaling/v1/defaults.go SetDefaults_HorizontalPodAutoscaler',
    gvk: 'autoscaling/v1/HorizontalPodAutoscaler',
    input: { spec: { maxReplicas: 3, targetCPUUtilizationPercentage: 50 } },
    exact: { spec: { maxReplicas: 3, minReplicas: 1, targetCPUUtilizationPercentage: 50 } },
  },
  {
    name: 'HPA v1 without a metric gets the implicit 80 % CPU target',
    upstream:
      'pkg/apis/autoscaling/v1/conversion.go Convert_v1_HorizontalPodAutoscaler_To_autoscaling_HorizontalPodAutoscaler',
    gvk: 'autoscaling/v1/HorizontalPodAutoscaler',
    input: { spec: { maxReplicas: 3 } },
    exact: { spec: { maxReplicas: 3, minReplicas: 1, targetCPUUtilizationPercentage: 80 } },
  },
  {
    name: 'HPA v1 with metrics in the annotation gets no CPU target',
    upstream:
      'pkg/apis/autoscaling/v1/conversion.go Convert_v1_HorizontalPodAutoscaler_To_autoscaling_HorizontalPodAutoscaler',
    gvk: 'autoscaling/v1/HorizontalPodAutoscaler',
    input: {
      metadata: { annotations: { 'autoscaling.alpha.kubernetes.io/metrics': '[{"type":"Pods"}]' } },
      spec: { maxReplicas: 3 },
    },
    absent: ['spec.targetCPUUtilizationPercentage'],
  },
  {
    name: 'NetworkPolicy policyTypes and port protocol',
    upstream: 'pkg/apis/networking/v1/defaults.go SetDefaults_NetworkPolicy, SetDefaults_NetworkPolicyPort',
    gvk: 'networking.k8s.io/v1/NetworkPolicy',
    input: { spec: { podSelector: {}, egress: [{ ports: [{ port: 53 }] }] } },
    expect: { spec: { policyTypes: ['Ingress', 'Egress'], egress: [{ ports: [{ port: 53, protocol: 'TCP' }] }] } },
  },
  {
    name: 'NetworkPolicy without egress: Ingress only',
    upstream: 'pkg/apis/networking/v1/defaults.go SetDefaults_NetworkPolicy',
    gvk: 'networking.k8s.io/v1/NetworkPolicy',
    input: { spec: { podSelector: {} } },
    expect: { spec: { policyTypes: ['Ingress'] } },
  },
  {
    name: 'IngressClass parameters scope',
    upstream: 'pkg/apis/networking/v1/defaults.go SetDefaults_IngressClass',
    gvk: 'networking.k8s.io/v1/IngressClass',
    input: { spec: { controller: 'c', parameters: { kind: 'K', name: 'n' } } },
    expect: { spec: { parameters: { scope: 'Cluster' } } },
  },
  {
    name: 'Ingress is not defaulted',
    upstream: 'pkg/apis/networking/v1/zz_generated.defaults.go (no Ingress defaults)',
    gvk: 'networking.k8s.io/v1/Ingress',
    input: { spec: { rules: [] } },
    exact: { spec: { rules: [] } },
  },
  {
    name: 'RoleBinding roleRef and subject apiGroups',
    upstream: 'pkg/apis/rbac/v1/defaults.go SetDefaults_RoleBinding, SetDefaults_Subject',
    gvk: 'rbac.authorization.k8s.io/v1/RoleBinding',
    input: {
      roleRef: { kind: 'Role', name: 'r' },
      subjects: [
        { kind: 'User', name: 'u' },
        { kind: 'Group', name: 'g' },
        { kind: 'ServiceAccount', name: 's', namespace: 'n' },
      ],
    },
    exact: {
      roleRef: { kind: 'Role', name: 'r', apiGroup: 'rbac.authorization.k8s.io' },
      subjects: [
        { kind: 'User', name: 'u', apiGroup: 'rbac.authorization.k8s.io' },
        { kind: 'Group', name: 'g', apiGroup: 'rbac.authorization.k8s.io' },
        { kind: 'ServiceAccount', name: 's', namespace: 'n' },
      ],
    },
  },
  {
    name: 'ClusterRoleBinding roleRef apiGroup',
    upstream: 'pkg/apis/rbac/v1/defaults.go SetDefaults_ClusterRoleBinding',
    gvk: 'rbac.authorization.k8s.io/v1/ClusterRoleBinding',
    input: { roleRef: { kind: 'ClusterRole', name: 'r' } },
    expect: { roleRef: { apiGroup: 'rbac.authorization.k8s.io' } },
  },
  {
    name: 'StorageClass reclaimPolicy and binding mode',
    upstream: 'pkg/apis/storage/v1/defaults.go SetDefaults_StorageClass',
    gvk: 'storage.k8s.io/v1/StorageClass',
    input: { provisioner: 'p' },
    exact: { provisioner: 'p', reclaimPolicy: 'Delete', volumeBindingMode: 'Immediate' },
  },
  {
    name: 'CSIDriver defaults',
    upstream: 'pkg/apis/storage/v1/defaults.go SetDefaults_CSIDriver',
    gvk: 'storage.k8s.io/v1/CSIDriver',
    input: { spec: {} },
    exact: {
      spec: {
        attachRequired: true,
        podInfoOnMount: false,
        storageCapacity: false,
        fsGroupPolicy: 'ReadWriteOnceWithFSType',
        volumeLifecycleModes: ['Persistent'],
        requiresRepublish: false,
        seLinuxMount: false,
      },
    },
  },
  {
    name: 'CSIDriver seLinuxMount not defaulted with SELinuxMountReadWriteOncePod off',
    upstream: 'pkg/apis/storage/v1/defaults.go SetDefaults_CSIDriver',
    gvk: 'storage.k8s.io/v1/CSIDriver',
    gates: { SELinuxMountReadWriteOncePod: false },
    input: { spec: {} },
    absent: ['spec.seLinuxMount'],
  },
  {
    name: 'VolumeAttachment inline spec gets PV spec defaults',
    upstream: 'pkg/apis/storage/v1/zz_generated.defaults.go SetObjectDefaults_VolumeAttachment',
    gvk: 'storage.k8s.io/v1/VolumeAttachment',
    input: { spec: { source: { inlineVolumeSpec: { capacity: { storage: '1.5Gi' } } } } },
    expect: {
      spec: {
        source: {
          inlineVolumeSpec: {
            capacity: { storage: '1536Mi' },
            persistentVolumeReclaimPolicy: 'Retain',
            volumeMode: 'Filesystem',
          },
        },
      },
    },
  },
  {
    name: 'PriorityClass preemptionPolicy',
    upstream: 'pkg/apis/scheduling/v1/defaults.go SetDefaults_PriorityClass',
    gvk: 'scheduling.k8s.io/v1/PriorityClass',
    input: { value: 10 },
    exact: { value: 10, preemptionPolicy: 'PreemptLowerPriority' },
  },
  {
    name: 'EndpointSlice port name and protocol',
    upstream: 'pkg/apis/discovery/v1/defaults.go SetDefaults_EndpointPort',
    gvk: 'discovery.k8s.io/v1/EndpointSlice',
    input: { addressType: 'IPv4', ports: [{ port: 80 }] },
    expect: { ports: [{ port: 80, name: '', protocol: 'TCP' }] },
  },
  {
    name: 'FlowSchema matchingPrecedence 0 → 1000',
    upstream: 'pkg/apis/flowcontrol/v1/defaults.go SetDefaults_FlowSchemaSpec',
    gvk: 'flowcontrol.apiserver.k8s.io/v1/FlowSchema',
    input: { spec: { matchingPrecedence: 0 } },
    expect: { spec: { matchingPrecedence: 1000 } },
  },
  {
    name: 'PriorityLevelConfiguration limited and queuing defaults',
    upstream:
      'pkg/apis/flowcontrol/v1/defaults.go SetDefaults_LimitedPriorityLevelConfiguration, SetDefaults_QueuingConfiguration',
    gvk: 'flowcontrol.apiserver.k8s.io/v1/PriorityLevelConfiguration',
    input: { spec: { type: 'Limited', limited: { limitResponse: { type: 'Queue', queuing: {} } } } },
    expect: {
      spec: {
        limited: {
          nominalConcurrencyShares: 30,
          lendablePercent: 0,
          limitResponse: { queuing: { handSize: 8, queues: 64, queueLengthLimit: 50 } },
        },
      },
    },
  },
  {
    name: 'PriorityLevelConfiguration exempt defaults',
    upstream: 'pkg/apis/flowcontrol/v1/defaults.go SetDefaults_ExemptPriorityLevelConfiguration',
    gvk: 'flowcontrol.apiserver.k8s.io/v1/PriorityLevelConfiguration',
    input: { spec: { type: 'Exempt', exempt: {} } },
    expect: { spec: { exempt: { nominalConcurrencyShares: 0, lendablePercent: 0 } } },
  },
  {
    name: 'MutatingWebhookConfiguration webhook defaults',
    upstream:
      'pkg/apis/admissionregistration/v1/defaults.go SetDefaults_MutatingWebhook, SetDefaults_Rule, SetDefaults_ServiceReference',
    gvk: 'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration',
    input: {
      webhooks: [
        { name: 'w', clientConfig: { service: { name: 's', namespace: 'n' } }, rules: [{ operations: ['CREATE'] }] },
      ],
    },
    expect: {
      webhooks: [
        {
          failurePolicy: 'Fail',
          matchPolicy: 'Equivalent',
          namespaceSelector: {},
          objectSelector: {},
          timeoutSeconds: 10,
          reinvocationPolicy: 'Never',
          clientConfig: { service: { port: 443 } },
          rules: [{ scope: '*' }],
        },
      ],
    },
  },
  {
    name: 'ValidatingWebhookConfiguration has no reinvocationPolicy',
    upstream: 'pkg/apis/admissionregistration/v1/defaults.go SetDefaults_ValidatingWebhook',
    gvk: 'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration',
    input: { webhooks: [{ name: 'w' }] },
    expect: { webhooks: [{ failurePolicy: 'Fail' }] },
    absent: ['webhooks.0.reinvocationPolicy'],
  },
  {
    name: 'ValidatingAdmissionPolicy failurePolicy and matchConstraints',
    upstream:
      'pkg/apis/admissionregistration/v1/defaults.go SetDefaults_ValidatingAdmissionPolicySpec, SetDefaults_MatchResources',
    gvk: 'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy',
    input: { spec: { matchConstraints: { resourceRules: [{ operations: ['CREATE'] }] } } },
    expect: {
      spec: {
        failurePolicy: 'Fail',
        matchConstraints: {
          matchPolicy: 'Equivalent',
          namespaceSelector: {},
          objectSelector: {},
          resourceRules: [{ scope: '*' }],
        },
      },
    },
  },
  {
    name: 'CustomResourceDefinition names, conversion, storedVersions',
    upstream: 'apiextensions-apiserver pkg/apis/apiextensions/v1/defaults.go SetDefaults_CustomResourceDefinition',
    gvk: 'apiextensions.k8s.io/v1/CustomResourceDefinition',
    input: {
      spec: {
        group: 'x.io',
        names: { kind: 'Widget', plural: 'widgets' },
        versions: [
          { name: 'v1alpha1', storage: false },
          { name: 'v1', storage: true },
        ],
      },
    },
    expect: {
      spec: { names: { singular: 'widget', listKind: 'WidgetList' }, conversion: { strategy: 'None' } },
      status: { storedVersions: ['v1'] },
    },
  },
];

describe('apiserver defaults: other built-in groups', () => runCases(cases, (obj, ctx) => applyDefaults(obj, ctx)));
