import { receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { HostCallError } from '../host-call-error';

/** A host call the worker hands to the main thread. */
export interface HostCallMessage {
  id: number;
  /** Index of the calling policy in the pool. */
  policy: number;
  binding: string;
  namespace: string;
  operation: string;
  payload: Uint8Array;
}

export type HostReplyMessage =
  { id: number; ok: true; payload: Uint8Array } | { id: number; ok: false; message: string };

/** Slot 0 of the signal: 0 while the worker waits, 1 once the main thread has posted the reply. */
const SIGNAL = 0;

/**
 * The worker's end: a guest's `__host_call` is synchronous, so the worker posts the call and sleeps in
 * `Atomics.wait` (no CPU used) until the main thread has answered; the reply is then taken off the port with
 * `receiveMessageOnPort`, which has no size limit. The pool's deadline keeps running meanwhile: a call that
 * never returns ends with the worker being terminated.
 */
export class HostBridgeClient {
  private seq = 0;
  private readonly signal: Int32Array;

  constructor(
    private readonly port: MessagePort,
    signal: SharedArrayBuffer,
  ) {
    this.signal = new Int32Array(signal);
  }

  call(policy: number, binding: string, namespace: string, operation: string, payload: Uint8Array): Uint8Array {
    const id = ++this.seq;
    Atomics.store(this.signal, SIGNAL, 0);
    const msg: HostCallMessage = { id, policy, binding, namespace, operation, payload };
    this.port.postMessage(msg);
    for (;;) {
      Atomics.wait(this.signal, SIGNAL, 0);
      const got = receiveMessageOnPort(this.port);
      if (!got) {
        // Woken without a reply (cannot happen with the main side below, which posts before it signals).
        Atomics.store(this.signal, SIGNAL, 0);
        continue;
      }
      const reply = got.message as HostReplyMessage;
      if (reply.id !== id) continue;
      Atomics.store(this.signal, SIGNAL, 0);
      if (!reply.ok) throw new HostCallError(reply.message);
      return reply.payload;
    }
  }
}

/** Answers one call; rejects with HostCallError (or any Error) for a host error. */
export type HostCallServer = (call: HostCallMessage) => Promise<Uint8Array>;

/**
 * The main thread's end for one worker. `alive` says whether the worker still waits: a worker terminated by the
 * watchdog during a call gets no reply, and the late answer is dropped.
 */
export function serveHostBridge(
  port: MessagePort,
  signal: SharedArrayBuffer,
  serve: HostCallServer,
  alive: () => boolean,
): void {
  const flag = new Int32Array(signal);
  port.on('message', (call: HostCallMessage) => {
    void serve(call)
      .then(
        (payload): HostReplyMessage => ({ id: call.id, ok: true, payload }),
        (err: unknown): HostReplyMessage => ({
          id: call.id,
          ok: false,
          message: err instanceof Error ? err.message : String(err),
        }),
      )
      .then((reply) => {
        if (!alive()) return;
        port.postMessage(reply);
        Atomics.store(flag, SIGNAL, 1);
        Atomics.notify(flag, SIGNAL);
      });
  });
  // The port must not keep the process alive on its own.
  port.unref();
}
