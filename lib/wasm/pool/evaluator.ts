import type { Logger } from '../../base/log';
import { INTERNAL_ERROR_CODE, type PolicyRuntime, type RuntimeOutcome } from '../runtime';
import { createRuntime } from '../create-runtime';
import type { StderrTail } from '../wasi/stderr-tail';
import { GuestLog } from '../guest-log';
import type { HostCallHandler } from '../wapc/host';
import { HB_POSITION, HB_STARTED, type PrepareOutcome, type PrepareQuestion, type WorkerPolicy } from './messages';
import { WapcRuntime } from '../wapc/runtime';

const utf8 = new TextEncoder();

/**
 * The evaluating side of the pool, free of any threading: it builds one runtime per policy and runs
 * requests through them, marking each evaluation's start in the heartbeat so a watchdog can stop it.
 */
export class Evaluator {
  private readonly runtimes: (PolicyRuntime | Error | undefined)[];
  /** Each policy's own output, capped per evaluation. */
  private readonly guestLogs: GuestLog[];

  constructor(
    private readonly policies: WorkerPolicy[],
    private readonly heartbeat: Float64Array,
    private readonly log: Logger,
    /**
     * The host capabilities of policy `index` (the worker's entry wires lib/capabilities in: wasm does not import
     * it), logging through that policy's own capped guest log.
     */
    private readonly hostCallFor: (policy: WorkerPolicy, index: number, guestLog: Logger) => HostCallHandler,
    /** Mirrors WASI stderr for the main thread, which answers a timed-out WASI policy with it. */
    private readonly stderrTail?: StderrTail,
  ) {
    this.runtimes = policies.map(() => undefined);
    this.guestLogs = policies.map((p) => new GuestLog(log, p.limits.maxOutputBytes, p.id));
  }

  /** Builds (and for waPC starts) a runtime on first use, under the deadline like every guest call. */
  private runtime(index: number): PolicyRuntime | Error {
    let rt = this.runtimes[index];
    if (rt === undefined) {
      const p = this.policies[index];
      try {
        const log = this.guestLogs[index];
        rt = createRuntime(p, {
          hostCall: this.hostCallFor(p, index, log),
          log,
          ...(this.stderrTail ? { stderrTail: this.stderrTail } : {}),
        });
      } catch (err) {
        rt = err as Error;
      }
      this.runtimes[index] = rt;
    }
    return rt;
  }

  /** Starts the policy once and validates its settings (policy-server does both at start-up). */
  prepare(index: number, ask: PrepareQuestion = 'settings'): PrepareOutcome {
    this.mark(0);
    this.guestLogs[index].reset();
    try {
      const rt = this.runtime(index);
      if (rt instanceof Error) return { ok: false, message: rt.message };
      if (ask === 'protocol-version') {
        if (!(rt instanceof WapcRuntime))
          return { ok: false, message: `a ${rt.mode} policy has no protocol version to ask` };
        return { ok: true, settings: { valid: true }, protocolVersion: rt.protocolVersion() };
      }
      return { ok: true, settings: rt.validateSettings(JSON.parse(this.policies[index].settingsJson)) };
    } catch (err) {
      return { ok: false, message: (err as Error).message };
    } finally {
      this.idle();
    }
  }

  evaluate(requestJson: string, indices: number[]): RuntimeOutcome[] {
    const out: RuntimeOutcome[] = [];
    const requestUtf8 = indices.length > 1 ? utf8.encode(requestJson) : undefined;
    for (let pos = 0; pos < indices.length; pos++) {
      this.mark(pos);
      this.guestLogs[indices[pos]].reset();
      const rt = this.runtime(indices[pos]);
      const settingsJson = this.policies[indices[pos]].settingsJson;
      if (rt instanceof Error) {
        out.push({ ok: false, message: rt.message, code: INTERNAL_ERROR_CODE, reason: 'error' });
        continue;
      }
      try {
        out.push(rt.validate(requestUtf8 ? { requestJson, settingsJson, requestUtf8 } : { requestJson, settingsJson }));
      } catch (err) {
        out.push({
          ok: false,
          message: `internal server error: ${(err as Error).message}`,
          code: INTERNAL_ERROR_CODE,
          reason: 'error',
        });
      }
    }
    this.idle();
    return out;
  }

  private mark(position: number): void {
    this.heartbeat[HB_POSITION] = position;
    this.heartbeat[HB_STARTED] = Date.now();
  }

  private idle(): void {
    this.heartbeat[HB_STARTED] = 0;
  }
}
