/**
 * SubjectAccessReview, LocalSubjectAccessReview and SelfSubjectAccessReview (what `kubectl auth can-i` sends):
 * the answer is computed from the forbidden rules, so a review and the request it asks about always agree.
 */
import type { UserInfo } from './authn';
import { isForbidden, type ForbiddenRule } from './authz';
import { badRequest } from './status';

interface ReviewBody {
  apiVersion?: string;
  kind?: string;
  metadata?: Record<string, unknown>;
  spec?: {
    resourceAttributes?: { namespace?: string; verb?: string; group?: string; resource?: string; name?: string };
    nonResourceAttributes?: { path?: string; verb?: string };
    user?: string;
    groups?: string[];
  };
}

export const REVIEW_RESOURCES = new Set([
  'subjectaccessreviews',
  'selfsubjectaccessreviews',
  'localsubjectaccessreviews',
]);

/** The review with its status filled in. `caller` is who sent it: the subject of a self review. */
export function answerReview(
  resource: string,
  version: string,
  body: unknown,
  caller: UserInfo,
  rules: readonly ForbiddenRule[],
  urlNamespace?: string,
): object {
  const review = (typeof body === 'object' && body !== null ? body : {}) as ReviewBody;
  const spec = review.spec ?? {};
  const self = resource === 'selfsubjectaccessreviews';
  if (!self && !spec.user && !spec.groups?.length)
    throw badRequest('spec.user or spec.groups: Required value: at least one of user or group must be specified');
  const subject: UserInfo = self ? caller : { user: spec.user ?? '', groups: spec.groups ?? [] };
  const ra = spec.resourceAttributes;
  if (!ra && !spec.nonResourceAttributes)
    throw badRequest(
      'spec.resourceAttributes: Required value: exactly one of nonResourceAttributes or resourceAttributes must be specified',
    );
  const namespace = resource === 'localsubjectaccessreviews' ? urlNamespace : ra?.namespace;
  const denied =
    ra !== undefined &&
    isForbidden(rules, subject, {
      verb: ra.verb ?? '',
      group: ra.group ?? '',
      resource: ra.resource ?? '',
      namespace: namespace || undefined,
    });
  return {
    kind: self
      ? 'SelfSubjectAccessReview'
      : resource === 'localsubjectaccessreviews'
        ? 'LocalSubjectAccessReview'
        : 'SubjectAccessReview',
    apiVersion: `authorization.k8s.io/${version}`,
    metadata: { creationTimestamp: null },
    spec,
    status: denied ? { allowed: false } : { allowed: true, reason: 'allowed by the test server (no rule forbids it)' },
  };
}
