import type { Argv } from 'yargs';
import { createLogger, type Logger, type LogLevel } from '../lib/base/log';
import { UserError } from '../lib/base/user-error';

/** Flags every subcommand accepts. */
export interface GlobalArgs {
  verbose: number;
  color?: boolean;
  quiet?: boolean;
}

/** The flags every command accepts (cmd/main.ts; completion reads the commands' own flags beside them). */
export function withGlobalOptions<T>(y: Argv<T>): Argv<T & GlobalArgs> {
  return y
    .option('verbose', {
      alias: 'v',
      type: 'count',
      describe: 'More output: -v lists passes and skips, -vv logs policy output',
    })
    .option('color', { type: 'boolean', describe: 'Colour output (default: only on a terminal; NO_COLOR disables)' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only errors on stderr' });
}

/** Colour only on a TTY, never with NO_COLOR or --no-color. */
export function useColor(args: GlobalArgs, stream: NodeJS.WriteStream = process.stdout): boolean {
  if (args.color === false) return false;
  if (process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== '') return false;
  if (args.color === true) return true;
  return Boolean(stream.isTTY);
}

export function logLevelFor(args: GlobalArgs): LogLevel {
  if (args.quiet) return 'error';
  return args.verbose >= 2 ? 'debug' : args.verbose === 1 ? 'info' : 'warn';
}

export function loggerFor(args: GlobalArgs): Logger {
  return createLogger(logLevelFor(args));
}

/** A command line that cannot run (bad flags, unreadable files): printed as `error: <message>` and exit code 2. */
export class UsageError extends UserError<'usage'> {
  override name = 'UsageError';
  constructor(message: string) {
    super(message, 'usage');
  }
}
