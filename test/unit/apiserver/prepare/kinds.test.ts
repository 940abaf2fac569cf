import { prepareForCreate } from '../../../../lib/apiserver/prepare/index';
import { runCases, type RuleCase } from '../defaults/harness';

const R = 'pkg/registry';
const tpl = { metadata: { labels: { app: 'a' } }, spec: { containers: [] } };

const cases: RuleCase[] = [
  {
    name: 'ReplicationController status {replicas: 0}, generation 1',
    upstream: `${R}/core/replicationcontroller/strategy.go PrepareForCreate`,
    gvk: 'v1/ReplicationController',
    input: { metadata: { name: 'rc' }, spec: { template: tpl }, status: { replicas: 3 } },
    expect: { metadata: { generation: 1 }, status: { replicas: 0 } },
  },
  {
    name: 'PodTemplate generation 1',
    upstream: `${R}/core/podtemplate/strategy.go PrepareForCreate`,
    gvk: 'v1/PodTemplate',
    input: { metadata: { name: 't' }, template: tpl },
    expect: { metadata: { generation: 1 } },
  },
  {
    name: 'Deployment status reset, generation 1',
    upstream: `${R}/apps/deployment/strategy.go PrepareForCreate`,
    gvk: 'apps/v1/Deployment',
    input: { metadata: { name: 'd', generation: 5 }, spec: { template: tpl }, status: { replicas: 2 } },
    exact: {
      metadata: { name: 'd', generation: 1, uid: '', creationTimestamp: '' },
      spec: { template: tpl },
      status: {},
    },
  },
  {
    name: 'ReplicaSet status {replicas: 0}',
    upstream: `${R}/apps/replicaset/strategy.go PrepareForCreate`,
    gvk: 'apps/v1/ReplicaSet',
    input: { metadata: { name: 'r' }, spec: { template: tpl } },
    expect: { metadata: { generation: 1 }, status: { replicas: 0 } },
  },
  {
    name: 'StatefulSet status counters; maxUnavailable dropped in 1.34',
    upstream: `${R}/apps/statefulset/strategy.go PrepareForCreate (MaxUnavailableStatefulSet)`,
    gvk: 'apps/v1/StatefulSet',
    version: '1.34',
    input: {
      metadata: { name: 's' },
      spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } }, template: tpl },
    },
    expect: { metadata: { generation: 1 }, status: { replicas: 0, availableReplicas: 0 } },
    absent: ['spec.updateStrategy.rollingUpdate.maxUnavailable'],
  },
  {
    name: 'StatefulSet maxUnavailable kept in 1.35',
    upstream: `${R}/apps/statefulset/strategy.go PrepareForCreate (MaxUnavailableStatefulSet)`,
    gvk: 'apps/v1/StatefulSet',
    version: '1.35',
    input: {
      metadata: { name: 's' },
      spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } }, template: tpl },
    },
    expect: { spec: { updateStrategy: { rollingUpdate: { maxUnavailable: 2 } } } },
  },
  {
    name: 'DaemonSet status counters, template generation annotation "1"',
    upstream: `${R}/apps/daemonset/strategy.go PrepareForCreate; pkg/apis/apps/v1/conversion.go`,
    gvk: 'apps/v1/DaemonSet',
    input: {
      metadata: { name: 'ds', annotations: { 'deprecated.daemonset.template.generation': '0' } },
      spec: { template: tpl },
    },
    expect: {
      metadata: { generation: 1, annotations: { 'deprecated.daemonset.template.generation': '1' } },
      status: { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 },
    },
  },
  {
    name: 'Job selector generation from name and uid',
    upstream: `${R}/batch/job/strategy.go generateSelector`,
    gvk: 'batch/v1/Job',
    input: {
      metadata: { name: 'pi', uid: '11111111-2222-4333-8444-555555555555' },
      spec: { manualSelector: false, template: tpl },
    },
    expect: {
      metadata: { generation: 1 },
      status: {},
      spec: {
        selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': '11111111-2222-4333-8444-555555555555' } },
        template: {
          metadata: {
            labels: {
              app: 'a',
              'job-name': 'pi',
              'batch.kubernetes.io/job-name': 'pi',
              'controller-uid': '11111111-2222-4333-8444-555555555555',
              'batch.kubernetes.io/controller-uid': '11111111-2222-4333-8444-555555555555',
            },
          },
        },
      },
    },
  },
  {
    name: 'Job with manualSelector keeps its selector and labels',
    upstream: `${R}/batch/job/strategy.go generateSelectorIfNeeded`,
    gvk: 'batch/v1/Job',
    input: {
      metadata: { name: 'pi' },
      spec: { manualSelector: true, selector: { matchLabels: { app: 'a' } }, template: tpl },
    },
    expect: { spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'a' } } } } },
    absent: ['spec.template.metadata.labels.job-name'],
  },
  {
    name: 'CronJob status reset, generation 1',
    upstream: `${R}/batch/cronjob/strategy.go PrepareForCreate`,
    gvk: 'batch/v1/CronJob',
    input: { metadata: { name: 'c' }, spec: { jobTemplate: { spec: { template: tpl } } } },
    expect: { metadata: { generation: 1 }, status: {} },
  },
  {
    name: 'Namespace status Active, kubernetes finalizer appended, label re-set',
    upstream: `${R}/core/namespace/strategy.go PrepareForCreate, Canonicalize`,
    gvk: 'v1/Namespace',
    input: {
      metadata: { name: 'ns', labels: { 'kubernetes.io/metadata.name': 'x' } },
      spec: { finalizers: ['custom'] },
    },
    expect: {
      metadata: { labels: { 'kubernetes.io/metadata.name': 'ns' } },
      spec: { finalizers: ['custom', 'kubernetes'] },
      status: { phase: 'Active' },
    },
    absent: ['metadata.generation'],
  },
  {
    name: 'PVC status cleared; dataSource mirrored into dataSourceRef',
    upstream: `${R}/core/persistentvolumeclaim/strategy.go PrepareForCreate; pkg/api/persistentvolumeclaim/util.go NormalizeDataSources`,
    gvk: 'v1/PersistentVolumeClaim',
    input: {
      metadata: { name: 'c' },
      spec: { dataSource: { kind: 'PersistentVolumeClaim', name: 'src' } },
      status: { phase: 'Pending' },
    },
    expect: {
      spec: {
        dataSource: { kind: 'PersistentVolumeClaim', name: 'src' },
        dataSourceRef: { kind: 'PersistentVolumeClaim', name: 'src' },
      },
      status: {},
    },
    absent: ['status.phase'],
  },
  {
    name: 'PVC dataSourceRef mirrored into dataSource; namespace dropped',
    upstream: 'pkg/api/persistentvolumeclaim/util.go DropDisabledFields, NormalizeDataSources',
    gvk: 'v1/PersistentVolumeClaim',
    input: {
      metadata: { name: 'c' },
      spec: { dataSourceRef: { apiGroup: 'x.io', kind: 'Pop', name: 'p', namespace: 'other' } },
    },
    expect: {
      spec: {
        dataSourceRef: { apiGroup: 'x.io', kind: 'Pop', name: 'p' },
        dataSource: { apiGroup: 'x.io', kind: 'Pop', name: 'p' },
      },
    },
  },
  {
    name: 'PVC dataSource of another kind alone is removed',
    upstream: 'pkg/api/persistentvolumeclaim/util.go EnforceDataSourceBackwardsCompatibility',
    gvk: 'v1/PersistentVolumeClaim',
    input: { metadata: { name: 'c' }, spec: { dataSource: { apiGroup: 'x.io', kind: 'Pop', name: 'p' } } },
    absent: ['spec.dataSource', 'spec.dataSourceRef'],
  },
  {
    name: 'PVC volumeAttributesClassName dropped in 1.33',
    upstream: 'pkg/api/persistentvolumeclaim/util.go DropDisabledFields (VolumeAttributesClass)',
    gvk: 'v1/PersistentVolumeClaim',
    version: '1.33',
    input: { metadata: { name: 'c' }, spec: { volumeAttributesClassName: 'gold' } },
    absent: ['spec.volumeAttributesClassName'],
  },
  {
    name: 'PVC volumeAttributesClassName kept in 1.34',
    upstream: 'pkg/api/persistentvolumeclaim/util.go DropDisabledFields (VolumeAttributesClass)',
    gvk: 'v1/PersistentVolumeClaim',
    version: '1.34',
    input: { metadata: { name: 'c' }, spec: { volumeAttributesClassName: 'gold' } },
    expect: { spec: { volumeAttributesClassName: 'gold' } },
  },
  {
    name: 'PV status Pending with transition time',
    upstream: `${R}/core/persistentvolume/strategy.go PrepareForCreate`,
    gvk: 'v1/PersistentVolume',
    input: { metadata: { name: 'pv' }, spec: {} },
    expect: { status: { phase: 'Pending', lastPhaseTransitionTime: '2026-12-07T01:00:00Z' } },
  },
  {
    name: 'ServiceAccount secrets reduced to names',
    upstream: `${R}/core/serviceaccount/strategy.go cleanSecretReferences`,
    gvk: 'v1/ServiceAccount',
    input: { metadata: { name: 'sa' }, secrets: [{ name: 's', namespace: 'n', uid: 'u' }] },
    expect: { secrets: [{ name: 's' }] },
    absent: ['secrets.0.namespace'],
  },
  {
    name: 'ResourceQuota status reset',
    upstream: `${R}/core/resourcequota/strategy.go PrepareForCreate`,
    gvk: 'v1/ResourceQuota',
    input: { metadata: { name: 'q' }, status: { used: { pods: '1' } } },
    exact: { metadata: { name: 'q', uid: '', creationTimestamp: '' }, status: {} },
  },
  {
    name: 'Secret: nothing beyond uid and creationTimestamp',
    upstream: `${R}/core/secret/strategy.go PrepareForCreate`,
    gvk: 'v1/Secret',
    input: { metadata: { name: 's' }, data: {} },
    absent: ['metadata.generation', 'status'],
  },
  {
    name: 'Ingress status, generation',
    upstream: `${R}/networking/ingress/strategy.go PrepareForCreate`,
    gvk: 'networking.k8s.io/v1/Ingress',
    input: { metadata: { name: 'i' } },
    expect: { metadata: { generation: 1 }, status: { loadBalancer: {} } },
  },
  {
    name: 'NetworkPolicy generation',
    upstream: `${R}/networking/networkpolicy/strategy.go PrepareForCreate`,
    gvk: 'networking.k8s.io/v1/NetworkPolicy',
    input: { metadata: { name: 'n' } },
    expect: { metadata: { generation: 1 } },
  },
  {
    name: 'PodDisruptionBudget status counters, generation',
    upstream: `${R}/policy/poddisruptionbudget/strategy.go PrepareForCreate`,
    gvk: 'policy/v1/PodDisruptionBudget',
    input: { metadata: { name: 'p' } },
    expect: {
      metadata: { generation: 1 },
      status: { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 },
    },
  },
  {
    name: 'HPA v2 status; tolerance dropped in 1.34',
    upstream: `${R}/autoscaling/horizontalpodautoscaler/strategy.go PrepareForCreate (HPAConfigurableTolerance)`,
    gvk: 'autoscaling/v2/HorizontalPodAutoscaler',
    version: '1.34',
    input: { metadata: { name: 'h' }, spec: { behavior: { scaleUp: { tolerance: '50m' } } } },
    expect: { status: { desiredReplicas: 0, currentMetrics: null } },
    absent: ['spec.behavior.scaleUp.tolerance'],
  },
  {
    name: 'HPA v2 tolerance kept in 1.35',
    upstream: `${R}/autoscaling/horizontalpodautoscaler/strategy.go PrepareForCreate (HPAConfigurableTolerance)`,
    gvk: 'autoscaling/v2/HorizontalPodAutoscaler',
    version: '1.35',
    input: { metadata: { name: 'h' }, spec: { behavior: { scaleUp: { tolerance: '50m' } } } },
    expect: { spec: { behavior: { scaleUp: { tolerance: '50m' } } } },
  },
  {
    name: 'HPA v1 status counters',
    upstream: `${R}/autoscaling/horizontalpodautoscaler/strategy.go PrepareForCreate`,
    gvk: 'autoscaling/v1/HorizontalPodAutoscaler',
    input: { metadata: { name: 'h' } },
    expect: { status: { currentReplicas: 0, desiredReplicas: 0 } },
  },
  {
    name: 'CSIDriver nodeAllocatableUpdatePeriodSeconds dropped in 1.34',
    upstream: `${R}/storage/csidriver/strategy.go PrepareForCreate (MutableCSINodeAllocatableCount)`,
    gvk: 'storage.k8s.io/v1/CSIDriver',
    version: '1.34',
    input: { metadata: { name: 'd' }, spec: { nodeAllocatableUpdatePeriodSeconds: 60, seLinuxMount: true } },
    expect: { spec: { seLinuxMount: true } },
    absent: ['spec.nodeAllocatableUpdatePeriodSeconds'],
  },
  {
    name: 'CSIDriver nodeAllocatableUpdatePeriodSeconds kept in 1.35',
    upstream: `${R}/storage/csidriver/strategy.go PrepareForCreate (MutableCSINodeAllocatableCount)`,
    gvk: 'storage.k8s.io/v1/CSIDriver',
    version: '1.35',
    input: { metadata: { name: 'd' }, spec: { nodeAllocatableUpdatePeriodSeconds: 60 } },
    expect: { spec: { nodeAllocatableUpdatePeriodSeconds: 60 } },
  },
  {
    name: 'CSIDriver serviceAccountTokenInSecrets dropped before 1.35',
    upstream: `${R}/storage/csidriver/strategy.go PrepareForCreate (CSIServiceAccountTokenSecrets)`,
    gvk: 'storage.k8s.io/v1/CSIDriver',
    version: '1.34',
    input: { metadata: { name: 'd' }, spec: { serviceAccountTokenInSecrets: true } },
    absent: ['spec.serviceAccountTokenInSecrets'],
  },
  {
    name: 'CSIDriver serviceAccountTokenInSecrets kept in 1.35',
    upstream: `${R}/storage/csidriver/strategy.go PrepareForCreate (CSIServiceAccountTokenSecrets)`,
    gvk: 'storage.k8s.io/v1/CSIDriver',
    version: '1.35',
    input: { metadata: { name: 'd' }, spec: { serviceAccountTokenInSecrets: true } },
    expect: { spec: { serviceAccountTokenInSecrets: true } },
  },
  {
    name: 'HPA v2 tolerance dropped in 1.33 too',
    upstream: `${R}/autoscaling/horizontalpodautoscaler/strategy.go PrepareForCreate (HPAConfigurableTolerance)`,
    gvk: 'autoscaling/v2/HorizontalPodAutoscaler',
    version: '1.33',
    input: { metadata: { name: 'h' }, spec: { behavior: { scaleDown: { tolerance: '50m' } } } },
    absent: ['spec.behavior.scaleDown.tolerance'],
  },
  {
    name: 'PriorityLevelConfiguration status reset, generation',
    upstream: `${R}/flowcontrol/prioritylevelconfiguration/strategy.go PrepareForCreate`,
    gvk: 'flowcontrol.apiserver.k8s.io/v1/PriorityLevelConfiguration',
    input: { metadata: { name: 'p' }, status: { conditions: [] } },
    expect: { metadata: { generation: 1 }, status: {} },
    absent: ['status.conditions'],
  },
  {
    name: 'FlowSchema status reset, generation',
    upstream: `${R}/flowcontrol/flowschema/strategy.go PrepareForCreate`,
    gvk: 'flowcontrol.apiserver.k8s.io/v1/FlowSchema',
    input: { metadata: { name: 'f' }, status: { conditions: [] } },
    expect: { metadata: { generation: 1 }, status: {} },
  },
  {
    name: 'CertificateSigningRequest user fields from the request',
    upstream: `${R}/certificates/certificates/strategy.go PrepareForCreate`,
    gvk: 'certificates.k8s.io/v1/CertificateSigningRequest',
    input: {
      metadata: { name: 'csr' },
      spec: { request: 'eA==', signerName: 's', username: 'spoofed', groups: ['x'] },
    },
    expect: { spec: { request: 'eA==', signerName: 's' }, status: {} },
    absent: ['spec.username', 'spec.groups'],
  },
  {
    name: 'CRD status reset with storedVersions, generation',
    upstream: 'apiextensions-apiserver pkg/registry/customresourcedefinition/strategy.go PrepareForCreate',
    gvk: 'apiextensions.k8s.io/v1/CustomResourceDefinition',
    input: {
      metadata: { name: 'w.x.io' },
      spec: { versions: [{ name: 'v1', storage: true }] },
      status: { storedVersions: ['v0'] },
    },
    expect: {
      metadata: { generation: 1 },
      status: { conditions: null, acceptedNames: { plural: '', kind: '' }, storedVersions: ['v1'] },
    },
  },
];

describe('apiserver prepare: PrepareForCreate per kind (spec §5.1)', () => {
  runCases(cases, (obj, ctx) => {
    prepareForCreate(obj, ctx);
    // uid and creationTimestamp differ per seed; the `exact` cases blank them after checking their shape.
    const metadata = obj.metadata;
    if (typeof metadata === 'object' && metadata !== null && !Array.isArray(metadata)) {
      if (
        !/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/.test(String(metadata.uid)) &&
        metadata.uid !== '11111111-2222-4333-8444-555555555555'
      ) {
        throw new Error(`uid ${String(metadata.uid)} is not a UUID v4`);
      }
      if (metadata.uid !== '11111111-2222-4333-8444-555555555555') metadata.uid = '';
      if (metadata.creationTimestamp !== '2026-12-07T01:00:00Z')
        throw new Error(`creationTimestamp ${String(metadata.creationTimestamp)}`);
      metadata.creationTimestamp = '';
    }
  });
});
