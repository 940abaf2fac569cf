import type { NotAudited } from '../report/audit';
import type { WebhookSelection } from '../admission/match';
import type { PolicyRule } from '../wasm/metadata';
import { isActive } from '../policy/spec';
import type { EvaluationUnit } from '../evaluation/units';

/** A unit the audit evaluates, with the rules that decide which resources are listed for it. */
export interface AuditedUnit {
  unit: EvaluationUnit;
  /** Rules with CREATE (or `*`), wildcard rules only with --include-wildcard. */
  rules: PolicyRule[];
  /**
   * Policy resources: their webhook as the audit applies it (those rules, namespace and object selectors, no
   * matchConditions, no conversion); absent for policies selected by their module's rules alone.
   */
  selection?: WebhookSelection;
}


export interface AuditSelection {
  audited: AuditedUnit[];
  notAudited: NotAudited[];
}

/** The rules a unit is registered with: its policy resource's, else its module metadata's (-p, the bundled set). */
export function unitRules(u: EvaluationUnit): PolicyRule[] {
  if (u.webhook) return u.webhook.rules;
  return u.kind === 'single' ? u.policy.metadata.rules : u.members.flatMap((m) => m.metadata.rules);
}

function hasWildcard(r: PolicyRule): boolean {
  return [...r.apiGroups, ...r.apiVersions, ...r.resources].some((v) => v.includes('*'));
}

/**
 * Which policies audit-scanner audits (spec §8): `backgroundAudit` true, status active, and at least one rule
 * that has CREATE and no `*` in apiGroups/apiVersions/resources. `includeWildcard` also keeps wildcard rules
 * (expanded through discovery later), which audit-scanner cannot do.
 */
export function selectAudited(units: readonly EvaluationUnit[], opts: { includeWildcard: boolean }): AuditSelection {
  const audited: AuditedUnit[] = [];
  const notAudited: NotAudited[] = [];
  for (const unit of units) {
    const spec = unit.spec;
    const background = spec.backgroundAudit ?? (unit.kind === 'single' ? unit.policy.metadata.backgroundAudit : true);
    if (!background) {
      notAudited.push({ id: unit.id, reason: 'backgroundAudit is false' });
      continue;
    }
    if (!isActive(spec)) {
      notAudited.push({ id: unit.id, reason: `its status is ${spec.policyStatus}, not active (the cluster does not enforce it yet)` });
      continue;
    }
    const create = unitRules(unit).filter((r) => r.operations.includes('CREATE') || r.operations.includes('*'));
    if (create.length === 0) {
      notAudited.push({ id: unit.id, reason: 'no rule has the CREATE operation' });
      continue;
    }
    const rules = opts.includeWildcard ? create : create.filter((r) => !hasWildcard(r));
    if (rules.length === 0) {
      notAudited.push({ id: unit.id, reason: 'its rules use * wildcards, which audit-scanner does not audit (use --include-wildcard to expand them through discovery)' });
      continue;
    }
    const webhook = unit.webhook;
    audited.push(webhook ? { unit, rules, selection: { ...webhook, rules, matchPolicy: 'Exact', matchConditions: [] } } : { unit, rules });
  }
  return { audited, notAudited };
}
