/**
 * The constraints of a `verify` host-capability request, as policy-evaluator turns its variants into
 * verification constraints (all of them must hold): public keys, keyless identities (exact or URL prefix),
 * GitHub Actions, or a certificate. The request shape is the capabilities layer's; only what the constraints
 * need is read here.
 */
import { X509Certificate } from 'node:crypto';
import { urlPrefix, type Annotations } from './config';
import type { Constraint } from './constraints';
import { PolicyVerificationError } from './errors';

export type VerifyHostRequest =
  | { type: 'SigstorePubKeyVerify'; pub_keys: string[]; annotations: Annotations | null }
  | { type: 'SigstoreKeylessVerify'; keyless: { issuer: string; subject: string }[]; annotations: Annotations | null }
  | {
      type: 'SigstoreKeylessPrefixVerify';
      keyless_prefix: { issuer: string; url_prefix: string }[];
      annotations: Annotations | null;
    }
  | { type: 'SigstoreGithubActionsVerify'; owner: string; repo: string | null; annotations: Annotations | null }
  | {
      type: 'SigstoreCertificateVerify';
      certificate: Uint8Array;
      certificate_chain: Uint8Array[] | null;
      require_rekor_bundle: boolean;
      annotations: Annotations | null;
    };

function certificateOf(bytes: Uint8Array, what: string): X509Certificate {
  try {
    return new X509Certificate(Buffer.from(bytes));
  } catch (err) {
    throw new PolicyVerificationError(`${what}: not a PEM or DER certificate: ${(err as Error).message}`, 'config');
  }
}

export function constraintsOf(req: VerifyHostRequest, now: Date): Constraint[] {
  const a = req.annotations && Object.keys(req.annotations).length > 0 ? { annotations: req.annotations } : {};
  switch (req.type) {
    case 'SigstorePubKeyVerify':
      return req.pub_keys.map((key) => ({ kind: 'pubKey', key, ...a }));
    case 'SigstoreKeylessVerify':
      return req.keyless.map((k) => ({ kind: 'genericIssuer', issuer: k.issuer, subject: { equal: k.subject }, ...a }));
    case 'SigstoreKeylessPrefixVerify':
      return req.keyless_prefix.map((k) => {
        try {
          return { kind: 'genericIssuer', issuer: k.issuer, subject: { urlPrefix: urlPrefix(k.url_prefix) }, ...a };
        } catch {
          throw new PolicyVerificationError(`keyless_prefix: ${JSON.stringify(k.url_prefix)} is not a URL`, 'config');
        }
      });
    case 'SigstoreGithubActionsVerify':
      return [{ kind: 'githubAction', owner: req.owner, ...(req.repo ? { repo: req.repo } : {}), ...a }];
    case 'SigstoreCertificateVerify':
      return [
        {
          kind: 'certificate',
          certificate: certificateOf(req.certificate, 'certificate'),
          chain: req.certificate_chain
            ? req.certificate_chain.map((c, i) => certificateOf(c, `certificate_chain[${i}]`))
            : undefined,
          requireRekorBundle: req.require_rekor_bundle,
          now,
          ...a,
        },
      ];
  }
}
