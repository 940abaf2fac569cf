import { randomUUID } from 'node:crypto';
import type { Logger } from '../base/log';
import type { Cluster } from '../cluster/types';
import type { AuditReport } from '../report/audit';
import { buildPolicyReports, reportTime, type ReportKind } from '../report/policyreport';

/** Reports written at once: one at a time would take minutes on a large cluster, all at once would flood it. */
const APPLY_PARALLEL = 8;

export interface AppliedReports {
  total: number;
  failed: number;
}

/**
 * `audit --apply-reports`: one PolicyReport (or OpenReports Report) per object, created or replaced in the cluster,
 * as audit-scanner writes them. A report that cannot be written is logged and the others go on.
 */
export async function applyReports(
  cluster: Cluster,
  report: AuditReport,
  kind: ReportKind,
  log: Logger,
): Promise<AppliedReports> {
  const reports = buildPolicyReports(report, { kind, now: reportTime(), runUid: randomUUID() });
  let failed = 0;
  let next = 0;
  const writer = async (): Promise<void> => {
    while (next < reports.length) {
      const r = reports[next++];
      try {
        await cluster.apply(r);
      } catch (err) {
        failed++;
        log.error(
          `cannot write ${r.kind} ${r.metadata?.namespace ? `${r.metadata.namespace}/` : ''}${r.metadata?.name}: ${(err as Error).message}`,
        );
        if (failed === 1 && /not found|404/i.test((err as Error).message)) {
          log.error(
            `is the ${r.apiVersion} ${r.kind} CRD installed? (--report-kind ${kind === 'policyreport' ? 'openreports' : 'policyreport'} writes the other report API)`,
          );
        }
      }
    }
  };
  await Promise.all(Array.from({ length: APPLY_PARALLEL }, writer));
  return { total: reports.length, failed };
}
