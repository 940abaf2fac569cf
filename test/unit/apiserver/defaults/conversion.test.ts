import { applyDefaults } from '../../../../lib/apiserver/defaults/index';
import { runCases, type RuleCase } from './harness';

const C = 'pkg/apis/core/v1/conversion.go';
const A = 'pkg/apis/apps/v1/conversion.go';

const cases: RuleCase[] = [
  {
    name: 'Secret stringData merged into data as base64, stringData wins',
    upstream: `${C} Convert_v1_Secret_To_core_Secret`,
    gvk: 'v1/Secret',
    input: { data: { a: 'b2xk', z: 'eg==' }, stringData: { a: 'new', b: 'é' } },
    exact: { data: { a: 'bmV3', b: 'w6k=', z: 'eg==' }, type: 'Opaque' },
  },
  {
    name: 'Pod serviceAccount mirrors serviceAccountName',
    upstream: `${C} Convert_core_PodSpec_To_v1_PodSpec`,
    gvk: 'v1/Pod',
    input: { spec: { serviceAccountName: 'builder', containers: [] } },
    expect: { spec: { serviceAccountName: 'builder', serviceAccount: 'builder' } },
  },
  {
    name: 'Pod with only the deprecated serviceAccount',
    upstream: `${C} Convert_v1_PodSpec_To_core_PodSpec`,
    gvk: 'v1/Pod',
    input: { spec: { serviceAccount: 'old', containers: [] } },
    expect: { spec: { serviceAccountName: 'old', serviceAccount: 'old' } },
  },
  {
    name: 'template serviceAccount mirrored too (Deployment)',
    upstream: `${C} Convert_core_PodSpec_To_v1_PodSpec`,
    gvk: 'apps/v1/Deployment',
    input: { spec: { template: { spec: { serviceAccountName: 'x', containers: [] } } } },
    expect: { spec: { template: { spec: { serviceAccount: 'x' } } } },
  },
  {
    name: 'Pod negative terminationGracePeriodSeconds becomes 1',
    upstream: `${C} Convert_v1_Pod_To_core_Pod`,
    gvk: 'v1/Pod',
    input: { spec: { terminationGracePeriodSeconds: -5, containers: [] } },
    expect: { spec: { terminationGracePeriodSeconds: 1 } },
  },
  {
    name: 'legacy init-container annotations dropped',
    upstream: `${C} Convert_v1_Pod_To_core_Pod`,
    gvk: 'v1/Pod',
    input: {
      metadata: { annotations: { 'pod.beta.kubernetes.io/init-containers': '[]', keep: 'y' } },
      spec: { containers: [] },
    },
    exact: {
      metadata: { annotations: { keep: 'y' } },
      spec: {
        containers: [],
        dnsPolicy: 'ClusterFirst',
        restartPolicy: 'Always',
        securityContext: {},
        terminationGracePeriodSeconds: 30,
        schedulerName: 'default-scheduler',
        enableServiceLinks: true,
      },
    },
  },
  {
    name: 'DaemonSet template generation annotation "0" (mutating stage)',
    upstream: `${A} Convert_apps_DaemonSet_To_v1_DaemonSet`,
    gvk: 'apps/v1/DaemonSet',
    input: { metadata: { name: 'd' }, spec: { template: { spec: { containers: [] } } } },
    expect: { metadata: { annotations: { 'deprecated.daemonset.template.generation': '0' } } },
  },
  {
    name: 'DaemonSet annotation keeps a valid input generation',
    upstream: `${A} Convert_v1_DaemonSet_To_apps_DaemonSet`,
    gvk: 'apps/v1/DaemonSet',
    input: {
      metadata: { name: 'd', annotations: { 'deprecated.daemonset.template.generation': '7' } },
      spec: { template: { spec: { containers: [] } } },
    },
    expect: { metadata: { annotations: { 'deprecated.daemonset.template.generation': '7' } } },
  },
];

describe('apiserver defaults: conversion effects (spec §6.3)', () =>
  runCases(cases, (obj, ctx) => applyDefaults(obj, ctx)));
