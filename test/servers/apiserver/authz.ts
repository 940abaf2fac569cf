/**
 * Authorization: everything is allowed except what a `forbidden` rule denies. A rule naming a namespace also denies
 * the cluster-scope request (a list across all namespaces), as RBAC would for a user without cluster-wide rights.
 */
import type { UserInfo } from './authn';

export interface ForbiddenRule {
  /** The user the rule applies to; every user when omitted. */
  user?: string;
  /** API group ("" for core). */
  group: string;
  /** Resource plural, e.g. "pods"; "*" for all. */
  resource: string;
  /** Only in this namespace (and at cluster scope); everywhere when omitted. */
  namespace?: string;
  /** Only this verb (get, list, watch, create, update, patch, delete); every verb when omitted. */
  verb?: string;
}

export interface ResourceAttributes {
  verb: string;
  group: string;
  resource: string;
  namespace?: string;
}

export function isForbidden(rules: readonly ForbiddenRule[], who: UserInfo, a: ResourceAttributes): boolean {
  return rules.some(
    (r) =>
      (r.user === undefined || r.user === who.user) &&
      r.group === a.group &&
      (r.resource === '*' || r.resource === a.resource) &&
      (r.verb === undefined || r.verb === a.verb) &&
      (r.namespace === undefined || !a.namespace || r.namespace === a.namespace),
  );
}
