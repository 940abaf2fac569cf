/**
 * The one classification of transport failures (no HTTP answer came), for the store's HTTP client (http.ts) and the
 * Kubernetes API client (lib/cluster/transport.ts): which of Node's socket and TLS error codes are a TLS failure, a
 * timeout or a connection failure, and when the server answered the TLS handshake in plain HTTP.
 */

/** The request never got an HTTP answer: the server could not be reached, TLS failed, or it timed out. */
export class TransportError extends Error {
  override name = 'TransportError';
  constructor(
    message: string,
    readonly kind: 'tls' | 'connection' | 'timeout',
    readonly hostPort: string,
    readonly code?: string,
  ) {
    super(message);
  }
}

/** TransportError code: the server answered the TLS handshake with something else (usually plain HTTP). */
export const NOT_TLS = 'NOT_TLS';

/**
 * Node's certificate verification codes (OpenSSL's X509_V_ERR_* names as Node reports them; docs/distribution.md, "Which failures are TLS failures"),
 * but OUT_OF_MEM. Other TLS failures come as ERR_TLS_*, ERR_SSL_* or EPROTO.
 */
const CERTIFICATE_CODES = new Set([
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_CRL',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE',
  'UNABLE_TO_DECRYPT_CRL_SIGNATURE',
  'UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY',
  'CERT_SIGNATURE_FAILURE',
  'CRL_SIGNATURE_FAILURE',
  'CERT_NOT_YET_VALID',
  'CERT_HAS_EXPIRED',
  'CRL_NOT_YET_VALID',
  'CRL_HAS_EXPIRED',
  'ERROR_IN_CERT_NOT_BEFORE_FIELD',
  'ERROR_IN_CERT_NOT_AFTER_FIELD',
  'ERROR_IN_CRL_LAST_UPDATE_FIELD',
  'ERROR_IN_CRL_NEXT_UPDATE_FIELD',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'CERT_CHAIN_TOO_LONG',
  'CERT_REVOKED',
  'INVALID_CA',
  'PATH_LENGTH_EXCEEDED',
  'INVALID_PURPOSE',
  'CERT_UNTRUSTED',
  'CERT_REJECTED',
  'HOSTNAME_MISMATCH',
]);

/** Whether a socket error code is a failed TLS handshake or certificate check. */
export function isTlsFailure(code: string | undefined): boolean {
  return (
    !!code &&
    (CERTIFICATE_CODES.has(code) || code === 'EPROTO' || code.startsWith('ERR_TLS_') || code.startsWith('ERR_SSL_'))
  );
}

/** OpenSSL's words for a TLS handshake answered with something that is not TLS (usually plain HTTP). */
function answeredInPlainText(message: string): boolean {
  return /wrong version number|packet length too long|http request/i.test(message);
}

/** Node's socket and TLS errors as a TransportError about `where` (host:port); TransportErrors pass through. */
export function classifyTransportError(err: NodeJS.ErrnoException, where: string): TransportError {
  const code = err.code;
  if (err instanceof TransportError) return err;
  if (isTlsFailure(code)) {
    if (answeredInPlainText(err.message)) {
      return new TransportError('the server does not speak TLS on this port (plain HTTP?)', 'tls', where, NOT_TLS);
    }
    const reason = err.message.replace(/^(write|read) EPROTO \S+:error:[0-9A-F]+:SSL routines:[^:]*:/, '');
    return new TransportError(`${reason}${code && !reason.includes(code) ? ` (${code})` : ''}`, 'tls', where, code);
  }
  if (code === 'ECONNREFUSED') return new TransportError('connection refused', 'connection', where, code);
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN')
    return new TransportError('host name not found (DNS)', 'connection', where, code);
  if (code === 'ETIMEDOUT') return new TransportError('connection timed out', 'timeout', where, code);
  if (code === 'ECONNRESET' || code === 'EPIPE')
    return new TransportError('connection reset by the server', 'connection', where, code);
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH')
    return new TransportError('host unreachable', 'connection', where, code);
  return new TransportError(err.message, 'connection', where, code);
}
