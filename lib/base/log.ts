import { escapeControlButNewlines } from './control-chars';

/** Progress and diagnostics go to stderr, never stdout (stdout carries results). */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
const ORDER: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3 };

export interface Logger {
  error(msg: string): void;
  warn(msg: string): void;
  info(msg: string): void;
  debug(msg: string): void;
}

export function createLogger(
  level: LogLevel,
  write: (line: string) => void = (l) => process.stderr.write(l + '\n'),
): Logger {
  const at = (l: LogLevel) => (msg: string) => {
    // Messages carry text from outside (server errors, names): shown escaped (control-chars.ts), lines kept.
    if (ORDER[l] <= ORDER[level]) write(`${l === 'info' ? '' : l + ': '}${escapeControlButNewlines(msg)}`);
  };
  return { error: at('error'), warn: at('warn'), info: at('info'), debug: at('debug') };
}

export const silentLogger: Logger = { error() {}, warn() {}, info() {}, debug() {} };
