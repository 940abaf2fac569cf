import { anyRuleMatches } from '../admission/match';
import { toAdmissionResponse } from '../admission/response';
import { formatSelector, isEmptySelector, labelsOf, selectorMatches } from '../kube/label-selector';
import type { KubeObject, SourceLocation } from '../manifests/types';
import { groupResponse } from '../policy/group';
import { newResult, type ObjectRef, type Result } from '../evaluation/result';
import type { EvaluationPool } from '../wasm/pool/pool';
import type { RuntimeOutcome } from '../wasm/runtime';
import { auditRequest, type AuditResource } from './request';
import type { AuditedUnit } from './select';

/** One live object, where it was listed from, and how the audit names it in results. */
export interface LiveObject {
  object: KubeObject;
  res: AuditResource;
  source: SourceLocation;
}

type Decision = { call: true } | { call: false; reason: string; accept?: true };

/**
 * Evaluates one live object as audit-scanner has policy-server do it on `/audit`: the rules (with CREATE),
 * namespaceSelector and objectSelector select the policies; matchConditions are not evaluated; the verdict is the
 * policy's own answer, without monitor mode, mutation refusal or custom messages (docs/host-interface.md §8).
 */
export async function evaluateLive(
  audited: readonly AuditedUnit[],
  pool: EvaluationPool,
  live: LiveObject,
  namespaceLabels: (name: string) => Record<string, string>,
  alwaysAcceptNamespace?: string,
): Promise<Result[]> {
  const synth = auditRequest(live.object, live.res);
  const ref = objectRef(live.object, live.res);
  // policy-server's /audit accepts requests in its always-accept namespace without evaluating, as /validate does.
  const accepted = alwaysAcceptNamespace !== undefined && synth.request.namespace === alwaysAcceptNamespace;
  const decisions = audited.map((a): Decision => {
    const d = decide(a, live, namespaceLabels);
    return d.call && accepted
      ? {
          call: false,
          accept: true,
          reason: `policy-server always accepts requests in namespace ${alwaysAcceptNamespace} (alwaysAcceptAdmissionReviewsOnDeploymentsNamespace)`,
        }
      : d;
  });
  const indices = new Set<number>();
  decisions.forEach((d, i) => {
    if (!d.call) return;
    const u = audited[i].unit;
    for (const idx of u.kind === 'single' ? [u.policy.index] : u.members.map((m) => m.index)) indices.add(idx);
  });
  const unique = [...indices];
  const outcomes = new Map<number, RuntimeOutcome>();
  if (unique.length > 0) (await pool.evaluate(synth.json, unique)).forEach((o, k) => outcomes.set(unique[k], o));
  return audited.map(({ unit }, i): Result => {
    const base = { source: live.source, object: ref, policy: unit.id };
    const d = decisions[i];
    if (!d.call) return newResult(base, d.accept ? 'pass' : 'skip', d.reason);
    if (unit.kind === 'single') return verdictOf(base, outcomes.get(unit.policy.index)!);
    const members = unit.members.map((m, k) => ({
      name: unit.spec.members[k].name,
      response: toAdmissionResponse(synth.request, outcomes.get(m.index)!),
    }));
    const r = groupResponse(synth.request.uid, unit.expr, unit.spec.message, members).response;
    if (!r.allowed && r.status?.code === 500)
      return newResult(base, 'error', r.status.message ?? 'error evaluating policy group expression', 500);
    return r.allowed ? newResult(base, 'pass') : newResult(base, 'fail', r.status?.message);
  });
}

/**
 * audit-scanner's selection of a policy for an object: the rules name its resource (policies are grouped by the
 * GVRs of their rules), a namespaced object's namespace matches the policy's own namespaceSelector
 * (`policies/client.go` policyMatchesNamespace, on the live Namespace labels; cluster-scoped objects, Namespaces
 * included, are audited by every cluster-wide policy whatever its selector), and the object's labels match the
 * objectSelector (`scanner/scanner.go` policyMatches). No matchConditions, no exempt kinds, no conversion.
 */
function decide(a: AuditedUnit, live: LiveObject, namespaceLabels: (name: string) => Record<string, string>): Decision {
  const res = live.res;
  const target = {
    group: res.group,
    version: res.version,
    resource: res.resource,
    namespaced: res.namespaced,
    operation: 'CREATE' as const,
  };
  if (!anyRuleMatches(a.rules, target)) return { call: false, reason: 'the policy rules do not match this resource' };
  const ns = live.object.metadata?.namespace;
  if (
    res.namespaced &&
    !isEmptySelector(a.namespaceSelector) &&
    typeof ns === 'string' &&
    !selectorMatches(a.namespaceSelector, namespaceLabels(ns))
  ) {
    return {
      call: false,
      reason: `namespaceSelector (${formatSelector(a.namespaceSelector)}) does not match the labels of namespace ${ns}`,
    };
  }
  if (!isEmptySelector(a.objectSelector) && !selectorMatches(a.objectSelector, labelsOf(live.object) ?? {})) {
    return {
      call: false,
      reason: `objectSelector (${formatSelector(a.objectSelector)}) does not match the labels of the object`,
    };
  }
  return { call: true };
}

/** audit-scanner: an error (policy-server's 500) is "error"; otherwise allowed is pass, else fail with the message. */
function verdictOf(base: Pick<Result, 'source' | 'object' | 'policy'>, outcome: RuntimeOutcome): Result {
  if (!outcome.ok) return newResult(base, 'error', outcome.message, outcome.code);
  const vr = outcome.response;
  if (vr.accepted) return newResult(base, 'pass');
  const out = newResult(base, vr.code === 500 ? 'error' : 'fail');
  if (typeof vr.message === 'string') out.message = vr.message;
  if (typeof vr.code === 'number') out.code = vr.code;
  return out;
}

function objectRef(obj: KubeObject, res: AuditResource): ObjectRef {
  const ref: ObjectRef = { apiVersion: obj.apiVersion, kind: obj.kind };
  if (typeof obj.metadata?.name === 'string') ref.name = obj.metadata.name;
  if (res.namespaced && typeof obj.metadata?.namespace === 'string') ref.namespace = obj.metadata.namespace;
  return ref;
}
