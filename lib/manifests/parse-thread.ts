// Entry point of the manifest parser thread (bundled into dist/manifest-parser.cjs): YAML parsing is most of
// the main thread's work on large inputs, and it needs nothing but the text.
import { parentPort } from 'node:worker_threads';
import { parseRequest, type ParseReply, type ParseRequest } from './parser';

if (!parentPort) throw new Error('the manifest parser must run in a worker thread');
const port = parentPort;

port.on('message', (m: ParseRequest) => {
  let reply: ParseReply;
  try {
    reply = { id: m.id, entries: parseRequest(m) };
  } catch (err) {
    reply = { id: m.id, failure: (err as Error).stack ?? String(err) };
  }
  port.postMessage(reply);
});
