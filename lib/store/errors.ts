/** What went wrong, for callers that react differently (tests, retries, exit codes). */
export type FetchErrorKind =
  | 'invalid-ref'
  | 'unsupported'
  | 'io'
  | 'offline'
  | 'unauthorized'
  | 'denied'
  | 'not-found'
  | 'digest-mismatch'
  | 'not-wasm'
  | 'tls'
  | 'connection'
  | 'timeout'
  | 'http'
  | 'config'
  | 'too-large';

/** A policy module that could not be obtained. The message is for users and never carries credentials. */
export class PolicyFetchError extends Error {
  override name = 'PolicyFetchError';
  readonly kind: FetchErrorKind;
  constructor(message: string, kind: FetchErrorKind = 'io') {
    super(message);
    this.kind = kind;
  }
}
