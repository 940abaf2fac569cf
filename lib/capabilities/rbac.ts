import type { KubeObject } from '../manifests/types';
import type { AccessReviewSpec, SubjectAccessReviewStatus } from './requests';

interface PolicyRule {
  verbs: string[];
  apiGroups: string[];
  resources: string[];
  resourceNames: string[];
}

interface Subject {
  kind: string;
  name: string;
  namespace?: string;
}

interface Binding {
  kind: 'RoleBinding' | 'ClusterRoleBinding';
  name: string;
  /** RoleBinding: the namespace it grants in. */
  namespace?: string;
  roleRef: { kind: string; name: string };
  subjects: Subject[];
}

const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function rulesOf(o: KubeObject): PolicyRule[] {
  const rules = Array.isArray(o.rules) ? (o.rules as Record<string, unknown>[]) : [];
  return rules
    .filter((r) => r !== null && typeof r === 'object')
    .map((r) => ({
      verbs: strings(r.verbs),
      apiGroups: strings(r.apiGroups),
      resources: strings(r.resources),
      resourceNames: strings(r.resourceNames),
    }));
}

const isRbac = (o: KubeObject): boolean => o.apiVersion === 'rbac.authorization.k8s.io/v1';

/**
 * Answers SubjectAccessReviews from the RBAC objects of the input (Roles, ClusterRoles and their bindings), as the
 * API server's RBAC authorizer would, plus its privileged-group rule: `system:masters` may do anything.
 * ClusterRole aggregation and non-resource URLs are not modelled.
 */
export class RbacAuthorizer {
  private readonly roles = new Map<string, PolicyRule[]>();
  private readonly clusterRoles = new Map<string, PolicyRule[]>();
  private readonly bindings: Binding[] = [];

  constructor(objects: readonly KubeObject[], defaultNamespace: string) {
    for (const o of objects) {
      if (!isRbac(o)) continue;
      const name = o.metadata?.name;
      if (typeof name !== 'string') continue;
      const ns = o.metadata?.namespace ?? defaultNamespace;
      if (o.kind === 'Role') this.roles.set(`${ns}/${name}`, rulesOf(o));
      else if (o.kind === 'ClusterRole') this.clusterRoles.set(name, rulesOf(o));
      else if (o.kind === 'RoleBinding' || o.kind === 'ClusterRoleBinding') {
        const ref = o.roleRef as { kind?: unknown; name?: unknown } | undefined;
        if (typeof ref?.kind !== 'string' || typeof ref.name !== 'string') continue;
        const subjects = (Array.isArray(o.subjects) ? (o.subjects as Subject[]) : []).filter(
          (s) => s && typeof s.kind === 'string' && typeof s.name === 'string',
        );
        this.bindings.push({
          kind: o.kind,
          name,
          ...(o.kind === 'RoleBinding' ? { namespace: ns } : {}),
          roleRef: { kind: ref.kind, name: ref.name },
          subjects,
        });
      }
    }
  }

  review(spec: AccessReviewSpec): SubjectAccessReviewStatus {
    if (spec.groups.includes('system:masters'))
      return { allowed: true, reason: 'allowed: the user is in the group system:masters, which may do anything' };
    const a = spec.resourceAttributes;
    const requestNs = a.namespace ?? '';
    for (const b of this.bindings) {
      if (b.kind === 'RoleBinding' && b.namespace !== requestNs) continue;
      const subject = b.subjects.find((s) => subjectMatches(s, b.namespace, spec));
      if (!subject) continue;
      const rules =
        b.roleRef.kind === 'ClusterRole'
          ? this.clusterRoles.get(b.roleRef.name)
          : this.roles.get(`${b.namespace}/${b.roleRef.name}`);
      if (!rules || !rules.some((r) => ruleAllows(r, spec))) continue;
      const where =
        b.kind === 'RoleBinding'
          ? `RoleBinding "${b.name}" of ${b.roleRef.kind} "${b.roleRef.name}" in namespace "${b.namespace}"`
          : `ClusterRoleBinding "${b.name}" of ClusterRole "${b.roleRef.name}"`;
      return { allowed: true, reason: `RBAC: allowed by ${where} to ${subject.kind} "${subject.name}"` };
    }
    return { allowed: false, reason: `no RBAC rule in the input allows ${describe(spec)}` };
  }
}

function subjectMatches(s: Subject, bindingNs: string | undefined, spec: AccessReviewSpec): boolean {
  switch (s.kind) {
    case 'User':
      return s.name === spec.user;
    case 'Group':
      return spec.groups.includes(s.name);
    case 'ServiceAccount':
      return spec.user === `system:serviceaccount:${s.namespace ?? bindingNs ?? ''}:${s.name}`;
    default:
      return false;
  }
}

function ruleAllows(r: PolicyRule, spec: AccessReviewSpec): boolean {
  const a = spec.resourceAttributes;
  const resource = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  const has = (list: string[], v: string): boolean => list.includes('*') || list.includes(v);
  if (!has(r.verbs, a.verb) || !has(r.apiGroups, a.group ?? '')) return false;
  if (
    !r.resources.includes('*') &&
    !r.resources.includes(resource) &&
    !(a.subresource && r.resources.includes(`*/${a.subresource}`))
  )
    return false;
  return r.resourceNames.length === 0 || (a.name !== undefined && r.resourceNames.includes(a.name));
}

function describe(spec: AccessReviewSpec): string {
  const a = spec.resourceAttributes;
  const res = `${a.group ? a.group + '/' : ''}${a.resource}${a.subresource ? '/' + a.subresource : ''}`;
  return `user "${spec.user}"${spec.groups.length ? ` (groups ${spec.groups.join(', ')})` : ''} to ${a.verb} ${res}${a.name ? ` "${a.name}"` : ''}${a.namespace ? ` in namespace "${a.namespace}"` : ' cluster-wide'}`;
}
