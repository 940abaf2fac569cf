/**
 * Minimal but valid CustomResourceDefinition objects (apiextensions.k8s.io/v1) for the kinds the plugin reads or
 * writes in a cluster. Schemas preserve unknown fields: the test server does not validate CR bodies.
 */
import type { KubeObject } from '../../../lib/manifests';

export interface CrdSpec {
  group: string;
  kind: string;
  plural: string;
  scope: 'Namespaced' | 'Cluster';
  /** Served versions, the storage version first. */
  versions: string[];
  shortNames?: string[];
  categories?: string[];
}

export function customResourceDefinition(s: CrdSpec): KubeObject {
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${s.plural}.${s.group}` },
    spec: {
      group: s.group,
      names: {
        kind: s.kind,
        listKind: `${s.kind}List`,
        plural: s.plural,
        singular: s.kind.toLowerCase(),
        ...(s.shortNames ? { shortNames: s.shortNames } : {}),
        ...(s.categories ? { categories: s.categories } : {}),
      },
      scope: s.scope,
      versions: s.versions.map((name, i) => ({
        name,
        served: true,
        storage: i === 0,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
      })),
    },
  };
}

const KUBEWARDEN = 'policies.kubewarden.io';

/** policies.kubewarden.io/v1: the two policy kinds, the two policy-group kinds and PolicyServer. */
export function kubewardenCrds(): KubeObject[] {
  const categories = ['kubewarden'];
  return [
    customResourceDefinition({
      group: KUBEWARDEN,
      kind: 'ClusterAdmissionPolicy',
      plural: 'clusteradmissionpolicies',
      scope: 'Cluster',
      versions: ['v1'],
      categories,
    }),
    customResourceDefinition({
      group: KUBEWARDEN,
      kind: 'AdmissionPolicy',
      plural: 'admissionpolicies',
      scope: 'Namespaced',
      versions: ['v1'],
      categories,
    }),
    customResourceDefinition({
      group: KUBEWARDEN,
      kind: 'ClusterAdmissionPolicyGroup',
      plural: 'clusteradmissionpolicygroups',
      scope: 'Cluster',
      versions: ['v1'],
      categories,
    }),
    customResourceDefinition({
      group: KUBEWARDEN,
      kind: 'AdmissionPolicyGroup',
      plural: 'admissionpolicygroups',
      scope: 'Namespaced',
      versions: ['v1'],
      categories,
    }),
    customResourceDefinition({
      group: KUBEWARDEN,
      kind: 'PolicyServer',
      plural: 'policyservers',
      scope: 'Cluster',
      versions: ['v1'],
      shortNames: ['ps'],
      categories,
    }),
  ];
}

/** wgpolicyk8s.io/v1alpha2 PolicyReport/ClusterPolicyReport and openreports.io/v1alpha1 Report/ClusterReport. */
export function reportCrds(): KubeObject[] {
  return [
    customResourceDefinition({
      group: 'wgpolicyk8s.io',
      kind: 'PolicyReport',
      plural: 'policyreports',
      scope: 'Namespaced',
      versions: ['v1alpha2'],
      shortNames: ['polr'],
    }),
    customResourceDefinition({
      group: 'wgpolicyk8s.io',
      kind: 'ClusterPolicyReport',
      plural: 'clusterpolicyreports',
      scope: 'Cluster',
      versions: ['v1alpha2'],
      shortNames: ['cpolr'],
    }),
    customResourceDefinition({
      group: 'openreports.io',
      kind: 'Report',
      plural: 'reports',
      scope: 'Namespaced',
      versions: ['v1alpha1'],
      shortNames: ['rep'],
    }),
    customResourceDefinition({
      group: 'openreports.io',
      kind: 'ClusterReport',
      plural: 'clusterreports',
      scope: 'Cluster',
      versions: ['v1alpha1'],
      shortNames: ['crep'],
    }),
  ];
}
