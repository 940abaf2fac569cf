/** Marks a UserError across bundles: the cluster client (dist/cluster.cjs) is built with its own copy of this class. */
const USER_ERROR = Symbol.for('kubectl-wasmpolicy.UserError');

/**
 * A failure whose message is complete for the user: a bad flag, an unreadable file, a policy that cannot be fetched
 * or loaded, a cluster that refuses. The CLI prints `error: <message>` (no stack trace) and exits with 2; any other
 * error is a defect and shows its stack. `kind` says what went wrong, for callers that react differently.
 */
export class UserError<K extends string = string> extends Error {
  readonly [USER_ERROR] = true;
  readonly kind: K;
  constructor(message: string, kind: K) {
    super(message);
    this.kind = kind;
  }
}

/** True for a UserError of any bundle (instanceof only knows the copy of the class it names). */
export function isUserError(err: unknown): err is UserError {
  return typeof err === 'object' && err !== null && (err as { [USER_ERROR]?: unknown })[USER_ERROR] === true;
}
