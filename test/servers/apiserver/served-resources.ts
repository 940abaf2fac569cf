/**
 * What the test server serves: the built-in resources a default v1.33 kube-apiserver enables (its own table,
 * builtin-served.ts, generated from that version's OpenAPI documents, not the plugin's), plus the resources
 * of every CustomResourceDefinition in the store. Recomputed from the store, so discovery follows CRD changes.
 */
import { BUILTIN_SERVED as BUILTIN_TABLE } from './builtin-served';
import type { KubeObject } from '../../../lib/manifests';
import { compareKubeVersions } from './kube-version';

export const SERVER_VERSION = { major: '1', minor: '33', gitVersion: 'v1.33.0' } as const;

export interface ServedResource {
  group: string;
  version: string;
  kind: string;
  resource: string;
  singular: string;
  namespaced: boolean;
  verbs: readonly string[];
  shortNames: readonly string[];
  categories: readonly string[];
  /** Served for a CustomResourceDefinition (whose list items, unlike built-ins', carry apiVersion and kind). */
  custom: boolean;
}

export interface ServedGroup {
  name: string;
  /** Preferred first. */
  versions: string[];
}

/** Group-versions a v1.33 server enables by default (betas and alphas behind --runtime-config are left out). */
const DEFAULT_GROUP_VERSIONS = new Set([
  'v1',
  'admissionregistration.k8s.io/v1',
  'apiextensions.k8s.io/v1',
  'apiregistration.k8s.io/v1',
  'apps/v1',
  'authentication.k8s.io/v1',
  'authorization.k8s.io/v1',
  'autoscaling/v2',
  'autoscaling/v1',
  'batch/v1',
  'certificates.k8s.io/v1',
  'coordination.k8s.io/v1',
  'discovery.k8s.io/v1',
  'events.k8s.io/v1',
  'flowcontrol.apiserver.k8s.io/v1',
  'networking.k8s.io/v1',
  'node.k8s.io/v1',
  'policy/v1',
  'rbac.authorization.k8s.io/v1',
  'scheduling.k8s.io/v1',
  'storage.k8s.io/v1',
]);

/** Kinds in an enabled group-version that only reach v1 after 1.33. */
const NOT_YET_GA = new Set(['MutatingAdmissionPolicy', 'MutatingAdmissionPolicyBinding', 'VolumeAttributesClass']);

const CREATE_ONLY = new Set([
  'Binding',
  'TokenReview',
  'SelfSubjectReview',
  'LocalSubjectAccessReview',
  'SelfSubjectAccessReview',
  'SelfSubjectRulesReview',
  'SubjectAccessReview',
]);
const READ_ONLY = new Set(['ComponentStatus']);
const FULL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

const SHORT_NAMES: Readonly<Record<string, readonly string[]>> = {
  componentstatuses: ['cs'],
  configmaps: ['cm'],
  endpoints: ['ep'],
  events: ['ev'],
  limitranges: ['limits'],
  namespaces: ['ns'],
  nodes: ['no'],
  persistentvolumeclaims: ['pvc'],
  persistentvolumes: ['pv'],
  pods: ['po'],
  replicationcontrollers: ['rc'],
  resourcequotas: ['quota'],
  serviceaccounts: ['sa'],
  services: ['svc'],
  customresourcedefinitions: ['crd', 'crds'],
  daemonsets: ['ds'],
  deployments: ['deploy'],
  replicasets: ['rs'],
  statefulsets: ['sts'],
  horizontalpodautoscalers: ['hpa'],
  cronjobs: ['cj'],
  certificatesigningrequests: ['csr'],
  ingresses: ['ing'],
  networkpolicies: ['netpol'],
  poddisruptionbudgets: ['pdb'],
  priorityclasses: ['pc'],
  storageclasses: ['sc'],
};

const CATEGORY_ALL = new Set([
  'pods',
  'replicationcontrollers',
  'services',
  'daemonsets',
  'deployments',
  'replicasets',
  'statefulsets',
  'horizontalpodautoscalers',
  'cronjobs',
  'jobs',
]);

