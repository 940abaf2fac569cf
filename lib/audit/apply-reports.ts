import { randomUUID } from 'node:crypto';
import { runTime } from '../base/source-date';
import type { Logger } from '../base/log';
import type { Cluster, KnownState } from '../cluster/types';
import type { KubeObject } from '../manifests/types';
import type { AuditReport } from '../report/audit';
import { buildPolicyReports, LABEL_MANAGED_BY, REPORT_SOURCE, type ReportKind } from '../report/policyreport';

/** Reports written at once: one at a time would take minutes on a large cluster, all at once would flood it. */
const APPLY_PARALLEL = 8;

export interface AppliedReports {
  total: number;
  failed: number;
}

/**
 * `audit --apply-reports`: one PolicyReport (or OpenReports Report) per object, created or replaced in the cluster,
 * as audit-scanner writes them. A report that cannot be written is logged and the others go on.
 *
 * audit-scanner reads each report before writing it (`internal/report/store.go`, controller-runtime's
 * CreateOrPatch: a GET, then a create or a patch): two requests per object. The same writes are made here with one:
 * the reports this tool wrote before are listed first (a few pages), and each report is then created or replaced
 * at the resourceVersion the list gave; one changed in between is read and written as before (lib/cluster/objects.ts).
 */
export async function applyReports(
  cluster: Cluster,
  report: AuditReport,
  kind: ReportKind,
  log: Logger,
): Promise<AppliedReports> {
  const reports = buildPolicyReports(report, { kind, now: runTime(), runUid: randomUUID() });
  const existing = await existingReports(cluster, reports, log);
  let failed = 0;
  let next = 0;
  const writer = async (): Promise<void> => {
    while (next < reports.length) {
      const r = reports[next++];
      try {
        await cluster.apply(r, existing?.(r));
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

const keyOf = (o: KubeObject): string =>
  `${o.apiVersion}\0${o.kind}\0${o.metadata?.namespace ?? ''}\0${o.metadata?.name ?? ''}`;

/**
 * What the cluster holds of the reports about to be written (those labelled as this tool's), listed across
 * namespaces, one list per report kind; undefined when a list fails (no permission to list across namespaces, say):
 * every report is then read before it is written.
 */
async function existingReports(
  cluster: Cluster,
  reports: readonly KubeObject[],
  log: Logger,
): Promise<((r: KubeObject) => KnownState) | undefined> {
  const kinds = new Map<string, KubeObject>();
  for (const r of reports) kinds.set(`${r.apiVersion}\0${r.kind}`, r);
  const versions = new Map<string, string>();
  try {
    for (const sample of kinds.values()) {
      const res = await cluster.resolve(sample.apiVersion, sample.kind);
      // Not served: each write reports it as before.
      if (!res) return undefined;
      const list = cluster.list(res, { labelSelector: `${LABEL_MANAGED_BY}=${REPORT_SOURCE}`, metadataOnly: true });
      for await (const o of list) {
        const rv = o.metadata?.resourceVersion;
        if (typeof rv === 'string') versions.set(keyOf({ ...o, apiVersion: sample.apiVersion, kind: sample.kind }), rv);
      }
    }
  } catch (err) {
    log.debug(`existing reports not listed (${(err as Error).message}): each is read before it is written`);
    return undefined;
  }
  return (r) => {
    const rv = versions.get(keyOf(r));
    return rv === undefined ? { exists: false } : { exists: true, resourceVersion: rv };
  };
}
