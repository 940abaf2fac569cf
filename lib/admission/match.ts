import type { PolicyRule } from '../wasm/metadata';
import type { Operation } from './types';

/** What a rule is matched against: the request's resource, scope and operation. */
export interface RuleTarget {
  group: string;
  version: string;
  resource: string;
  subResource?: string;
  namespaced: boolean;
  operation: Operation;
}

/**
 * admissionregistration/v1 RuleWithOperations matching, as the API server does it for webhooks:
 * `*` in groups/versions/operations, `*`, `*\/*`, `res/*`, `*\/sub` and `res/sub` in resources, and scope.
 */
export function ruleMatches(rule: PolicyRule, t: RuleTarget): boolean {
  if (!rule.operations.includes('*') && !rule.operations.includes(t.operation)) return false;
  if (!rule.apiGroups.includes('*') && !rule.apiGroups.includes(t.group)) return false;
  if (!rule.apiVersions.includes('*') && !rule.apiVersions.includes(t.version)) return false;
  const scope = rule.scope ?? '*';
  if (scope === 'Cluster' && t.namespaced) return false;
  if (scope === 'Namespaced' && !t.namespaced) return false;
  return rule.resources.some((r) => resourceMatches(r, t.resource, t.subResource ?? ''));
}

function resourceMatches(pattern: string, resource: string, sub: string): boolean {
  if (pattern === '*/*') return true;
  const slash = pattern.indexOf('/');
  if (slash < 0) return sub === '' && (pattern === '*' || pattern === resource);
  const pr = pattern.slice(0, slash);
  const ps = pattern.slice(slash + 1);
  return (pr === '*' || pr === resource) && (ps === '*' || ps === sub);
}

export function anyRuleMatches(rules: PolicyRule[], t: RuleTarget): boolean {
  return rules.some((r) => ruleMatches(r, t));
}
