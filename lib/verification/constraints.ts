/**
 * Whether the trusted signatures of an artifact satisfy a verification config, with policy-fetcher's semantics
 * (`src/verify/mod.rs` `verify_signatures_against_config`, `src/verify/verification_constraints.rs`): a constraint
 * is satisfied when at least one signature satisfies it; every `allOf` constraint must be, and at least
 * `anyOf.minimumMatches` of the `anyOf` ones.
 */
import { X509Certificate, type KeyObject } from 'node:crypto';
import {
  describeConstraint,
  GITHUB_ACTIONS_ISSUER,
  type Annotations,
  type SignatureConstraint,
  type VerificationConfig,
} from './config';
import { publicKeyOf, type TrustedSignature } from './trust';

function hasAnnotations(s: TrustedSignature, wanted: Annotations | undefined): boolean {
  return Object.entries(wanted ?? {}).every(([k, v]) => s.annotations[k] === v);
}

/** `https://github.com/OWNER/REPO/...` → owner and repo, as policy-fetcher's GitHubRepo parses a SAN URI. */
function githubRepoOf(uri: string): { owner: string; repo: string } | undefined {
  let u: URL;
  try {
    u = new URL(uri);
  } catch {
    return undefined;
  }
  if (u.host !== 'github.com') return undefined;
  const [owner, repo] = u.pathname.split('/').slice(1);
  return owner !== undefined && repo !== undefined ? { owner, repo } : undefined;
}

/**
 * A constraint only the `verify` host capability asks for (`SigstoreCertificateVerify`): signed by the key of a
 * given certificate, which must chain to the given chain when there is one, and, with `requireRekorBundle`, be
 * logged in Rekor while the certificate was valid (else valid now) — sigstore-rs `CertificateVerifier`.
 */
export interface CertificateConstraint {
  kind: 'certificate';
  certificate: X509Certificate;
  chain: X509Certificate[] | undefined;
  requireRekorBundle: boolean;
  annotations?: Annotations;
  now: Date;
}

export type Constraint = SignatureConstraint | CertificateConstraint;

/** Whether `cert` is issued by a certificate of `chain`, up to one that signs itself. */
export function chainsTo(cert: X509Certificate, chain: X509Certificate[]): boolean {
  let current = cert;
  for (let hops = 0; hops <= chain.length; hops++) {
    const issuer = chain.find((c) => current.checkIssued(c) && current.verify(c.publicKey));
    if (!issuer) return false;
    if (issuer.checkIssued(issuer) && issuer.verify(issuer.publicKey)) return true;
    current = issuer;
  }
  return false;
}

function certificateSatisfied(c: CertificateConstraint, s: TrustedSignature): boolean {
  if (!s.signedBy(c.certificate.publicKey) || !hasAnnotations(s, c.annotations)) return false;
  if (c.chain && !chainsTo(c.certificate, c.chain)) return false;
  const at = c.requireRekorBundle ? s.loggedAt : c.now;
  if (!at) return false;
  return new Date(c.certificate.validFrom) <= at && at <= new Date(c.certificate.validTo);
}

function satisfiedBy(c: Constraint, s: TrustedSignature, key: KeyObject | undefined): boolean {
  switch (c.kind) {
    case 'certificate':
      return certificateSatisfied(c, s);
    case 'pubKey':
      return key !== undefined && s.signedBy(key) && hasAnnotations(s, c.annotations);
    case 'genericIssuer': {
      const id = s.identity;
      if (!id?.subject || id.issuer !== c.issuer) return false;
      const ok = 'equal' in c.subject ? id.subject === c.subject.equal : id.subject.startsWith(c.subject.urlPrefix);
      return ok && hasAnnotations(s, c.annotations);
    }
    case 'githubAction': {
      const id = s.identity;
      if (!id?.subject || id.issuer !== GITHUB_ACTIONS_ISSUER) return false;
      const gh = githubRepoOf(id.subject);
      if (!gh || gh.owner !== c.owner || (c.repo !== undefined && gh.repo !== c.repo)) return false;
      return hasAnnotations(s, c.annotations);
    }
  }
}

export function isSatisfied(c: Constraint, signatures: TrustedSignature[]): boolean {
  const key = c.kind === 'pubKey' ? publicKeyOf(c.key, 'a pubKey constraint') : undefined;
  return signatures.some((s) => satisfiedBy(c, s, key));
}

export interface ConfigOutcome {
  ok: boolean;
  /** kwctl's message when not ok: which constraints were not satisfied. */
  message?: string;
  satisfied: Constraint[];
}

/** A config, or the all-required constraints of a host-capability request. */
export type ConstraintSet = { allOf?: Constraint[]; anyOf?: VerificationConfig['anyOf'] };

function describe(c: Constraint): string {
  return c.kind === 'certificate'
    ? `- kind: certificate\n  subject: ${c.certificate.subject.replace(/\n/g, ', ')}`
    : describeConstraint(c);
}

export function checkConfig(config: ConstraintSet, signatures: TrustedSignature[]): ConfigOutcome {
  const satisfied: Constraint[] = [];
  const failures: string[] = [];
  if (config.allOf) {
    const missing = config.allOf.filter((c) => !isSatisfied(c, signatures));
    satisfied.push(...config.allOf.filter((c) => !missing.includes(c)));
    if (missing.length > 0)
      failures.push(
        `missing signatures\nThe following constraints were not satisfied:\n${missing.map(describe).join('\n')}`,
      );
  }
  if (config.anyOf) {
    const { minimumMatches, signatures: list } = config.anyOf;
    const missing = list.filter((c) => !isSatisfied(c, signatures));
    const got = list.length - missing.length;
    satisfied.push(...list.filter((c) => !missing.includes(c)));
    if (got < minimumMatches) {
      failures.push(
        `minimum number of signatures not reached: needed ${minimumMatches}, got ${got}\nThe following constraints were not satisfied:\n${missing.map(describe).join('\n')}`,
      );
    }
  }
  return failures.length === 0 ? { ok: true, satisfied } : { ok: false, satisfied, message: failures.join('\n') };
}
