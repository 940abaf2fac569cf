import type { Argv, ArgumentsCamelCase } from 'yargs';

/** What a subcommand file exports: its flags and its handler. */
export interface CommandImpl {
  builder(y: Argv): Argv<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  handler(args: ArgumentsCamelCase<any>): Promise<void>; // eslint-disable-line @typescript-eslint/no-explicit-any
  /** A command group (cmd/scaffold.ts): its subcommands, for completion. */
  SUBCOMMANDS?: readonly { command: string; impl: Pick<CommandImpl, 'builder'> }[];
}

export interface CommandEntry {
  /** yargs command string: the name and its positionals. */
  command: string;
  describe: string;
  /** Loaded only when the command runs, so `--help` and one command do not pay for every other one. */
  load: () => Promise<CommandImpl>;
}

export function commandName(entry: CommandEntry): string {
  return entry.command.split(' ')[0];
}
