import { createDispatcher, type RemoteHostCall } from '../../capabilities/dispatcher';
import type { Logger } from '../../base/log';
import { INTERNAL_ERROR_CODE, type PolicyRuntime, type RuntimeOutcome } from '../runtime';
import { createRuntime } from '../create-runtime';
import { HB_POSITION, HB_STARTED, type PrepareOutcome, type WorkerPolicy } from './messages';

const utf8 = new TextEncoder();

/**
 * The evaluating side of the pool, free of any threading: it builds one runtime per policy and runs
 * requests through them, marking each evaluation's start in the heartbeat so a watchdog can stop it.
 */
export class Evaluator {
  private readonly runtimes: (PolicyRuntime | Error | undefined)[];

  constructor(
    private readonly policies: WorkerPolicy[],
    private readonly heartbeat: Float64Array,
    private readonly log: Logger,
    /** How policy `index` reaches the capabilities that need I/O; absent in-thread (they then answer a host error). */
    private readonly remote?: (index: number) => RemoteHostCall,
  ) {
    this.runtimes = policies.map(() => undefined);
  }

  /** Builds (and for waPC starts) a runtime on first use, under the deadline like every guest call. */
  private runtime(index: number): PolicyRuntime | Error {
    let rt = this.runtimes[index];
    if (rt === undefined) {
      const p = this.policies[index];
      try {
        rt = createRuntime(p, { hostCall: createDispatcher(p.id, this.log, this.remote?.(index)), log: this.log });
      } catch (err) {
        rt = err as Error;
      }
      this.runtimes[index] = rt;
    }
    return rt;
  }

  /** Starts the policy once and validates its settings (policy-server does both at start-up). */
  prepare(index: number): PrepareOutcome {
    this.mark(0);
    try {
      const rt = this.runtime(index);
      if (rt instanceof Error) return { ok: false, message: rt.message };
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
      const rt = this.runtime(indices[pos]);
      const settingsJson = this.policies[indices[pos]].settingsJson;
      if (rt instanceof Error) {
        out.push({ ok: false, message: rt.message, code: INTERNAL_ERROR_CODE, reason: 'error' });
        continue;
      }
      try {
        out.push(rt.validate(requestUtf8 ? { requestJson, settingsJson, requestUtf8 } : { requestJson, settingsJson }));
      } catch (err) {
        out.push({ ok: false, message: `internal server error: ${(err as Error).message}`, code: INTERNAL_ERROR_CODE, reason: 'error' });
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
