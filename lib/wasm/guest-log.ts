import type { Logger } from '../base/log';

type Level = keyof Logger;

/**
 * The logger a policy's own output goes through (`__console_log`, WASI stderr, `opa_println`, tracing events):
 * at most `limit` bytes (--max-output-size) per evaluation, then one truncation marker and nothing more until
 * the next evaluation (`reset`). Without it a guest printing in a loop until its deadline wrote gigabytes.
 * The guest is not stopped: what it prints is not its answer.
 */
export class GuestLog implements Logger {
  private used = 0;
  private truncated = false;

  constructor(
    private readonly sink: Logger,
    private readonly limit: number,
    /** Names the policy in the marker. */
    private readonly policyId: string,
  ) {}

  /** A new evaluation (or start-up) begins: the budget is whole again. */
  reset(): void {
    this.used = 0;
    this.truncated = false;
  }

  // Own properties, not prototype methods: runtimes copy a Logger with object spread (lib/wasm/create-runtime.ts).
  readonly error = (msg: string): void => this.write('error', msg);
  readonly warn = (msg: string): void => this.write('warn', msg);
  readonly info = (msg: string): void => this.write('info', msg);
  readonly debug = (msg: string): void => this.write('debug', msg);

  private write(level: Level, msg: string): void {
    if (this.truncated) return;
    const left = this.limit - this.used;
    // UTF-16 length bounds the work done here; the bytes written are at most 3 per unit.
    if (msg.length <= left) {
      this.used += msg.length;
      this.sink[level](msg);
      return;
    }
    this.truncated = true;
    this.used = this.limit;
    this.sink[level](
      `${msg.slice(0, Math.max(0, left))}... [log output of policy ${this.policyId} truncated: more than ${this.limit} characters in one evaluation (--max-output-size)]`,
    );
  }
}
