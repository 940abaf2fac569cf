import type { ReportKind } from './policyreport';
import type { Report } from './result';

export interface ReporterOptions {
  color: boolean;
  /** Also list passes and skips. */
  verbose: boolean;
  /** `-o policyreport`: which report API to write (`--report-kind`). */
  reportKind?: ReportKind;
}

/** One output format; conftest-style: one file per format behind this interface. */
export interface Reporter {
  readonly name: string;
  render(report: Report, opts: ReporterOptions): string;
}
