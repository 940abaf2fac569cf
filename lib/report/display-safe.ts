import { escapeControl } from '../base/control-chars';
import type { Reporter } from './reporter';
import type { ObjectRef, Report, Result } from '../evaluation/result';

/**
 * A reporter for people or CI (text, github, junit, sarif) that sees the report with control characters escaped
 * in everything that comes from outside: messages, causes, warnings, object and policy names, file names
 * (lib/base/control-chars.ts says why). JSON and YAML need not: their own escaping already shows them.
 */
export function displaySafe(reporter: Reporter): Reporter {
  return { name: reporter.name, render: (report, opts) => reporter.render(displaySafeReport(report), opts) };
}

export function displaySafeReport<R extends Report>(report: R): R {
  const back = new Map<Result, Result>();
  const results = report.results.map((r) => {
    const e = safeResult(r);
    if (e !== r) back.set(e, r);
    return e;
  });
  // Policy ids name SARIF rules and JUnit suites: escaped the same way as in the results, so they still match.
  const policies = report.policies.map((p) => (escapeControl(p.id) === p.id ? p : { ...p, id: escapeControl(p.id) }));
  const out: R = { ...report, results, policies };
  if (report.original) {
    const original = report.original;
    out.original = (r) => original(back.get(r) ?? r);
  }
  // The audit report's policies left out: their ids come from the cluster.
  const notAudited = (report as { notAudited?: { id: string; reason: string }[] }).notAudited;
  if (notAudited)
    (out as { notAudited?: unknown }).notAudited = notAudited.map((n) => ({
      ...n,
      id: escapeControl(n.id),
      reason: escapeControl(n.reason),
    }));
  return out;
}

function safeResult(r: Result): Result {
  // Most results need nothing: tested field by field without building anything (a large audit has millions).
  const clean = (t: string | undefined): boolean => t === undefined || escapeControl(t) === t;
  const unchanged =
    clean(r.message) &&
    clean(r.policy) &&
    clean(r.source.file) &&
    clean(r.source.origin) &&
    clean(r.location?.path) &&
    (!r.object ||
      (clean(r.object.kind) && clean(r.object.name) && clean(r.object.namespace) && clean(r.object.apiVersion))) &&
    (r.causes ?? []).every(clean) &&
    (r.warnings ?? []).every(clean) &&
    (r.patch ?? []).every((op) => clean(op.path));
  if (unchanged) return r;
  const e = (t: string | undefined): string | undefined => (t === undefined ? undefined : escapeControl(t));
  const out: Result = { ...r, source: { ...r.source, file: escapeControl(r.source.file) } };
  if (r.source.origin !== undefined) out.source.origin = e(r.source.origin);
  if (r.message !== undefined) out.message = e(r.message);
  if (r.policy !== undefined) out.policy = e(r.policy);
  if (r.causes) out.causes = r.causes.map(escapeControl);
  if (r.warnings) out.warnings = r.warnings.map(escapeControl);
  if (r.location) out.location = { ...r.location, path: escapeControl(r.location.path) };
  if (r.patch) out.patch = r.patch.map((op) => ({ ...op, path: escapeControl(op.path) }));
  if (r.object) {
    const o: ObjectRef = {
      ...r.object,
      apiVersion: escapeControl(r.object.apiVersion),
      kind: escapeControl(r.object.kind),
    };
    if (r.object.name !== undefined) o.name = escapeControl(r.object.name);
    if (r.object.namespace !== undefined) o.namespace = escapeControl(r.object.namespace);
    out.object = o;
  }
  return out;
}
