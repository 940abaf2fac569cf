import { UserError } from '../base/user-error';

/** A request refused on this side: an invalid proxy setting, or an answer larger than the caller's limit. */
export class HttpError extends UserError<'config' | 'too-large'> {
  override name = 'HttpError';
}
