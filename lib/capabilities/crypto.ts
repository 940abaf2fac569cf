import { X509Certificate } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { HostCallError } from './errors';
import type { CertificateInput } from './requests';

export interface CertificateVerificationResponse {
  trusted: boolean;
  /** Empty when trusted. */
  reason: string;
}

// policy-evaluator's reasons (callback_handler/crypto.rs).
export const NOT_TRUSTED = 'Certificate is not trusted by the provided cert chain';
export const EXPIRED = 'Certificate is being used after its expiration date';
export const NOT_YET_VALID = 'Certificate is being used before its validity date';

function load(c: CertificateInput, what: string): X509Certificate {
  try {
    return new X509Certificate(Buffer.from(c.data));
  } catch (err) {
    throw new HostCallError(
      `${what} is not a valid ${c.encoding === 'Pem' ? 'PEM' : 'DER'} certificate: ${(err as Error).message}`,
    );
  }
}

let mozillaRoots: X509Certificate[] | undefined;

/**
 * `crypto/v1/is_certificate_trusted`. Expiry is checked against `not_after` when given, the start of validity
 * against now; then the chain: with `cert_chain` the last entry is the root and the others intermediates, without
 * it the Mozilla roots Node ships (what webpki-roots carries). Unparsable input is a host error.
 */
export function isCertificateTrusted(
  cert: CertificateInput,
  chain: CertificateInput[] | null,
  notAfter: string | null,
  now = new Date(),
): CertificateVerificationResponse {
  const leaf = load(cert, 'cert');
  if (notAfter !== null) {
    const at = Date.parse(notAfter);
    if (!/^\d{4}-\d{2}-\d{2}T/.test(notAfter) || Number.isNaN(at))
      throw new HostCallError('Timestamp not_after is not in RFC3339 format');
    if (Date.parse(leaf.validTo) < at) return { trusted: false, reason: EXPIRED };
  }
  if (Date.parse(leaf.validFrom) > now.getTime()) return { trusted: false, reason: NOT_YET_VALID };
  const certs = chain ? chain.map((c, i) => load(c, `cert_chain[${i}]`)) : undefined;
  const roots = certs ? certs.slice(-1) : (mozillaRoots ??= rootCertificates.map((pem) => new X509Certificate(pem)));
  const intermediates = certs ? certs.slice(0, -1) : [];
  return chainsTo(leaf, intermediates, roots, now)
    ? { trusted: true, reason: '' }
    : { trusted: false, reason: NOT_TRUSTED };
}

/** Whether a path of signatures leads from `cert` to one of `roots`, each link valid at `now`. */
function chainsTo(
  cert: X509Certificate,
  intermediates: X509Certificate[],
  roots: X509Certificate[],
  now: Date,
  depth = 0,
): boolean {
  if (depth > 8) return false;
  const valid = (c: X509Certificate) =>
    Date.parse(c.validFrom) <= now.getTime() && now.getTime() <= Date.parse(c.validTo);
  for (const root of roots) {
    if (cert.checkIssued(root) && cert.verify(root.publicKey) && valid(root)) return true;
  }
  for (const ca of intermediates) {
    if (ca === cert || !ca.ca || !valid(ca)) continue;
    if (
      cert.checkIssued(ca) &&
      cert.verify(ca.publicKey) &&
      chainsTo(
        ca,
        intermediates.filter((c) => c !== ca),
        roots,
        now,
        depth + 1,
      )
    )
      return true;
  }
  return false;
}
