import type { Logger, LogLevel } from '../../base/log';
import { HostCallError } from '../host-call-error';
import type { RuntimeOutcome } from '../runtime';
import { Deadline } from './deadline';
import { Evaluator } from './evaluator';
import { HB_SLOTS, type PrepareOutcome, type PrepareQuestion, type WorkerPolicy } from './messages';
import { threadLogger } from './thread-logger';

/**
 * Whether the policies can be evaluated on the main thread: only waPC modules that cannot call the host. A host
 * call that needs I/O is answered by the main thread while the guest waits (host-bridge.ts), which the main
 * thread cannot do for a guest running on itself; guests that import no `__host_call` never ask.
 */
export function canRunInline(policies: readonly WorkerPolicy[]): boolean {
  return policies.every(
    (p) =>
      p.mode === 'kubewarden-wapc' &&
      !WebAssembly.Module.imports(p.module).some((i) => i.module === 'wapc' && i.name === '__host_call'),
  );
}

/** One guest call's result on this thread: its answer, or the deadline passed (the evaluator is then discarded). */
export type InlineResult<T> = { timedOut: false; value: T } | { timedOut: true };

/**
 * The pool's evaluator run on the main thread, each guest call under its policy's deadline (deadline.ts). A call
 * stopped at its deadline leaves its instances in an unknown state: they are all dropped, as a worker that is
 * terminated drops its own, and the next call starts fresh ones.
 */
export class InlineEvaluator {
  private evaluator: Evaluator | undefined;
  private readonly deadline = new Deadline();
  /** Milliseconds spent in guest calls so far. */
  spentMs = 0;

  constructor(
    private readonly policies: WorkerPolicy[],
    private readonly log: Logger,
    private readonly logLevel: LogLevel,
  ) {}

  prepare(index: number, ask: PrepareQuestion): InlineResult<PrepareOutcome> {
    return this.guarded(index, (e) => e.prepare(index, ask));
  }

  /** One policy on one request (the deadline is per policy). */
  evaluate(requestJson: string, index: number): InlineResult<RuntimeOutcome> {
    return this.guarded(index, (e) => e.evaluate(requestJson, [index])[0]);
  }

  private guarded<T>(index: number, call: (e: Evaluator) => T): InlineResult<T> {
    const evaluator = (this.evaluator ??= this.newEvaluator());
    const started = performance.now();
    try {
      const r = this.deadline.run(() => call(evaluator), this.policies[index].limits.timeoutMs);
      if (r.timedOut) this.evaluator = undefined;
      return r;
    } finally {
      this.spentMs += performance.now() - started;
    }
  }

  private newEvaluator(): Evaluator {
    return new Evaluator(
      this.policies,
      new Float64Array(HB_SLOTS),
      threadLogger(this.logLevel, (level, message) => this.log[level](message)),
      () => () => {
        // canRunInline admits no module that imports __host_call: nothing can get here.
        throw new HostCallError('host calls are not available to a policy evaluated on the main thread');
      },
    );
  }
}
