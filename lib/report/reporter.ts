import type { Report } from './result';

export interface ReporterOptions {
  color: boolean;
  /** Also list passes and skips. */
  verbose: boolean;
}

/** One output format; conftest-style: one file per format behind this interface. */
export interface Reporter {
  readonly name: string;
  render(report: Report, opts: ReporterOptions): string;
}
