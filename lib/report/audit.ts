import { displaySafe } from './display-safe';
import * as jsyaml from 'js-yaml';
import { JSON_SCHEMA_VERSION, reportDocument, type ReportDocument } from './document';
import { policyReportReporter } from './policyreport';
import type { Reporter } from './reporter';
import type { Report, Result } from '../evaluation/result';
import { summaryLine } from './text';

/** A policy the audit leaves out, and why (audit-scanner's selection, docs/host-interface.md §8). */
export interface NotAudited {
  id: string;
  reason: string;
}

/** `audit`'s report: the check report's results, plus what was not audited and what was listed. */
export interface AuditReport extends Report {
  notAudited: NotAudited[];
  scanned: { resources: number; namespaces: number; lists: number };
}

export interface AuditDocument extends Omit<ReportDocument, 'kind'> {
  kind: 'AuditReport';
  notAudited: NotAudited[];
  scanned: AuditReport['scanned'];
}

/** The `-o json|yaml` document of `audit`: the check report's layout, kind AuditReport (docs/audit.md). */
export function auditDocument(report: AuditReport): AuditDocument {
  const { results, policies, summary } = reportDocument(report);
  return {
    apiVersion: JSON_SCHEMA_VERSION,
    kind: 'AuditReport',
    results,
    policies,
    summary,
    notAudited: report.notAudited,
    scanned: report.scanned,
  };
}

const HEADERS = ['NAMESPACE', 'KIND', 'NAME', 'POLICY', 'VERDICT', 'MESSAGE'] as const;
const VERDICT_WORD: Record<string, string> = { pass: 'pass', fail: 'fail', warn: 'warn', error: 'error', skip: 'skip' };
const COLOR: Record<string, string> = {
  fail: '\x1b[31m',
  warn: '\x1b[33m',
  error: '\x1b[35m',
  pass: '\x1b[32m',
  skip: '\x1b[2m',
};
/** Long messages are cut in the table (the full text is in -o json|yaml|policyreport). */
const MESSAGE_WIDTH = 160;

function row(r: Result): string[] {
  const o = r.object;
  const message = (r.message ?? '').replace(/\s+/g, ' ');
  return [
    o?.namespace ?? '',
    o?.kind ?? '',
    o?.name ?? '',
    r.policy ?? '',
    VERDICT_WORD[r.verdict],
    message.length > MESSAGE_WIDTH ? message.slice(0, MESSAGE_WIDTH - 3) + '...' : message,
  ];
}

/**
 * A kubectl-style table (NAMESPACE KIND NAME POLICY VERDICT MESSAGE) of violations and errors (`-v`: every
 * evaluated pair), the policies not audited, then the summary line.
 */
export const auditTextReporter: Reporter = {
  name: 'text',
  render(report, opts) {
    const audit = report as AuditReport;
    const shown = report.results.filter((r) =>
      opts.verbose ? r.verdict !== 'skip' : r.verdict === 'fail' || r.verdict === 'error' || r.verdict === 'warn',
    );
    const rows = shown.map(row);
    const lines: string[] = [];
    if (rows.length > 0) {
      const widths = HEADERS.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
      const fmt = (cells: readonly string[], verdict?: string): string =>
        cells
          .map((c, i) => {
            const padded = i === cells.length - 1 ? c : c.padEnd(widths[i]);
            return i === 4 && verdict && opts.color ? `${COLOR[verdict]}${padded}\x1b[0m` : padded;
          })
          .join('   ')
          .trimEnd();
      lines.push(fmt(HEADERS));
      shown.forEach((r, k) => lines.push(fmt(rows[k], r.verdict)));
    } else {
      lines.push('No violations found.');
    }
    for (const n of audit.notAudited ?? []) lines.push(`not audited: ${n.id}: ${n.reason}`);
    const s = audit.scanned;
    const scanned = s
      ? ` (${s.resources} resource${s.resources === 1 ? '' : 's'} in ${s.namespaces} namespace${s.namespaces === 1 ? '' : 's'}, ${s.lists} list${s.lists === 1 ? '' : 's'})`
      : '';
    lines.push(summaryLine(report, opts).replace(/^(\d+ objects?)/, `$1${scanned}`));
    return lines.join('\n') + '\n';
  },
};

export const AUDIT_REPORTERS: Record<string, Reporter> = {
  text: displaySafe(auditTextReporter),
  json: { name: 'json', render: (report) => JSON.stringify(auditDocument(report as AuditReport), null, 2) + '\n' },
  yaml: { name: 'yaml', render: (report) => jsyaml.dump(auditDocument(report as AuditReport), { noRefs: true }) },
  policyreport: policyReportReporter,
};
