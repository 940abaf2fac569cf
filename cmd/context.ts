import { createLogger, type Logger, type LogLevel } from '../lib/base/log';

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

/** A user-facing failure: printed as `error: <message>` and exit code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}
