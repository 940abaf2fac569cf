import type { ReportKind } from './report-kind';
import type { Report } from '../evaluation/result';

export interface ReporterOptions {
  color: boolean;
  /** Also list passes and skips. */
  verbose: boolean;
  /** `-o policyreport`: which report API to write (`--report-kind`). */
  reportKind?: ReportKind;
}

/** A rendered report: whole, or in pieces written as they come (a large report need not be held at once). */
export type ReportText = string | Iterable<string>;

/** One output format; conftest-style: one file per format behind this interface. */
export interface Reporter {
  readonly name: string;
  render(report: Report, opts: ReporterOptions): ReportText;
}
