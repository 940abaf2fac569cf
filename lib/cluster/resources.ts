/** Questions answered from discovery alone: which resource serves a kind, which resources a rule names. */
import { splitApiVersion } from '../kube/api-path';
import type { Discovery } from './discovery';
import type { ApiResource, ResourceRule } from './types';

export function findResource(d: Discovery, apiVersion: string, kind: string): ApiResource | undefined {
  const { group, version } = splitApiVersion(apiVersion);
  return d.resources.find((r) => r.group === group && r.version === version && r.kind === kind);
}

/**
 * The resources a rule names, for listing. `*` in apiGroups means every group; `*` in apiVersions means each
 * group's preferred version (every served version would list the same objects once per version); `*` in
 * resources means every resource. Subresources (`pods/status`, `deployments/scale`) are never listed, and neither are
 * resources the server cannot list (tokenreviews, bindings).
 */
export function expandRule(d: Discovery, rule: ResourceRule): ApiResource[] {
  const anyGroup = rule.apiGroups.includes('*');
  const anyVersion = rule.apiVersions.includes('*');
  const anyResource = rule.resources.includes('*');
  const names = new Set(rule.resources.filter((r) => !r.includes('/')));
  const seen = new Set<string>();
  const out: ApiResource[] = [];
  for (const r of d.resources) {
    if (!anyGroup && !rule.apiGroups.includes(r.group)) continue;
    if (anyVersion ? d.preferred.get(r.group) !== r.version : !rule.apiVersions.includes(r.version)) continue;
    if (!anyResource && !names.has(r.resource)) continue;
    if (!r.verbs.includes('list')) continue;
    const key = `${r.group}/${r.version}/${r.resource}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(r);
  }
  return out;
}