function verbsFor(kind: string, resource: string): readonly string[] {
  if (CREATE_ONLY.has(kind)) return ['create'];
  if (READ_ONLY.has(kind)) return ['get', 'list'];
  if (resource === 'namespaces') return FULL_VERBS.filter((v) => v !== 'deletecollection');
  return FULL_VERBS;
}

const BUILTIN_SERVED: readonly ServedResource[] = BUILTIN_TABLE.filter(
  (r) => DEFAULT_GROUP_VERSIONS.has(r.group === '' ? r.version : `${r.group}/${r.version}`) && !NOT_YET_GA.has(r.kind),
).map((r) => ({
  group: r.group,
  version: r.version,
  kind: r.kind,
  resource: r.resource,
  singular: r.kind.toLowerCase(),
  namespaced: r.namespaced,
  verbs: verbsFor(r.kind, r.resource),
  shortNames: SHORT_NAMES[r.resource] ?? [],
  categories: r.group !== 'extensions' && CATEGORY_ALL.has(r.resource) ? ['all'] : [],
  custom: false,
}));

interface CrdSpec {
  group?: unknown;
  scope?: unknown;
  names?: { plural?: unknown; singular?: unknown; kind?: unknown; shortNames?: unknown; categories?: unknown };
  versions?: Array<{ name?: unknown; served?: unknown }>;
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);

/** The resources one CRD object adds; an incomplete CRD adds none (the server validated the ones it stored). */
export function crdResources(crd: KubeObject): ServedResource[] {
  const spec = crd.spec as CrdSpec | undefined;
  const group = spec?.group;
  const plural = spec?.names?.plural;
  const kind = spec?.names?.kind;
  if (
    typeof group !== 'string' ||
    typeof plural !== 'string' ||
    typeof kind !== 'string' ||
    !Array.isArray(spec?.versions)
  )
    return [];
  const singular =
    typeof spec.names?.singular === 'string' && spec.names.singular ? spec.names.singular : kind.toLowerCase();
  return spec.versions
    .filter((v) => typeof v?.name === 'string' && v.served !== false)
    .map((v) => ({
      group,
      version: v.name as string,
      kind,
      resource: plural,
      singular,
      namespaced: spec.scope !== 'Cluster',
      verbs: FULL_VERBS,
      shortNames: strings(spec.names?.shortNames),
      categories: strings(spec.names?.categories),
      custom: true,
    }));
}

/** An index over what is served right now, built from the CRDs currently stored. */
export class ServedIndex {
  readonly all: readonly ServedResource[];
  private readonly byGvr = new Map<string, ServedResource>();
  private readonly byGroupKind = new Map<string, ServedResource>();

  constructor(crds: readonly KubeObject[]) {
    const all = [...BUILTIN_SERVED];
    for (const crd of crds) all.push(...crdResources(crd));
    this.all = all;
    for (const r of all) {
      this.byGvr.set(`${r.group}/${r.version}/${r.resource}`, r);
      const gk = `${r.group}/${r.kind}`;
      const known = this.byGroupKind.get(gk);
      if (!known || compareKubeVersions(r.version, known.version) < 0) this.byGroupKind.set(gk, r);
    }
  }

  find(group: string, version: string, resource: string): ServedResource | undefined {
    return this.byGvr.get(`${group}/${version}/${resource}`);
  }

  /** The preferred served version of a kind; undefined when the kind is not served. */
  byKind(group: string, kind: string): ServedResource | undefined {
    return this.byGroupKind.get(`${group}/${kind}`);
  }

  hasGroupVersion(group: string, version: string): boolean {
    return this.all.some((r) => r.group === group && r.version === version);
  }

  /** Groups other than core, versions preferred first, in the order the real server lists them (built-ins, then CRDs). */
  groups(): ServedGroup[] {
    const out = new Map<string, Set<string>>();
    for (const r of this.all) {
      if (r.group === '') continue;
      let vs = out.get(r.group);
      if (!vs) out.set(r.group, (vs = new Set()));
      vs.add(r.version);
    }
    return [...out].map(([name, vs]) => ({ name, versions: [...vs].sort(compareKubeVersions) }));
  }

  resourcesOf(group: string, version: string): ServedResource[] {
    return this.all.filter((r) => r.group === group && r.version === version);
  }
}
