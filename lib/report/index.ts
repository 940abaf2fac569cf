import { jsonReporter } from './json';
import type { Reporter } from './reporter';
import { textReporter } from './text';

export const REPORTERS: Record<string, Reporter> = { text: textReporter, json: jsonReporter };
export type { Reporter, ReporterOptions } from './reporter';
export * from './result';
export { exitCode, EXIT_ERROR, EXIT_OK, EXIT_REJECTED } from './exit-code';
