import { UserError } from '../base/user-error';

/** The policies a run was given cannot run: none at all, two with one id, or a cluster without Kubewarden. */
export class PolicySetError extends UserError<'no-policies' | 'duplicate-id' | 'not-installed'> {
  override name = 'PolicySetError';
}
