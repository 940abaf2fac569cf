// Entry point of an evaluation worker thread (bundled into dist/evaluator-worker.cjs).
import { parentPort } from 'node:worker_threads';
import { createLogger } from '../../base/log';
import { Evaluator } from './evaluator';
import { HostBridgeClient } from './host-bridge';
import { HB_TASK, type MainToWorker, type WorkerToMain } from './messages';

if (!parentPort) throw new Error('the evaluator must run in a worker thread');
const port = parentPort;
const send = (m: WorkerToMain): void => port.postMessage(m);
let evaluator: Evaluator | undefined;
let heartbeat: Float64Array | undefined;

port.on('message', (msg: MainToWorker) => {
  switch (msg.type) {
    case 'init': {
      const log = createLogger(msg.logLevel, (line) => {
        const m = /^(error|warn|debug): /.exec(line);
        send({ type: 'log', level: (m?.[1] as 'error' | 'warn' | 'debug' | undefined) ?? 'info', message: m ? line.slice(m[0].length) : line });
      });
      const bridge = new HostBridgeClient(msg.hostPort, msg.hostSignal);
      heartbeat = new Float64Array(msg.heartbeat);
      evaluator = new Evaluator(msg.policies, new Float64Array(msg.heartbeat), log, (policy) => (b, n, o, payload) => bridge.call(policy, b, n, o, payload));
      send({ type: 'ready' });
      break;
    }
    case 'prepare':
      heartbeat![HB_TASK] = msg.taskId;
      send({ type: 'prepared', taskId: msg.taskId, outcome: evaluator!.prepare(msg.policy) });
      break;
    case 'evaluate':
      send({
        type: 'evaluated',
        results: msg.tasks.map((t) => {
          heartbeat![HB_TASK] = t.taskId;
          return { taskId: t.taskId, outcomes: evaluator!.evaluate(t.requestJson, t.policies) };
        }),
      });
      break;
  }
});
