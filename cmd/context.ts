import { createLogger, type Logger, type LogLevel } from '../lib/base/log';
import { UserError } from '../lib/base/user-error';

/** Flags every subcommand accepts. */
export interface GlobalArgs {
  verbose: number;
  color?: boolean;
  quiet?: boolean;
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
