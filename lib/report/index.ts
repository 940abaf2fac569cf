import { displaySafe } from './display-safe';
import { githubReporter } from './github';
import { jsonReporter } from './json';
import { junitReporter } from './junit';
import { policyReportReporter } from './policyreport';
import type { Reporter } from './reporter';
import { sarifReporter } from './sarif';
import { textReporter } from './text';
import { yamlReporter } from './yaml';

export const REPORTERS: Record<string, Reporter> = {
  // Formats read by people and CI see control characters escaped (display-safe.ts); JSON and YAML escape them.
  text: displaySafe(textReporter),
  json: jsonReporter,
  yaml: yamlReporter,
  junit: displaySafe(junitReporter),
  sarif: displaySafe(sarifReporter),
  github: displaySafe(githubReporter),
  policyreport: policyReportReporter,
};
export type { Reporter, ReporterOptions } from './reporter';
export * from '../evaluation/result';
export { exitCode, EXIT_ERROR, EXIT_OK, EXIT_REJECTED } from './exit-code';
export { parseOutputs, writeOutputs, type OutputSpec } from './output';
export { JSON_SCHEMA_VERSION, reportDocument } from './document';
