import * as jsyaml from 'js-yaml';
import { runTime } from '../base/source-date';
import { stableUid } from '../admission/request';
import type { KubeObject } from '../manifests/types';
import { sourceKey } from './common';
import type { ReportKind } from './report-kind';
import type { Reporter } from './reporter';
import type { PolicyResourceInfo, PolicySummary, Report, Result, Verdict } from '../evaluation/result';

/**
 * `-o policyreport`: one report per object, shaped as Kubewarden's audit-scanner writes them, so the same
 * dashboards (Policy Reporter, kubectl get polr) read the results of `check` and of `audit`.
 * `policyreport` writes wgpolicyk8s.io/v1alpha2 PolicyReport / ClusterPolicyReport; `openreports` writes
 * openreports.io/v1alpha1 Report / ClusterReport (the successor API audit-scanner also writes).
 */
export { REPORT_KINDS, type ReportKind } from './report-kind';

const API: Record<ReportKind, { apiVersion: string; namespaced: string; cluster: string }> = {
  policyreport: { apiVersion: 'wgpolicyk8s.io/v1alpha2', namespaced: 'PolicyReport', cluster: 'ClusterPolicyReport' },
  openreports: { apiVersion: 'openreports.io/v1alpha1', namespaced: 'Report', cluster: 'ClusterReport' },
};

/** Labels audit-scanner sets: reports are found (and old runs' reports cleaned up) through them. */
export const LABEL_MANAGED_BY = 'app.kubernetes.io/managed-by';
export const LABEL_REPORT_VERSION = 'kubewarden.io/policyreport-version';
export const LABEL_RUN_UID = 'kubewarden.io/audit-scanner-run-uid';
/** Who made the reports: their managed-by label and their results' source, as audit-scanner writes them. */
export const REPORT_SOURCE = 'kubewarden';
/** The severities the report CRDs accept; anything else a policy annotates is left out rather than rejected by the API server. */
const SEVERITIES = new Set(['critical', 'high', 'medium', 'low', 'info']);

export interface PolicyReportOptions {
  kind: ReportKind;
  /** When the results were computed (reports carry it per result). */
  now: Date;
  /** The audit run's id, as audit-scanner labels its reports; absent for `check`. */
  runUid?: string;
}

/** One report result (the fields both report APIs define). */
export interface ReportResult {
  source: string;
  policy: string;
  category?: string;
  severity?: string;
  timestamp: { seconds: number; nanos: number };
  result: 'pass' | 'fail' | 'warn' | 'error';
  scored: boolean;
  message?: string;
  properties: Record<string, string>;
}

interface ObjectResults {
  object: KubeObject | undefined;
  results: Result[];
}

/** Builds the reports for every evaluated object; input problems and failed lists are not reported here. */
export function buildPolicyReports(report: Report, opts: PolicyReportOptions): KubeObject[] {
  const policies = new Map(report.policies.map((p) => [p.id, p]));
  return groupByObject(report).map((g) => policyReport(g, policies, opts, report));
}

/** Results of one object are adjacent (input order, then policy order); the source position identifies the object. */
function groupByObject(report: Report): ObjectResults[] {
  const groups = new Map<string, ObjectResults>();
  for (const r of report.results) {
    // Input problems and failed lists are about no object × policy pair.
    if (!r.object || r.policy === undefined) continue;
    const key = sourceKey(r.source);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { object: report.original?.(r), results: [] }));
    g.results.push(r);
  }
  return [...groups.values()];
}

