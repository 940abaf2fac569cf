/** "Could this user do that?" asked of the API server's authorizer (what kubectl auth can-i --as asks). */
import { ClusterError } from './errors';
import type { Transport } from './transport';
import type { SubjectAccessReviewSpec, SubjectAccessReviewStatus } from './types';

export async function subjectAccessReview(
  t: Transport,
  spec: SubjectAccessReviewSpec,
): Promise<SubjectAccessReviewStatus> {
  const review = await t.json<{ status?: SubjectAccessReviewStatus }>(
    'POST',
    '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    {
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec },
    },
  );
  if (!review.status || typeof review.status.allowed !== 'boolean') {
    throw new ClusterError(`the SubjectAccessReview answer from ${t.where} has no status.allowed`, 'invalid-response');
  }
  return review.status;
}
