import { MessageChannel, type MessagePort, type Worker } from 'node:worker_threads';
import type { Logger, LogLevel } from '../../base/log';
import { INTERNAL_ERROR_CODE, type RuntimeOutcome } from '../runtime';
import {
  HB_POSITION,
  HB_SLOTS,
  HB_STARTED,
  HB_TASK,
  type EvaluateTask,
  type MainToWorker,
  type PrepareOutcome,
  type PrepareQuestion,
  type WorkerPolicy,
  type WorkerToMain,
} from './messages';
import { serveHostBridge, type HostCallServer } from './host-bridge';
import { takeWorker } from './prewarm';
import { StderrTail } from '../wasi/stderr-tail';
import { canRunInline, InlineEvaluator } from './inline';

/** Messages a worker holds at once: the one it runs and the next, so it never waits for the main thread. */
const DEPTH = 2;
/**
 * Evaluations one message carries at most. A message each way per evaluation was a tenth of both threads' time
 * (serialising, waking the other thread); fewer are sent when few wait, so every worker gets a share.
 */
const MAX_BATCH = 8;

/**
 * What policy-server answers for an evaluation stopped at the deadline: burrego's text for Rego; for WASI, the
 * guest's trimmed stderr (policy-evaluator `runtimes/wasi_cli/stack.rs` `run` returns the interrupted run as a
 * `WasiEvaluation` error, displayed as its stderr, and `runtime.rs` rejects with that text, code 500); for waPC,
 * TIMEOUT_MESSAGE.
 */
function timeoutMessage(p: WorkerPolicy, tail: StderrTail): string {
  if (p.mode === 'opa' || p.mode === 'gatekeeper') return REGO_TIMEOUT_MESSAGE;
  if (p.mode === 'wasi') return tail.text();
  return TIMEOUT_MESSAGE;
}

/** What a start-up check stopped at its deadline answers. */
function prepareTimeout(task: { ask?: PrepareQuestion }, p: WorkerPolicy): PrepareOutcome {
  const what = task.ask === 'protocol-version' ? 'the protocol_version call' : 'initialisation';
  return { ok: false, message: `${what} did not finish within ${p.limits.timeoutMs} ms (${TIMEOUT_MESSAGE})` };
}

/** What an evaluation stopped at its deadline answers. */
function evaluationTimeout(p: WorkerPolicy, tail: StderrTail): RuntimeOutcome {
  return { ok: false, message: timeoutMessage(p, tail), code: INTERNAL_ERROR_CODE, reason: 'timeout' };
}

/** The stderr of a run on the main thread: only waPC policies run there (inline.ts), which have none. */
const NO_STDERR = new StderrTail();

/** policy-server's text for an interrupted waPC evaluation (docs/host-interface.md §9). */
export const TIMEOUT_MESSAGE = 'Policy execution interrupted because it exceeded the allowed execution time';
/** burrego's text for an interrupted Rego evaluation. */
export const REGO_TIMEOUT_MESSAGE = 'internal server error: guest code interrupted, execution deadline exceeded';

export interface PoolOptions {
  workers: number;
  log: Logger;
  /** The level the workers log at (their lines are forwarded to `log`). */
  logLevel: LogLevel;
  /**
   * Answers the host calls that need I/O (kubernetes, oci, net, crypto) for policy `policy` (an index). Without
   * it they get a host error saying no source is configured.
   */
  hostCalls?: (
    policy: WorkerPolicy,
    binding: string,
    namespace: string,
    operation: string,
    payload: Uint8Array,
  ) => Promise<Uint8Array>;
  /**
   * Evaluate on the main thread, each guest call under its deadline (inline.ts), until the guests have taken
   * `budgetMs` there; then, and for policies that can call the host, in workers. A small run then starts no
   * worker at all (a worker costs ~50 ms of wall and ~100 ms of CPU to start: the pre-commit case's largest
   * cost); a large one moves to workers after the budget. Without it, the first worker starts at once.
   */
  inline?: { budgetMs: number };
}

/**
 * `isolated`: the task is re-run after a message of its worker could not be read (messageerror), alone in its
 * worker and, for an evaluation, with one policy, so that a second unreadable message names its cause.
 */
type Task =
  | {
      kind: 'prepare';
      id: number;
      policy: number;
      ask?: PrepareQuestion;
      resolve: (o: PrepareOutcome) => void;
      isolated?: boolean;
    }
  | {
      kind: 'evaluate';
      id: number;
      requestJson: string;
      policies: number[];
      resolve: (o: RuntimeOutcome[]) => void;
      isolated?: boolean;
    };

