import type { Logger } from '../base/log';
import { HostCallError } from './errors';
import { routeOf } from './routes';

export { HostCallError } from './errors';

/** Asks the main thread (or anything else that can do I/O) and waits for the answer; throws HostCallError. */
export type RemoteHostCall = (binding: string, namespace: string, operation: string, payload: Uint8Array) => Uint8Array;

const dec = new TextDecoder();

/**
 * Routes `__host_call` triples (docs/host-interface.md §2) where the guest runs: `kubewarden/tracing/log` is answered here, an unknown
 * triple gets policy-evaluator's error, and everything else goes to `remote`. Without `remote` (a runtime used
 * in-thread, e.g. by annotate or a benchmark) those capabilities answer a host error that names them.
 */
export function createDispatcher(policyId: string, log: Logger, remote?: RemoteHostCall) {
  return (binding: string, namespace: string, operation: string, payload: Uint8Array): Uint8Array => {
    const route = routeOf(binding, namespace, operation);
    if (route.kind === 'tracing-log') {
      traceLog(policyId, payload, log);
      return new Uint8Array();
    }
    if (!remote)
      throw new HostCallError(
        `host capability ${binding}/${namespace}/${operation} is not available here: it needs the evaluation pool (lib/wasm/pool)`,
      );
    return remote(binding, namespace, operation, payload);
  };
}

function traceLog(policyId: string, payload: Uint8Array, log: Logger): void {
  let event: Record<string, unknown>;
  try {
    event = JSON.parse(dec.decode(payload)) as Record<string, unknown>;
  } catch {
    // policy-evaluator only logs an unparsable event on its side; the guest still gets success.
    log.debug(`[${policyId}] unparsable tracing event`);
    return;
  }
  const { level, message, ...fields } = event;
  const extra = Object.keys(fields).length > 0 ? ' ' + JSON.stringify(fields) : '';
  const line = `[${policyId}] ${typeof message === 'string' ? message : ''}${extra}`;
  switch (String(level ?? 'info').toLowerCase()) {
    case 'error':
      log.error(line);
      break;
    case 'warning':
    case 'warn':
      log.warn(line);
      break;
    case 'info':
      log.info(line);
      break;
    default:
      log.debug(line);
  }
}
