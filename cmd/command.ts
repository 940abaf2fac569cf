import type { Argv, ArgumentsCamelCase } from 'yargs';
import type { GlobalArgs } from './context';

/** What a subcommand file exports: its flags and its handler. */
export interface CommandImpl {
  /** Adds the command's flags to the global ones; the result's type is the handler's arguments. */
  builder(y: Argv<GlobalArgs>): Argv<GlobalArgs>;
  // A method, so a command's handler of its own (wider) arguments type fits.
  handler(args: ArgumentsCamelCase<GlobalArgs>): Promise<void>;
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