/** What the policy that caused an unreadable message gets. */
export const UNREADABLE_RESULT_MESSAGE =
  "internal server error: the policy's result could not be passed from its worker thread (messageerror)";

interface Slot {
  worker: Worker;
  heartbeat: Float64Array;
  ready: boolean;
  /** Tasks sent to the worker and not answered yet, in the order sent (the worker runs them in that order). */
  tasks: Task[];
  /** Messages of tasks sent to the worker and not answered yet. */
  messages: number;
  /** Set when the slot was killed on purpose; its exit is not a crash. */
  retired?: boolean;
  /** The main thread's end of the host-call bridge, and the worker's end until init hands it over. */
  hostPort: MessagePort;
  workerPort?: MessagePort;
  hostSignal: SharedArrayBuffer;
  stderrTail: StderrTail;
}

/**
 * A pool of worker threads that evaluate policies. Each evaluation runs in a worker under a deadline: a watchdog
 * reads the worker's heartbeat and, past the deadline, terminates the worker (throwing its instances away),
 * answers the timeout for that policy, and re-runs the rest of the task on a fresh worker. With
 * `PoolOptions.inline`, a small run evaluates on the main thread instead, under the same deadlines (inline.ts).
 * Results are returned per task, so callers keep input order.
 */
export class EvaluationPool {
  private readonly slots: Slot[] = [];
  private readonly queue: Task[] = [];
  private nextId = 1;
  private watchdog?: NodeJS.Timeout;
  private closed = false;

  private policies: WorkerPolicy[] = [];
  private hasPolicies = false;
  /** While set, tasks run on this thread (PoolOptions.inline), in the order submitted. */
  private inline?: InlineEvaluator;
  private readonly inlineQueue: Task[] = [];
  private inlineScheduled = false;

  /** Without policies, the pool starts one worker at once (to overlap its ~50 ms start-up); see setPolicies. */
  constructor(
    policies: WorkerPolicy[] | undefined,
    private readonly opts: PoolOptions,
  ) {
    if (opts.workers < 1) throw new Error('the pool needs at least one worker');
    if (policies) this.setPolicies(policies);
    else if (!opts.inline) this.spawn();
  }

  /** Gives the policies (once); workers already started receive them now. Tasks may follow. */
  setPolicies(policies: WorkerPolicy[]): void {
    if (this.hasPolicies) throw new Error('the pool already has its policies');
    this.policies = policies;
    this.hasPolicies = true;
    if (this.opts.inline && this.slots.length === 0 && canRunInline(policies))
      this.inline = new InlineEvaluator(policies, this.opts.log, this.opts.logLevel);
    for (const slot of this.slots) this.init(slot);
    this.startWatchdog();
  }

  /** How many worker threads the pool has started so far (none while it evaluates on the main thread). */
  get workersStarted(): number {
    return this.spawned;
  }
  private spawned = 0;

  private init(slot: Slot): void {
    const hostPort = slot.workerPort;
    if (!hostPort) return;
    slot.workerPort = undefined;
    const init: MainToWorker = {
      type: 'init',
      policies: this.policies,
      heartbeat: slot.heartbeat.buffer as SharedArrayBuffer,
      logLevel: this.opts.logLevel,
      hostPort,
      hostSignal: slot.hostSignal,
      stderrTail: slot.stderrTail.buffer,
    };
    slot.worker.postMessage(init, [hostPort]);
  }

  /** Answers one host call of a worker (host-bridge.ts). */
  private serveHostCall: HostCallServer = async (call) => {
    const policy = this.policies[call.policy];
    if (!policy) throw new Error(`host call from unknown policy #${call.policy}`);
    if (!this.opts.hostCalls)
      throw new Error(
        `host capability ${call.binding}/${call.namespace}/${call.operation} is not available: no capability source is configured for this run`,
      );
    return this.opts.hostCalls(policy, call.binding, call.namespace, call.operation, call.payload);
  };

  /** Starts the policy in a worker and validates its settings, under its deadline. */
  prepare(policy: number, ask: PrepareQuestion = 'settings'): Promise<PrepareOutcome> {
    return new Promise((resolve) => this.submit({ kind: 'prepare', id: this.nextId++, policy, ask, resolve }));
  }

  /** Evaluates one request with the given policies (indices into the pool's policies), in that order. */
  evaluate(requestJson: string, policies: number[]): Promise<RuntimeOutcome[]> {
    if (policies.length === 0) return Promise.resolve([]);
    return new Promise((resolve) =>
      this.submit({ kind: 'evaluate', id: this.nextId++, requestJson, policies, resolve }),
    );
  }

