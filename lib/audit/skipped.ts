import type { Cluster } from '../cluster/types';
import { isEmptySelector, selectorMatches } from '../kube/label-selector';
import type { ObjectRef } from '../evaluation/result';
import type { SkippedUnit } from './select';

/** Where a skipped unit counts: the scopes its rules' resources are in (every scope for wildcard/CREATE-less ones). */
interface SkippedScope {
  unit: SkippedUnit['unit'];
  namespaced: boolean;
  cluster: boolean;
}

/**
 * audit-scanner's `SkippedNum` for one object's report (`policies/client.go` GetPoliciesByNamespace and
 * GetClusterWidePolicies, then groupPoliciesByGVR): in a namespace, the skipped cluster-wide policies whose own
 * namespaceSelector matches it and the skipped AdmissionPolicies of that namespace; for a cluster-scoped object,
 * the skipped cluster-wide policies. Policies skipped for backgroundAudit or status count only where their rules
 * name resources (audit-scanner checks those after leaving out policies without resources in the scope).
 */
export async function skippedCounter(
  cluster: Cluster,
  skipped: readonly SkippedUnit[],
  namespaceLabels: (name: string) => Record<string, string>,
): Promise<(object: ObjectRef) => number> {
  const scopes: SkippedScope[] = [];
  for (const s of skipped) {
    if (s.why === 'wildcard' || s.why === 'noCreate') {
      scopes.push({ unit: s.unit, namespaced: true, cluster: true });
      continue;
    }
    let namespaced = false;
    let clusterScoped = false;
    for (const rule of s.rules) {
      for (const res of await cluster.resourcesFor(rule)) {
        if (rule.scope === 'Cluster' && res.namespaced) continue;
        if (rule.scope === 'Namespaced' && !res.namespaced) continue;
        if (res.namespaced) namespaced = true;
        else clusterScoped = true;
      }
    }
    scopes.push({ unit: s.unit, namespaced, cluster: clusterScoped });
  }
  const perNamespace = new Map<string, number>();
  const clusterCount = scopes.filter((s) => s.cluster && s.unit.spec.resource?.namespace === undefined).length;
  return (object) => {
    const ns = object.namespace;
    if (ns === undefined) return clusterCount;
    let n = perNamespace.get(ns);
    if (n === undefined) {
      const labels = namespaceLabels(ns);
      n = scopes.filter((s) => {
        if (!s.namespaced) return false;
        const r = s.unit.spec.resource;
        if (r?.namespace !== undefined) return r.namespace === ns;
        return isEmptySelector(r?.auditNamespaceSelector) || selectorMatches(r?.auditNamespaceSelector, labels);
      }).length;
      perNamespace.set(ns, n);
    }
    return n;
  };
}
