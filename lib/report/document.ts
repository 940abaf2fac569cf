import type { PolicySummary, Report, Result, Summary } from '../evaluation/result';

/** Version of the JSON/YAML document layout described in docs/output-formats.md. */
export const JSON_SCHEMA_VERSION = 'wasmpolicy.kubewarden.io/v1alpha1';

export interface ReportDocument {
  apiVersion: typeof JSON_SCHEMA_VERSION;
  kind: 'CheckReport';
  results: Result[];
  policies: PolicySummary[];
  summary: Summary;
}

/** The serialisable report shared by `-o json` and `-o yaml` (fields listed explicitly: nothing internal leaks). */
export function reportDocument(report: Report): ReportDocument {
  return {
    apiVersion: JSON_SCHEMA_VERSION,
    kind: 'CheckReport',
    results: report.results.map(documentResult),
    policies: report.policies,
    summary: report.summary,
  };
}

/** One result as the document shows it. */
export function documentResult(r: Result): Result {
  const out: Result = { source: r.source, verdict: r.verdict };
  if (r.object) out.object = r.object;
  if (r.policy !== undefined) out.policy = r.policy;
  out.verdict = r.verdict;
  if (r.message !== undefined) out.message = r.message;
  if (r.code !== undefined) out.code = r.code;
  if (r.location) out.location = r.location;
  if (r.stage) out.stage = r.stage;
  if (r.patch) out.patch = r.patch;
  if (r.warnings) out.warnings = r.warnings;
  if (r.causes) out.causes = r.causes;
  return out;
}
