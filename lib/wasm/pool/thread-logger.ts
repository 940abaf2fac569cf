import { createLogger, type Logger, type LogLevel } from '../../base/log';

export type ForwardedLevel = 'error' | 'warn' | 'info' | 'debug';

/**
 * The logger an evaluator writes to: lines are filtered and formatted at `level` as any logger's, then handed on
 * by level (a worker posts them to the main thread, which logs them again; the main thread's own evaluator logs
 * them at once), so a line reads the same whichever thread evaluated.
 */
export function threadLogger(level: LogLevel, forward: (level: ForwardedLevel, message: string) => void): Logger {
  return createLogger(level, (line) => {
    const m = /^(error|warn|debug): /.exec(line);
    forward((m?.[1] as ForwardedLevel | undefined) ?? 'info', m ? line.slice(m[0].length) : line);
  });
}