function policyReport(
  g: ObjectResults,
  policies: ReadonlyMap<string, PolicySummary>,
  opts: PolicyReportOptions,
  report: Report,
): KubeObject {
  const ref = g.results[0].object!;
  const meta = (g.object?.metadata ?? {}) as { uid?: unknown; resourceVersion?: unknown };
  // Live objects have a uid; manifests do not, so one is derived from the identity (re-runs update the same report).
  const uid =
    typeof meta.uid === 'string'
      ? meta.uid
      : stableUid(`${ref.apiVersion}\0${ref.kind}\0${ref.namespace ?? ''}\0${ref.name ?? ''}`);
  const api = API[opts.kind];
  const labels: Record<string, string> = { [LABEL_MANAGED_BY]: REPORT_SOURCE, [LABEL_REPORT_VERSION]: 'v2' };
  if (opts.runUid) labels[LABEL_RUN_UID] = opts.runUid;
  const metadata: Record<string, unknown> = { name: uid };
  if (ref.namespace !== undefined) metadata.namespace = ref.namespace;
  metadata.labels = labels;
  if (typeof meta.uid === 'string')
    metadata.ownerReferences = [{ apiVersion: ref.apiVersion, kind: ref.kind, name: ref.name ?? '', uid }];
  const scope: Record<string, string> = { apiVersion: ref.apiVersion, kind: ref.kind };
  if (ref.namespace !== undefined) scope.namespace = ref.namespace;
  if (ref.name !== undefined) scope.name = ref.name;
  scope.uid = uid;
  if (typeof meta.resourceVersion === 'string') scope.resourceVersion = meta.resourceVersion;
  const summary = { pass: 0, fail: 0, warn: 0, error: 0, skip: 0 };
  const results: ReportResult[] = [];
  for (const r of g.results) {
    // audit-scanner lists evaluated policies only. Its summary.skip is the number of policies it skipped in the
    // object's scope (report/report.go SetSkipPolicies), not the ones whose selectors left the object out.
    if (r.verdict === 'skip') {
      if (!report.skippedPolicies) summary.skip++;
      continue;
    }
    summary[r.verdict]++;
    results.push(reportResult(r, policies.get(r.policy ?? ''), opts.now, report.policyResource?.(r.policy ?? '')));
  }
  if (report.skippedPolicies) summary.skip = report.skippedPolicies(ref);
  return {
    apiVersion: api.apiVersion,
    kind: ref.namespace !== undefined ? api.namespaced : api.cluster,
    metadata: metadata as KubeObject['metadata'],
    scope,
    summary,
    results,
  };
}

function reportResult(
  r: Result,
  policy: PolicySummary | undefined,
  now: Date,
  resource: PolicyResourceInfo | undefined,
): ReportResult {
  // As audit-scanner: a monitor-mode policy's results are informational.
  const severity = policy?.mode === 'monitor' ? 'info' : policy?.severity?.toLowerCase();
  const message = r.message ?? (r.warnings?.length ? r.warnings.join('; ') : undefined);
  // Field order follows audit-scanner's reports, so the two diff cleanly.
  return {
    source: REPORT_SOURCE,
    policy: r.policy ?? '',
    ...(policy?.category ? { category: policy.category } : {}),
    ...(severity && SEVERITIES.has(severity) ? { severity } : {}),
    timestamp: { seconds: Math.floor(now.getTime() / 1000), nanos: 0 },
    result: r.verdict as Exclude<Verdict, 'skip'>,
    scored: true,
    ...(message ? { message } : {}),
    properties: properties(r, policy, resource),
  };
}

/**
 * audit-scanner's properties (report/report.go computeProperties: mutating or validating, context-aware, the
 * policy resource's name, uid, resourceVersion and namespace, where known), plus where the object (and the field)
 * is written: file:line on every result. Without a policy resource (-p, the bundled set, policies.yml) the policy
 * name is the policy id.
 */
function properties(
  r: Result,
  policy: PolicySummary | undefined,
  resource: PolicyResourceInfo | undefined,
): Record<string, string> {
  const p: Record<string, string> = {};
  if (policy) p[policy.mutating ? 'mutating' : 'validating'] = 'true';
  if (resource?.contextAware) p['context-aware'] = 'true';
  if (resource) {
    if (resource.resourceVersion !== undefined) p['policy-resource-version'] = resource.resourceVersion;
    if (resource.uid !== undefined) p['policy-uid'] = resource.uid;
    p['policy-name'] = resource.name;
    if (resource.namespace !== undefined) p['policy-namespace'] = resource.namespace;
  } else if (r.policy) p['policy-name'] = r.policy;
  if (r.source.file !== '' && r.source.line > 0) {
    p['source-file'] = r.source.file;
    p['source-line'] = String(r.source.line);
  }
  if (r.source.origin) p['source-origin'] = r.source.origin;
  if (r.location) {
    p['field-path'] = r.location.path;
    p['field-line'] = String(r.location.line);
    p['field-column'] = String(r.location.column);
  }
  if (r.code !== undefined) p['code'] = String(r.code);
  if (r.patch) p['patch'] = JSON.stringify(r.patch);
  if (r.warnings?.length) p['warnings'] = r.warnings.join('\n');
  return p;
}

/** Renders the reports as a YAML stream, ready for `kubectl apply -f -`. */
export function renderPolicyReports(reports: readonly KubeObject[]): string {
  return reports.map((r) => '---\n' + jsyaml.dump(r, { noRefs: true, lineWidth: -1 })).join('');
}

export const policyReportReporter: Reporter = {
  name: 'policyreport',
  render(report, opts) {
    return renderPolicyReports(buildPolicyReports(report, { kind: opts.reportKind ?? 'policyreport', now: runTime() }));
  },
};
