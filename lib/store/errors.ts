import { UserError } from '../base/user-error';
import { HttpError } from '../net/errors';

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
export class PolicyFetchError extends UserError<FetchErrorKind> {
  override name = 'PolicyFetchError';
  constructor(message: string, kind: FetchErrorKind = 'io') {
    super(message, kind);
  }
}

/** net's refusals (an invalid proxy setting, an answer over the limit) as the store reports them. */
export function asFetchError(err: unknown): unknown {
  return err instanceof HttpError ? new PolicyFetchError(err.message, err.kind) : err;
}