  async close(): Promise<void> {
    this.closed = true;
    this.inline = undefined;
    this.inlineQueue.length = 0;
    if (this.watchdog) clearInterval(this.watchdog);
    await Promise.all(this.slots.map((s) => this.retire(s)));
    this.slots.length = 0;
  }

  private submit(task: Task): void {
    if (this.closed) throw new Error('the evaluation pool is closed');
    if (!this.hasPolicies) throw new Error('the pool has no policies yet');
    if (this.inline) {
      this.inlineQueue.push(task);
      if (!this.inlineScheduled) {
        this.inlineScheduled = true;
        // Later: the caller goes on submitting and reading its input meanwhile, as with workers.
        setImmediate(() => this.drainInline());
      }
      return;
    }
    this.queue.push(task);
    // A worker costs ~50 ms to start: start-up checks (prepare) share the first one, and more are added only
    // when evaluations wait.
    const idle = this.slots.filter((s) => s.tasks.length === 0 && !s.retired).length;
    const waiting = this.queue.filter((t) => t.kind === 'evaluate').length;
    if (this.slots.length === 0 || (this.slots.length < this.opts.workers && waiting > idle)) this.spawn();
    this.dispatch();
  }

  /** Runs the tasks waiting for the main thread, until the inline budget is spent; the rest go to workers. */
  private drainInline(): void {
    this.inlineScheduled = false;
    while (this.inline && this.inlineQueue.length > 0) {
      this.runInline(this.inline, this.inlineQueue.shift() as Task);
      if (this.inline.spentMs > (this.opts.inline?.budgetMs ?? 0)) this.inline = undefined;
    }
    if (!this.inline && !this.closed) for (const task of this.inlineQueue.splice(0)) this.submit(task);
  }

  private runInline(inline: InlineEvaluator, task: Task): void {
    if (task.kind === 'prepare') {
      const r = inline.prepare(task.policy, task.ask ?? 'settings');
      if (!r.timedOut) task.resolve(r.value);
      else {
        this.warnTimeout(task.policy);
        task.resolve(prepareTimeout(task, this.policies[task.policy]));
      }
      return;
    }
    const outcomes = task.policies.map((policy): RuntimeOutcome => {
      const r = inline.evaluate(task.requestJson, policy);
      if (!r.timedOut) return r.value;
      this.warnTimeout(policy);
      return evaluationTimeout(this.policies[policy], NO_STDERR);
    });
    task.resolve(outcomes);
  }

  private warnTimeout(policy: number): void {
    const p = this.policies[policy];
    this.opts.log.warn(`policy ${p.id} exceeded its ${p.limits.timeoutMs} ms deadline and was stopped`);
  }

  private spawn(): Slot {
    this.spawned++;
    const worker = takeWorker();
    const shared = new SharedArrayBuffer(HB_SLOTS * Float64Array.BYTES_PER_ELEMENT);
    const channel = new MessageChannel();
    const slot: Slot = {
      worker,
      heartbeat: new Float64Array(shared),
      ready: false,
      tasks: [],
      messages: 0,
      hostPort: channel.port1,
      workerPort: channel.port2,
      hostSignal: new SharedArrayBuffer(4),
      stderrTail: new StderrTail(),
    };
    serveHostBridge(slot.hostPort, slot.hostSignal, this.serveHostCall, () => !slot.retired);
    worker.on('message', (m: WorkerToMain) => this.onMessage(slot, m));
    worker.on('error', (err) => this.onCrash(slot, err.message));
    // The main thread could not deserialise a message of the worker (structured clone has limits the worker's
    // checks may not foresee): without this the tasks it answered would wait forever.
    worker.on('messageerror', () => this.onUnreadableMessage(slot));
    worker.on('exit', (code) => {
      if (!slot.retired) this.onCrash(slot, `exit code ${code}`);
    });
    this.slots.push(slot);
    if (this.hasPolicies) {
      this.init(slot);
      this.startWatchdog();
    }
    return slot;
  }

  private onMessage(slot: Slot, m: WorkerToMain): void {
    switch (m.type) {
      case 'ready':
        slot.ready = true;
        this.dispatch();
        return;
      case 'log':
        this.opts.log[m.level](m.message);
        return;
      case 'prepared': {
        slot.messages = Math.max(0, slot.messages - 1);
        const task = this.answered(slot, m.taskId);
        if (task?.kind === 'prepare') task.resolve(m.outcome);
        this.dispatch();
        return;
      }
      case 'evaluated': {
        slot.messages = Math.max(0, slot.messages - 1);
        for (const r of m.results) {
          const task = this.answered(slot, r.taskId);
          if (task?.kind === 'evaluate') task.resolve(r.outcomes);
        }
        this.dispatch();
        return;
      }
    }
  }

