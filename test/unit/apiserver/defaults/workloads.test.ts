import { applyDefaults } from '../../../../lib/apiserver/defaults/index';
import { runCases, type RuleCase } from './harness';

const A = 'pkg/apis/apps/v1/defaults.go';
const B = 'pkg/apis/batch/v1/defaults.go';
const template = { metadata: { labels: { app: 'a' } }, spec: { containers: [{ name: 'c', image: 'x:1' }] } };

const cases: RuleCase[] = [
  {
    name: 'Deployment defaults',
    upstream: `${A} SetDefaults_Deployment`,
    gvk: 'apps/v1/Deployment',
    input: { spec: { template } },
    expect: {
      spec: {
        replicas: 1,
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
        revisionHistoryLimit: 10,
        progressDeadlineSeconds: 600,
      },
    },
  },
  {
    name: 'Deployment Recreate gets no rollingUpdate',
    upstream: `${A} SetDefaults_Deployment`,
    gvk: 'apps/v1/Deployment',
    input: { spec: { replicas: 0, strategy: { type: 'Recreate' }, template } },
    expect: { spec: { replicas: 0, strategy: { type: 'Recreate' } } },
    absent: ['spec.strategy.rollingUpdate'],
  },
  {
    name: 'StatefulSet defaults with MaxUnavailableStatefulSet on',
    upstream: `${A} SetDefaults_StatefulSet`,
    gvk: 'apps/v1/StatefulSet',
    version: '1.35',
    input: { spec: { template } },
    expect: {
      spec: {
        podManagementPolicy: 'OrderedReady',
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 1 } },
        persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Retain', whenScaled: 'Retain' },
        replicas: 1,
        revisionHistoryLimit: 10,
      },
    },
  },
  {
    name: 'StatefulSet has no maxUnavailable default in 1.34 (gate off)',
    upstream: `${A} SetDefaults_StatefulSet (MaxUnavailableStatefulSet)`,
    gvk: 'apps/v1/StatefulSet',
    version: '1.34',
    input: { spec: { template } },
    expect: { spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } } } },
    absent: ['spec.updateStrategy.rollingUpdate.maxUnavailable'],
  },
  {
    name: 'StatefulSet has no maxUnavailable default in 1.33 (gate off)',
    upstream: `${A} SetDefaults_StatefulSet (MaxUnavailableStatefulSet)`,
    gvk: 'apps/v1/StatefulSet',
    version: '1.33',
    input: { spec: { template } },
    absent: ['spec.updateStrategy.rollingUpdate.maxUnavailable'],
  },
  {
    name: 'StatefulSet explicit RollingUpdate type gets no rollingUpdate object',
    upstream: `${A} SetDefaults_StatefulSet`,
    gvk: 'apps/v1/StatefulSet',
    input: { spec: { updateStrategy: { type: 'RollingUpdate' }, template } },
    absent: ['spec.updateStrategy.rollingUpdate'],
  },
  {
    name: 'StatefulSet volumeClaimTemplates get PVC defaults and type meta',
    upstream: `${A} SetDefaults_StatefulSet; pkg/apis/apps/v1/conversion.go`,
    gvk: 'apps/v1/StatefulSet',
    input: {
      spec: {
        template,
        volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { resources: { requests: { storage: '1Gi' } } } }],
      },
    },
    expect: {
      spec: {
        volumeClaimTemplates: [
          {
            kind: 'PersistentVolumeClaim',
            apiVersion: 'v1',
            metadata: { name: 'data' },
            spec: { volumeMode: 'Filesystem' },
            status: { phase: 'Pending' },
          },
        ],
      },
    },
  },
  {
    name: 'DaemonSet defaults',
    upstream: `${A} SetDefaults_DaemonSet`,
    gvk: 'apps/v1/DaemonSet',
    input: { spec: { template } },
    expect: {
      spec: {
        updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
        revisionHistoryLimit: 10,
      },
    },
  },
  {
    name: 'ReplicaSet replicas',
    upstream: `${A} SetDefaults_ReplicaSet`,
    gvk: 'apps/v1/ReplicaSet',
    input: { spec: { template } },
    expect: { spec: { replicas: 1, template: { spec: { dnsPolicy: 'ClusterFirst' } } } },
  },
  {
    name: 'Job defaults',
    upstream: `${B} SetDefaults_Job`,
    gvk: 'batch/v1/Job',
    input: { metadata: { name: 'j' }, spec: { template } },
    expect: {
      metadata: { labels: { app: 'a' } },
      spec: {
        completions: 1,
        parallelism: 1,
        backoffLimit: 6,
        completionMode: 'NonIndexed',
        suspend: false,
        podReplacementPolicy: 'TerminatingOrFailed',
        manualSelector: false,
      },
    },
  },
  {
    name: 'Job with completions only, backoffLimitPerIndex, podFailurePolicy',
    upstream: `${B} SetDefaults_Job`,
    gvk: 'batch/v1/Job',
    version: '1.33',
    input: {
      spec: {
        completions: 5,
        completionMode: 'Indexed',
        backoffLimitPerIndex: 1,
        podFailurePolicy: { rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] }] },
        template,
      },
    },
    expect: {
      spec: {
        completions: 5,
        parallelism: 1,
        backoffLimit: 2147483647,
        completionMode: 'Indexed',
        podReplacementPolicy: 'Failed',
        podFailurePolicy: {
          rules: [{ action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget', status: 'True' }] }],
        },
      },
    },
  },
  {
    name: 'CronJob defaults; the job template gets only pod template defaults',
    upstream: `${B} SetDefaults_CronJob`,
    gvk: 'batch/v1/CronJob',
    input: { spec: { schedule: '* * * * *', jobTemplate: { spec: { template } } } },
    expect: {
      spec: {
        concurrencyPolicy: 'Allow',
        suspend: false,
        successfulJobsHistoryLimit: 3,
        failedJobsHistoryLimit: 1,
        jobTemplate: { spec: { template: { spec: { restartPolicy: 'Always' } } } },
      },
    },
    absent: [
      'spec.jobTemplate.spec.backoffLimit',
      'spec.jobTemplate.spec.completions',
      'spec.jobTemplate.spec.suspend',
    ],
  },
];

describe('apiserver defaults: apps/v1 and batch/v1', () => runCases(cases, (obj, ctx) => applyDefaults(obj, ctx)));
