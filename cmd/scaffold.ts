import type { Argv, ArgumentsCamelCase } from 'yargs';
import type { CommandImpl } from './commands';
import type { GlobalArgs } from './context';

/** `scaffold` subcommands: one file each in cmd/scaffold/, loaded only when run. */
const SUBCOMMANDS: { command: string; describe: string; load: () => Promise<CommandImpl> }[] = [
  { command: 'verification-config', describe: "Print kwctl's default verification config (policies signed by Kubewarden's GitHub workflows)", load: () => import('./scaffold/verification-config') },
];

export function builder(y: Argv): Argv<GlobalArgs> {
  let out = y;
  for (const s of SUBCOMMANDS) {
    out = out.command(
      s.command,
      s.describe,
      async (sub) => (await s.load()).builder(sub),
      async (args: ArgumentsCamelCase<GlobalArgs>) => (await s.load()).handler(args),
    );
  }
  return out.demandCommand(1, 'name a scaffold subcommand') as Argv<GlobalArgs>;
}

export async function handler(): Promise<void> {
  // Each subcommand has its own handler.
}
