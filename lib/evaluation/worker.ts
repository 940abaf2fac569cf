// Entry point of an evaluation worker thread (bundled into dist/evaluator-worker.cjs): the wasm pool's evaluator,
// with the host capabilities of lib/capabilities behind each policy's host calls.
import { parentPort } from 'node:worker_threads';
import { createDispatcher } from '../capabilities/dispatcher';
import { Evaluator } from '../wasm/pool/evaluator';
import { HostBridgeClient } from '../wasm/pool/host-bridge';
import { HB_TASK, type MainToWorker, type WorkerToMain } from '../wasm/pool/messages';
import { StderrTail } from '../wasm/wasi/stderr-tail';
import { threadLogger } from '../wasm/pool/thread-logger';
import { INTERNAL_ERROR_CODE, type RuntimeOutcome } from '../wasm/runtime';

/** The outcome, or an error outcome when structured clone cannot copy it. */
function cloneable(o: RuntimeOutcome): RuntimeOutcome {
  try {
    structuredClone(o);
    return o;
  } catch (err) {
    return {
      ok: false,
      message: `internal server error: the policy's result cannot be passed between threads: ${(err as Error).message}`,
      code: INTERNAL_ERROR_CODE,
      reason: 'error',
    };
  }
}

if (!parentPort) throw new Error('the evaluator must run in a worker thread');
const port = parentPort;
const send = (m: WorkerToMain): void => port.postMessage(m);
let evaluator: Evaluator | undefined;
let heartbeat: Float64Array | undefined;

port.on('message', (msg: MainToWorker) => {
  switch (msg.type) {
    case 'init': {
      const log = threadLogger(msg.logLevel, (level, message) => send({ type: 'log', level, message }));
      const bridge = new HostBridgeClient(msg.hostPort, msg.hostSignal);
      heartbeat = new Float64Array(msg.heartbeat);
      // Each policy's tracing/log calls go to its own capped guest log (the evaluator's), not the worker's.
      evaluator = new Evaluator(
        msg.policies,
        new Float64Array(msg.heartbeat),
        log,
        (p, index, guestLog) =>
          createDispatcher(p.id, guestLog, (b, n, o, payload) => bridge.call(index, b, n, o, payload)),
        new StderrTail(msg.stderrTail),
      );
      send({ type: 'ready' });
      break;
    }
    case 'prepare':
      heartbeat![HB_TASK] = msg.taskId;
      send({ type: 'prepared', taskId: msg.taskId, outcome: evaluator!.prepare(msg.policy, msg.ask) });
      break;
    case 'evaluate': {
      const results = msg.tasks.map((t) => {
        heartbeat![HB_TASK] = t.taskId;
        return { taskId: t.taskId, outcomes: evaluator!.evaluate(t.requestJson, t.policies) };
      });
      try {
        send({ type: 'evaluated', results });
      } catch {
        // An outcome structured clone cannot copy (the responses are depth-checked, so this is unforeseen): it
        // becomes an error for its own policy and object, the other outcomes are sent as they are.
        send({
          type: 'evaluated',
          results: results.map((r) => ({ taskId: r.taskId, outcomes: r.outcomes.map(cloneable) })),
        });
      }
      break;
    }
  }
});
