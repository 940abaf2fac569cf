import { STATUS_CODES } from 'node:http';
import { UserError } from '../base/user-error';

/** What went wrong talking to a cluster, for callers that react differently (a 404 is "absent", a 403 is a report entry). */
export type ClusterErrorKind =
  | 'config' // no usable kubeconfig, unknown context, unreadable file
  | 'credentials' // an exec plugin or a token file failed
  | 'connection' // the server could not be reached
  | 'tls' // the TLS handshake failed (unknown CA, wrong host name, not TLS)
  | 'timeout'
  | 'unauthorized' // 401
  | 'forbidden' // 403
  | 'not-found' // 404
  | 'conflict' // 409
  | 'gone' // 410: a list continue token expired
  | 'http' // any other error status
  | 'invalid-response'; // the body was not what the API promises

/** An error from the API server or on the way to it. The message is for users: it names the server and context, never credentials. */
export class ClusterError extends UserError<ClusterErrorKind> {
  override name = 'ClusterError';
  constructor(
    message: string,
    kind: ClusterErrorKind,
    /** The HTTP status, when the server answered. */
    readonly status?: number,
    /** The `reason` of the server's Status object (Forbidden, NotFound, Expired, ...). */
    readonly reason?: string,
  ) {
    super(message, kind);
  }
}

export function isClusterError(e: unknown): e is ClusterError {
  return e instanceof ClusterError;
}

/** The kind for an HTTP error status. */
export function kindForStatus(status: number): ClusterErrorKind {
  switch (status) {
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not-found';
    case 409:
      return 'conflict';
    case 410:
      return 'gone';
    case 408:
    case 504:
      return 'timeout';
    default:
      return 'http';
  }
}

/** The parts of a metav1.Status the messages use; anything else in the body is ignored. */
export interface StatusBody {
  message?: string;
  reason?: string;
}

/** Reads a Status from an error body; a body that is not one (a proxy's HTML page) gives its first line instead. */
export function parseStatus(body: string): StatusBody {
  try {
    const v = JSON.parse(body) as unknown;
    if (v && typeof v === 'object' && (v as { kind?: unknown }).kind === 'Status') {
      const s = v as { message?: unknown; reason?: unknown };
      return {
        message: typeof s.message === 'string' ? s.message : undefined,
        reason: typeof s.reason === 'string' && s.reason ? s.reason : undefined,
      };
    }
  } catch {
    // not JSON: fall through
  }
  const first = body.trim().split('\n')[0]?.slice(0, 200);
  return first ? { message: first } : {};
}

/** "403 Forbidden from https://host:6443 (context dev): pods is forbidden: ..." */
export function httpError(status: number, body: string, where: string): ClusterError {
  const s = parseStatus(body);
  const text = STATUS_CODES[status];
  const head = `${status}${text ? ' ' + text : ''} from ${where}`;
  return new ClusterError(s.message ? `${head}: ${s.message}` : head, kindForStatus(status), status, s.reason);
}
