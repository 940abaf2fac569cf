import { createContext, Script, type Context } from 'node:vm';

/**
 * Runs guest code on this thread under a deadline. Node's `vm` timeout arms a watchdog thread that calls V8's
 * TerminateExecution when the time is up; V8 checks for it at every wasm loop header and function entry as it
 * does in JavaScript, so a looping module is stopped where it loops. The termination cannot be caught by the
 * code it stops (no `catch` or `finally` of the evaluator runs): whatever that code held is to be thrown away,
 * as a terminated worker's would be.
 */
export class Deadline {
  private readonly context: Context & { call?: () => unknown };
  private readonly script = new Script('call()', { filename: 'kubectl-wasmpolicy-deadline' });

  constructor() {
    this.context = createContext({});
  }

  /** `fn`'s result, or `timedOut` when it ran past `timeoutMs` (0: no deadline). Other errors propagate. */
  run<T>(fn: () => T, timeoutMs: number): { timedOut: false; value: T } | { timedOut: true } {
    if (timeoutMs <= 0) return { timedOut: false, value: fn() };
    this.context.call = fn;
    try {
      return { timedOut: false, value: this.script.runInContext(this.context, { timeout: timeoutMs }) as T };
    } catch (err) {
      if ((err as { code?: unknown }).code === 'ERR_SCRIPT_EXECUTION_TIMEOUT') return { timedOut: true };
      throw err;
    } finally {
      this.context.call = undefined;
    }
  }
}
