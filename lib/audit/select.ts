import type { NotAudited } from '../report/audit';
import type { LabelSelector } from '../kube/label-selector';
import type { PolicyRule } from '../wasm/metadata';
import { isActive } from '../policy/spec';
import type { EvaluationUnit } from '../evaluation/units';

/** A unit the audit evaluates, with the rules that decide which resources are listed for it. */
export interface AuditedUnit {
  unit: EvaluationUnit;
  /** Rules with CREATE, wildcard rules only with --include-wildcard. */
  rules: PolicyRule[];
  /**
   * The namespaces whose objects the policy is audited on, as audit-scanner picks policies per namespace: a
   * cluster-wide policy's own namespaceSelector, an AdmissionPolicy's namespace; undefined: every namespace.
   * Never applied to cluster-scoped objects.
   */
  namespaceSelector?: LabelSelector;
  /** The policy resource's objectSelector, matched against the object's labels. */
  objectSelector?: LabelSelector;
}

/**
 * A unit audit-scanner counts as skipped (`SkippedNum`, each report's summary.skip): wildcard-only and
 * CREATE-less rules count in every scope; backgroundAudit false and inactive policies only in the scopes their
 * rules' resources are in (audit-scanner checks those after grouping by resource), so their rules are kept.
 */
export interface SkippedUnit {
  unit: EvaluationUnit;
  why: 'wildcard' | 'noCreate' | 'background' | 'inactive';
  rules: PolicyRule[];
}

export interface AuditSelection {
  audited: AuditedUnit[];
  notAudited: NotAudited[];
  skipped: SkippedUnit[];
}

/** The rules a unit is registered with: its policy resource's, else its module metadata's (-p, the bundled set). */
export function unitRules(u: EvaluationUnit): PolicyRule[] {
  if (u.webhook) return u.webhook.rules;
  return u.kind === 'single' ? u.policy.metadata.rules : u.members.flatMap((m) => m.metadata.rules);
}

/** audit-scanner's filterWildcardRules: a `*` entry in apiGroups, apiVersions or resources. */
function hasWildcard(r: PolicyRule): boolean {
  return [...r.apiGroups, ...r.apiVersions, ...r.resources].some((v) => v.includes('*'));
}

/** The reasons audit-scanner logs when it skips a policy (`internal/audit-scanner/policies/client.go`). */
export const NOT_AUDITED_REASONS = {
  wildcard:
    'the policy targets only wildcard resources, which audit-scanner does not audit (use --include-wildcard to expand them through discovery)',
  noCreate: 'the policy does not have rules with a CREATE operation',
  background: 'the policy has backgroundAudit set to false',
} as const;

/**
 * Which policies audit-scanner audits, in the order `groupPoliciesByGVR` (`internal/audit-scanner/policies/client.go`)
 * checks them, so a policy left out gets the reason audit-scanner gives: rules without `*` (filterWildcardRules;
 * `includeWildcard` keeps them, expanded through discovery later, which audit-scanner cannot do), of those the
 * rules whose operations list the literal `CREATE` (filterNonCreateOperations: `*` does not count), then
 * `backgroundAudit`, then `status.policyStatus` active.
 */
export function selectAudited(units: readonly EvaluationUnit[], opts: { includeWildcard: boolean }): AuditSelection {
  const audited: AuditedUnit[] = [];
  const notAudited: NotAudited[] = [];
  const skipped: SkippedUnit[] = [];
  const skip = (unit: EvaluationUnit, why: SkippedUnit['why'], reason: string, rules: PolicyRule[] = []): void => {
    notAudited.push({ id: unit.id, reason });
    skipped.push({ unit, why, rules });
  };
  for (const unit of units) {
    const spec = unit.spec;
    const all = unitRules(unit);
    const concrete = opts.includeWildcard ? all : all.filter((r) => !hasWildcard(r));
    if (concrete.length === 0) {
      skip(unit, 'wildcard', NOT_AUDITED_REASONS.wildcard);
      continue;
    }
    const rules = concrete.filter((r) => r.operations.includes('CREATE'));
    if (rules.length === 0) {
      skip(unit, 'noCreate', NOT_AUDITED_REASONS.noCreate);
      continue;
    }
    const background = spec.backgroundAudit ?? (unit.kind === 'single' ? unit.policy.metadata.backgroundAudit : true);
    if (!background) {
      skip(unit, 'background', NOT_AUDITED_REASONS.background, rules);
      continue;
    }
    if (!isActive(spec)) {
      skip(
        unit,
        'inactive',
        `the policy is not active: its status is ${spec.policyStatus} (the cluster does not enforce it yet)`,
        rules,
      );
      continue;
    }
    const a: AuditedUnit = { unit, rules };
    const ns = spec.resource?.auditNamespaceSelector;
    if (ns) a.namespaceSelector = ns;
    const obj = unit.webhook?.objectSelector;
    if (obj) a.objectSelector = obj;
    audited.push(a);
  }
  return { audited, notAudited, skipped };
}