  /** The slot's task `id`, answered: none when the slot was given up on (a late answer is dropped, its task re-run). */
  private answered(slot: Slot, id: number): Task | undefined {
    const i = slot.tasks.findIndex((t) => t.id === id);
    return i < 0 ? undefined : slot.tasks.splice(i, 1)[0];
  }

  /**
   * Sends queued tasks, up to DEPTH messages per worker, spreading them over the workers first: a worker that finishes
   * one task starts the next at once, instead of idling until the main thread (busy parsing input, say) reads
   * its answer and sends another.
   */
  private dispatch(): void {
    // Start-up checks go to the first worker all at once, ready or not (it reads its messages in order, init
    // first): it runs them while this thread is busy elsewhere (loading the CLI), not one round trip per DEPTH.
    const first = this.slots.find((s) => !s.retired);
    while (first && this.queue[0]?.kind === 'prepare' && !this.queue[0].isolated) this.sendPrepare(first);
    const live = this.slots.filter((s) => s.ready && !s.retired);
    for (let depth = 1; depth <= DEPTH; depth++) {
      for (const slot of live) {
        if (this.queue.length === 0) return;
        if (slot.messages >= depth || slot.tasks.some((t) => t.isolated)) continue;
        if (this.queue[0].isolated) {
          // Alone in its worker: an unreadable message from it can only be this task's.
          if (slot.messages === 0) this.sendAlone(slot);
          continue;
        }
        // A start-up check taken back from a worker that was stopped can wait behind evaluations.
        if (this.queue[0].kind === 'prepare') {
          this.sendPrepare(slot);
          continue;
        }
        slot.messages++;
        // An even share of what waits, so that a short queue still reaches every worker.
        const share = Math.min(MAX_BATCH, Math.ceil(this.queue.length / (live.length * DEPTH)));
        const tasks: EvaluateTask[] = [];
        while (tasks.length < share && this.queue[0]?.kind === 'evaluate' && !this.queue[0].isolated) {
          const task = this.queue.shift() as Extract<Task, { kind: 'evaluate' }>;
          slot.tasks.push(task);
          tasks.push({ taskId: task.id, requestJson: task.requestJson, policies: task.policies });
        }
        slot.worker.postMessage({ type: 'evaluate', tasks } satisfies MainToWorker);
      }
    }
  }

  /** Sends the (isolated) task at the head of the queue to the slot's worker, in a message of its own. */
  private sendAlone(slot: Slot): void {
    if (this.queue[0].kind === 'prepare') {
      this.sendPrepare(slot);
      return;
    }
    const task = this.queue.shift() as Extract<Task, { kind: 'evaluate' }>;
    slot.tasks.push(task);
    slot.messages++;
    slot.worker.postMessage({
      type: 'evaluate',
      tasks: [{ taskId: task.id, requestJson: task.requestJson, policies: task.policies }],
    } satisfies MainToWorker);
  }

  /**
   * A message of the slot's worker could not be read. Which of its tasks it answered is unknown, so the worker
   * is stopped and every task it held is run again isolated (one policy, alone in a worker); an isolated task
   * whose answer cannot be read either is the cause, and only it gets the error.
   */
  private onUnreadableMessage(slot: Slot): void {
    if (slot.retired) return;
    const held = slot.tasks;
    slot.tasks = [];
    slot.messages = 0;
    void this.retire(slot);
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    this.opts.log.warn(
      'a result of an evaluation worker could not be read (messageerror); its tasks are run again one by one',
    );
    const again: Task[] = [];
    for (const task of held) {
      if (task.isolated) {
        if (task.kind === 'prepare') task.resolve({ ok: false, message: UNREADABLE_RESULT_MESSAGE });
        else
          task.resolve(
            task.policies.map(() => ({
              ok: false,
              message: UNREADABLE_RESULT_MESSAGE,
              code: INTERNAL_ERROR_CODE,
              reason: 'error',
            })),
          );
      } else if (task.kind === 'prepare') again.push({ ...task, isolated: true });
      else again.push(...this.isolatedParts(task));
    }
    this.queue.unshift(...again);
    if (!this.closed && (this.queue.length > 0 || this.slots.length === 0)) this.spawn();
    this.dispatch();
  }

  /** One isolated task per policy of `task`, whose answers are put back together in order. */
  private isolatedParts(task: Extract<Task, { kind: 'evaluate' }>): Task[] {
    const outcomes: RuntimeOutcome[] = new Array<RuntimeOutcome>(task.policies.length);
    let left = task.policies.length;
    return task.policies.map((policy, i): Task => ({
      kind: 'evaluate',
      id: this.nextId++,
      requestJson: task.requestJson,
      policies: [policy],
      isolated: true,
      resolve: ([o]) => {
        outcomes[i] = o;
        if (--left === 0) task.resolve(outcomes);
      },
    }));
  }

