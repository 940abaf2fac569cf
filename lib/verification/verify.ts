/**
 * Verifying an OCI artifact (a policy, or for the `verify` host capability an image) against a verification
 * config: resolve the reference to its manifest digest once, read the signatures attached to that digest, keep
 * what the trust root vouches for, and check the constraints. The result is the verified digest: callers then
 * pull `repo@digest`, so what runs is what was verified (no second resolution of the tag).
 */
import type { RegistryClient } from '../store/registry';
import { formatRegistryRef, type RegistryRef } from '../store/ref';
import { PolicyFetchError } from '../store/errors';
import { checkConfig, type Constraint, type ConstraintSet } from './constraints';
import { PolicyVerificationError } from './errors';
import { fetchSignatures } from './signatures';
import { evaluateSignatures } from './trust';
import type { TrustRoot } from './trust-root';

export interface Verified {
  /** The manifest digest that was verified. */
  digest: string;
  satisfied: Constraint[];
  /** How many signatures were found and how many were usable. */
  signatures: number;
  trusted: number;
}

export interface VerifyRequest {
  client: RegistryClient;
  ref: RegistryRef;
  config: ConstraintSet;
  trustRoot: TrustRoot;
  /** What is being verified, for messages (`policy pss-privileged`, `image`). */
  subject: string;
}

export async function verifyArtifact(r: VerifyRequest): Promise<Verified> {
  const name = formatRegistryRef(r.ref, false);
  let digest: string;
  let raw;
  try {
    digest = await r.client.manifestDigest(r.ref);
    raw = await fetchSignatures(r.client, r.ref, digest);
  } catch (err) {
    if (err instanceof PolicyFetchError)
      throw new PolicyVerificationError(`${r.subject} ${name}: cannot read its signatures: ${err.message}`, 'registry');
    throw err;
  }
  const at = `${r.subject} ${name} (${digest})`;
  if (raw.length === 0)
    throw new PolicyVerificationError(
      `${at}: verification failed: no signatures found (no ${digest.replace(':', '-')}.sig tag and no Sigstore bundle referrers)`,
      'no-signatures',
    );
  const evidence = evaluateSignatures(raw, digest, r.trustRoot);
  const outcome = checkConfig(r.config, evidence.trusted);
  if (!outcome.ok) {
    const notes = [
      ...evidence.ignored,
      ...evidence.trusted.filter((t) => t.identityProblem).map((t) => `${t.label}: ${t.identityProblem}`),
    ];
    throw new PolicyVerificationError(
      `${at}: verification failed: ${outcome.message}` +
        (notes.length > 0 ? `\nSignatures that could not be used:\n${notes.map((n) => `- ${n}`).join('\n')}` : ''),
      'unsatisfied',
    );
  }
  return { digest, satisfied: outcome.satisfied, signatures: raw.length, trusted: evidence.trusted.length };
}
