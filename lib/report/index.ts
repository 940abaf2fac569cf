import { githubReporter } from './github';
import { jsonReporter } from './json';
import { junitReporter } from './junit';
import { policyReportReporter } from './policyreport';
import type { Reporter } from './reporter';
import { sarifReporter } from './sarif';
import { textReporter } from './text';
import { yamlReporter } from './yaml';

export const REPORTERS: Record<string, Reporter> = {
  text: textReporter,
  json: jsonReporter,
  yaml: yamlReporter,
  junit: junitReporter,
  sarif: sarifReporter,
  github: githubReporter,
  policyreport: policyReportReporter,
};
export type { Reporter, ReporterOptions } from './reporter';
export * from '../evaluation/result';
export { exitCode, EXIT_ERROR, EXIT_OK, EXIT_REJECTED } from './exit-code';
export { parseOutputs, writeOutputs, type OutputSpec } from './output';
export { JSON_SCHEMA_VERSION, reportDocument } from './document';
