import type { Argv } from 'yargs';
import type { CommandImpl } from './commands';
import * as admissionRequest from './scaffold-admission-request';

/**
 * `scaffold`: a command group, as kwctl's. Each subcommand is a file of its own (cmd/scaffold-NAME.ts); add
 * new ones to SUBCOMMANDS. The group itself is loaded only when `scaffold` runs.
 */
export const SUBCOMMANDS: { command: string; describe: string; impl: CommandImpl }[] = [
  { command: 'admission-request', describe: 'Print, per object, the AdmissionReview a webhook would receive from the API server', impl: admissionRequest },
];

export function builder(y: Argv): Argv {
  let parser = y;
  for (const s of SUBCOMMANDS) parser = parser.command(s.command, s.describe, s.impl.builder, s.impl.handler);
  return parser.demandCommand(1, 'name a scaffold subcommand');
}

export async function handler(): Promise<void> {
  // demandCommand above: a subcommand always runs instead.
}
