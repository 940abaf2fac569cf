import type { Argv, ArgumentsCamelCase } from 'yargs';
import type { CommandImpl } from './command';
import type { GlobalArgs } from './context';
import * as admissionRequest from './scaffold/admission-request';
import * as manifest from './scaffold/manifest';
import * as test from './scaffold/test';
import * as verificationConfig from './scaffold/verification-config';

/** `scaffold`: a command group, one file per subcommand in cmd/scaffold/ (kwctl's scaffold has the same shape). */
export const SUBCOMMANDS: readonly { command: string; describe: string; impl: CommandImpl }[] = [
  {
    command: 'admission-request',
    describe: 'Print, per object, the AdmissionReview a webhook would receive from the API server',
    impl: admissionRequest,
  },
  {
    command: 'manifest <policy>',
    describe: 'Print a Kubewarden policy resource for a module, from its metadata (like kwctl scaffold manifest)',
    impl: manifest,
  },
  {
    command: 'test',
    describe:
      'Write a starter test suite for a policy and a directory of manifests, with the current results filled in',
    impl: test,
  },
  {
    command: 'verification-config',
    describe: "Print kwctl's default verification config (policies signed by Kubewarden's GitHub workflows)",
    impl: verificationConfig,
  },
];

export function builder(y: Argv<GlobalArgs>): Argv<GlobalArgs> {
  let g = y.usage(
    '$0 scaffold <command>\n\nGenerate AdmissionReviews as the API server sends them, policy resources, test suites and verification configs.',
  );
  for (const s of SUBCOMMANDS) g = g.command(s.command, s.describe, s.impl.builder, s.impl.handler);
  return g.demandCommand(1, `name a scaffold command: ${SUBCOMMANDS.map((s) => s.command.split(' ')[0]).join(', ')}`);
}

export async function handler(_args: ArgumentsCamelCase): Promise<void> {
  // Only the subcommands do anything; yargs runs theirs.
}
