import type { Logger } from '../log';

/** A host error returned to the guest through `__host_error` (spec §2: errors are not in-band). */
export class HostCallError extends Error {
  override name = 'HostCallError';
}

const dec = new TextDecoder();

/** Operations the spec defines but this host does not answer yet; they get a clear host error. */
const KNOWN_UNSUPPORTED: Record<string, readonly string[]> = {
  oci: ['v1/manifest_digest', 'v1/oci_manifest', 'v1/oci_manifest_config', 'v1/verify', 'v2/verify'],
  net: ['v1/dns_lookup_host'],
  crypto: ['v1/is_certificate_trusted'],
  kubernetes: ['list_resources_by_namespace', 'list_resources_all', 'get_resource', 'can_i'],
};

/**
 * Routes `__host_call` triples (spec §2). Only `kubewarden/tracing/log` is served so far; the other
 * capabilities answer a host error that names them, so a policy fails loudly rather than silently.
 */
export function createDispatcher(policyId: string, log: Logger) {
  return (binding: string, namespace: string, operation: string, payload: Uint8Array): Uint8Array => {
    if (binding === 'kubernetes') {
      throw new HostCallError(`host capability kubernetes/${namespace} is not supported yet by kubectl-wasmpolicy`);
    }
    if (binding !== 'kubewarden') throw new HostCallError(`unknown binding: ${binding}`);
    if (namespace === 'tracing') {
      if (operation !== 'log') throw new HostCallError(`unknown operation: ${operation}`);
      traceLog(policyId, payload, log);
      return new Uint8Array();
    }
    const ops = KNOWN_UNSUPPORTED[namespace];
    if (!ops) throw new HostCallError(`unknown namespace: ${namespace}`);
    if (!ops.includes(operation)) throw new HostCallError(`unknown operation: ${operation}`);
    throw new HostCallError(`host capability ${namespace}/${operation} is not supported yet by kubectl-wasmpolicy`);
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

