import { UserError } from '../base/user-error';

/** What went wrong while verifying a policy's signatures, for callers that react differently. */
export type VerificationErrorKind =
  'config' | 'trust-root' | 'no-signatures' | 'unsatisfied' | 'unsupported' | 'registry';

/**
 * A policy (or image) whose signatures do not satisfy the verification config, or a config that cannot be used.
 * The message is complete for users: it names the reference, the digest and the constraints that failed.
 */
export class PolicyVerificationError extends UserError<VerificationErrorKind> {
  override name = 'PolicyVerificationError';
  constructor(message: string, kind: VerificationErrorKind) {
    super(message, kind);
  }
}