  /** Sends the start-up check at the head of the queue to the slot's worker. */
  private sendPrepare(slot: Slot): void {
    const task = this.queue.shift() as Extract<Task, { kind: 'prepare' }>;
    slot.tasks.push(task);
    slot.messages++;
    slot.worker.postMessage({
      type: 'prepare',
      taskId: task.id,
      policy: task.policy,
      ...(task.ask === 'protocol-version' ? { ask: task.ask } : {}),
    } satisfies MainToWorker);
  }

  /** The task the worker is running now (its heartbeat says which), if it is one of the slot's. */
  private running(slot: Slot): Task | undefined {
    const id = slot.heartbeat[HB_TASK];
    return slot.tasks.find((t) => t.id === id);
  }

  /** Gives up on a slot's worker: every task sent to it but `except` goes back to the front of the queue. */
  private takeBack(slot: Slot, except: Task | undefined): void {
    const others = slot.tasks.filter((t) => t !== except);
    slot.tasks = [];
    slot.messages = 0;
    this.queue.unshift(...others);
  }

  private startWatchdog(): void {
    if (this.watchdog) return;
    const deadlines = this.policies.map((p) => p.limits.timeoutMs).filter((t) => t > 0);
    if (deadlines.length === 0) return;
    const every = Math.max(10, Math.min(100, Math.floor(Math.min(...deadlines) / 10)));
    this.watchdog = setInterval(() => this.checkDeadlines(), every);
    this.watchdog.unref();
  }

  private checkDeadlines(): void {
    const now = Date.now();
    for (const slot of [...this.slots]) {
      const task = this.running(slot);
      const started = slot.heartbeat[HB_STARTED];
      if (!task || started === 0 || slot.retired) continue;
      const position = slot.heartbeat[HB_POSITION];
      const policy = task.kind === 'prepare' ? task.policy : task.policies[position];
      const timeout = this.policies[policy].limits.timeoutMs;
      if (timeout > 0 && now - started > timeout) this.timeOut(slot, task, position, policy);
    }
  }

  /** Kills the worker stuck in `task` at `position`, answers the timeout there and re-runs the rest. */
  private timeOut(slot: Slot, task: Task, position: number, policy: number): void {
    this.takeBack(slot, task);
    void this.retire(slot);
    this.slots.splice(this.slots.indexOf(slot), 1);
    this.warnTimeout(policy);
    const p = this.policies[policy];
    if (task.kind === 'prepare') task.resolve(prepareTimeout(task, p));
    else this.resubmitAround(task, position, evaluationTimeout(p, slot.stderrTail));
    if (this.queue.length > 0 && !this.closed) this.spawn();
  }

  /** Re-runs every policy of `task` but the one at `position`, which gets `fixed`. */
  private resubmitAround(task: Extract<Task, { kind: 'evaluate' }>, position: number, fixed: RuntimeOutcome): void {
    const rest = task.policies.filter((_, i) => i !== position);
    const finish = (outcomes: RuntimeOutcome[]): void => {
      const merged = [...outcomes];
      merged.splice(position, 0, fixed);
      task.resolve(merged);
    };
    if (rest.length === 0) finish([]);
    else
      this.queue.unshift({
        kind: 'evaluate',
        id: this.nextId++,
        requestJson: task.requestJson,
        policies: rest,
        resolve: finish,
      });
  }

  private onCrash(slot: Slot, why: string): void {
    if (slot.retired) return;
    slot.retired = true;
    slot.hostPort.close();
    const i = this.slots.indexOf(slot);
    if (i >= 0) this.slots.splice(i, 1);
    const task = this.running(slot) ?? slot.tasks[0];
    this.takeBack(slot, task);
    const message = `internal server error: the evaluation worker crashed (${why})`;
    if (task?.kind === 'prepare') task.resolve({ ok: false, message });
    else if (task?.kind === 'evaluate') {
      const position = slot.heartbeat[HB_POSITION];
      this.resubmitAround(task, position, { ok: false, message, code: INTERNAL_ERROR_CODE, reason: 'error' });
    }
    if (!this.closed && (this.queue.length > 0 || this.slots.length === 0)) this.spawn();
  }

  private async retire(slot: Slot): Promise<void> {
    slot.retired = true;
    slot.hostPort.close();
    await slot.worker.terminate();
  }
}
