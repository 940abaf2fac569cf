/**
 * What each signature proves. A signature is kept only if it is about the artifact being verified (its signed
 * manifest digest is that artifact's digest, as sigstore-rs keeps only matching simple-signing layers). Then:
 * - for `pubKey` constraints, whether a given key made it (the signature over the payload, nothing else: kwctl's
 *   PublicKeyVerifier does not require a transparency-log entry for key-based signatures);
 * - for keyless constraints, the signer's identity, known only when its certificate chains to a CA of the trust
 *   root, carries an SCT (when the root lists CT logs), was valid when the Rekor entry was integrated, and the
 *   Rekor entry (its signed entry timestamp) matches the signature and certificate. Those checks are done by the
 *   Sigstore project's `@sigstore/verify`; cosign's legacy annotations are turned into the v0.1 bundle they are
 *   equivalent to.
 */
import { createHash, createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { bundleFromJSON, type Bundle } from '@sigstore/bundle';
import { crypto as sigcrypto, dsse, json, pem } from '@sigstore/core';
import { HashAlgorithm } from '@sigstore/protobuf-specs';
import { toSignedEntity, Verifier } from '@sigstore/verify';
import type { Annotations } from './config';
import type { BundleSignature, CosignSignature, RawSignature, RekorBundle } from './signatures';
import type { TrustRoot } from './trust-root';

/** The identity of a keyless signer, from a certificate the trust root vouches for. */
export interface SignerIdentity {
  issuer?: string;
  /** The certificate's subject alternative name: an email or a URI. */
  subject?: string;
}

export interface TrustedSignature {
  /** Where it came from, for messages: `cosign signature sha256:...` or `Sigstore bundle sha256:...`. */
  label: string;
  /** The annotations the signer signed (cosign's `-a KEY=VALUE`). */
  annotations: Annotations;
  /** Set when the signer's certificate was verified against the trust root. */
  identity?: SignerIdentity;
  /** Why no identity was established, when it was not (for messages). */
  identityProblem?: string;
  /** The signature's certificate (PEM), as attached, verified or not. */
  certificatePem?: string;
  /** When a Rekor entry whose signed entry timestamp the trust root verifies says the signature was logged. */
  loggedAt?: Date;
  /** True when `key` made this signature. */
  signedBy(key: KeyObject): boolean;
}

export interface Evidence {
  trusted: TrustedSignature[];
  /** Signatures left out, and why. */
  ignored: string[];
}

const SIMPLE_SIGNING_TYPE = 'cosign container image signature';

export function evaluateSignatures(raw: RawSignature[], digest: string, root: TrustRoot): Evidence {
  const out: Evidence = { trusted: [], ignored: [] };
  const verifier = new Verifier(root.material, { ctlogThreshold: root.hasCtLogs ? 1 : 0, tlogThreshold: 1 });
  for (const r of raw) {
    const t = r.format === 'cosign' ? fromCosign(r, digest, verifier, root) : fromBundle(r, digest, verifier);
    if (typeof t === 'string') out.ignored.push(t);
    else out.trusted.push(t);
  }
  return out;
}

interface SimpleSigning {
  critical?: {
    identity?: { 'docker-reference'?: unknown };
    image?: { 'docker-manifest-digest'?: unknown };
    type?: unknown;
  };
  optional?: Record<string, unknown> | null;
}

function stringValues(o: Record<string, unknown> | null | undefined): Annotations {
  const out: Annotations = {};
  for (const [k, v] of Object.entries(o ?? {})) if (typeof v === 'string') out[k] = v;
  return out;
}

function fromCosign(
  s: CosignSignature,
  digest: string,
  verifier: Verifier,
  root: TrustRoot,
): TrustedSignature | string {
  const label = `cosign signature ${s.layerDigest}`;
  let ss: SimpleSigning;
  try {
    ss = JSON.parse(s.payload.toString('utf8')) as SimpleSigning;
  } catch {
    return `${label}: the payload is not a simple-signing JSON document`;
  }
  if (ss.critical?.type !== SIMPLE_SIGNING_TYPE)
    return `${label}: not a cosign container image signature (type ${JSON.stringify(ss.critical?.type)})`;
  const signed = ss.critical?.image?.['docker-manifest-digest'];
  if (signed !== digest) return `${label}: signs ${String(signed)}, not ${digest}`;
  const signature = Buffer.from(s.signature, 'base64');
  const t: TrustedSignature = {
    label,
    annotations: stringValues(ss.optional),
    signedBy: (key) => verifySignature(key, s.payload, signature),
  };
  if (s.certificatePem) t.certificatePem = s.certificatePem;
  if (s.rekorBundle && verifiedSet(s.rekorBundle, root))
    t.loggedAt = new Date(s.rekorBundle.Payload.integratedTime * 1000);
  if (s.certificatePem) {
    if (!s.rekorBundle) {
      t.identityProblem = 'cannot verify the attached certificate: the Rekor bundle is missing';
    } else {
      const identity = keyless(() => legacyBundle(s, signature), s.payload, verifier);
      if (typeof identity === 'string') t.identityProblem = identity;
      else t.identity = identity;
    }
  }
  return t;
}

function fromBundle(s: BundleSignature, digest: string, verifier: Verifier): TrustedSignature | string {
  const label = `Sigstore bundle ${s.manifestDigest}`;
  let bundle: Bundle;
  try {
    bundle = bundleFromJSON(s.bundleJson);
  } catch (err) {
    return `${label}: not a valid Sigstore bundle: ${(err as Error).message}`;
  }
  if (bundle.content.$case !== 'dsseEnvelope')
    return `${label}: a message-signature bundle does not say which artifact it signs`;
  const env = bundle.content.dsseEnvelope;
  let statement: {
    subject?: { digest?: Record<string, unknown> }[];
    predicate?: { annotations?: Record<string, unknown> };
  };
  try {
    statement = JSON.parse(Buffer.from(env.payload).toString('utf8')) as typeof statement;
  } catch {
    return `${label}: the DSSE payload is not an in-toto statement`;
  }
  const [alg, hex] = digest.split(':');
  if (!(statement.subject ?? []).some((sub) => sub.digest?.[alg] === hex))
    return `${label}: its subject is not ${digest}`;
  const pae = dsse.preAuthEncoding(env.payloadType, Buffer.from(env.payload));
  const t: TrustedSignature = {
    label,
    annotations: stringValues(statement.predicate?.annotations),
    signedBy: (key) => env.signatures.some((sig) => verifySignature(key, pae, Buffer.from(sig.sig))),
  };
  if (bundle.verificationMaterial.content.$case !== 'publicKey') {
    const identity = keyless(() => bundle, undefined, verifier);
    if (typeof identity === 'string') t.identityProblem = identity;
    else t.identity = identity;
  }
  return t;
}

function keyless(bundleOf: () => Bundle, artifact: Buffer | undefined, verifier: Verifier): SignerIdentity | string {
  try {
    const signer = verifier.verify(toSignedEntity(bundleOf(), artifact));
    return { issuer: signer.identity?.extensions?.issuer, subject: signer.identity?.subjectAlternativeName };
  } catch (err) {
    // @sigstore/verify wraps the precise reason (expired, unknown CA, ...) as the cause.
    const cause = (err as Error & { cause?: unknown }).cause;
    return `the certificate is not trusted: ${(err as Error).message}${cause instanceof Error ? `: ${cause.message}` : ''}`;
  }
}

/** Whether a transparency log of the trust root signed this Rekor entry (its signed entry timestamp). */
function verifiedSet(b: RekorBundle, root: TrustRoot): boolean {
  const p = b.Payload;
  if (typeof p?.body !== 'string' || typeof b.SignedEntryTimestamp !== 'string') return false;
  const data = Buffer.from(
    json.canonicalize({ body: p.body, integratedTime: p.integratedTime, logIndex: p.logIndex, logID: p.logID }),
    'utf8',
  );
  const at = new Date(p.integratedTime * 1000);
  return root.material.tlogs.some(
    (log) =>
      log.logID.toString('hex') === p.logID &&
      log.validFor.start <= at &&
      at <= log.validFor.end &&
      sigcrypto.verify(data, log.publicKey, Buffer.from(b.SignedEntryTimestamp, 'base64')),
  );
}

function verifySignature(key: KeyObject, data: Buffer, signature: Buffer): boolean {
  try {
    // Ed25519 keys take no digest; ECDSA and RSA keys sign SHA-256 (cosign's default).
    return cryptoVerify(key.asymmetricKeyType === 'ed25519' ? null : 'sha256', data, key, signature);
  } catch {
    return false;
  }
}

/** The v0.1 bundle a cosign signature with a certificate and a Rekor bundle stands for. */
function legacyBundle(s: CosignSignature, signature: Buffer): Bundle {
  const certs = [s.certificatePem!, ...(s.chainPem ? splitPem(s.chainPem) : [])].map((p) => ({
    rawBytes: pem.toDER(p),
  }));
  const rb = s.rekorBundle!;
  return {
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    verificationMaterial: {
      content: { $case: 'x509CertificateChain', x509CertificateChain: { certificates: certs } },
      tlogEntries: [
        {
          logIndex: String(rb.Payload.logIndex),
          logId: { keyId: Buffer.from(rb.Payload.logID, 'hex') },
          kindVersion: kindVersionOf(rb.Payload.body),
          integratedTime: String(rb.Payload.integratedTime),
          inclusionPromise: { signedEntryTimestamp: Buffer.from(rb.SignedEntryTimestamp, 'base64') },
          inclusionProof: undefined,
          canonicalizedBody: Buffer.from(rb.Payload.body, 'base64'),
        },
      ],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    content: {
      $case: 'messageSignature',
      messageSignature: {
        messageDigest: { algorithm: HashAlgorithm.SHA2_256, digest: createHash('sha256').update(s.payload).digest() },
        signature,
      },
    },
  } as Bundle;
}

function kindVersionOf(bodyB64: string): { kind: string; version: string } {
  try {
    const body = JSON.parse(Buffer.from(bodyB64, 'base64').toString('utf8')) as {
      kind?: unknown;
      apiVersion?: unknown;
    };
    return { kind: String(body.kind ?? ''), version: String(body.apiVersion ?? '') };
  } catch {
    return { kind: '', version: '' };
  }
}

function splitPem(text: string): string[] {
  return text.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
}

/** A PEM public key (as `cosign generate-key-pair` writes it). */
export function publicKeyOf(pemText: string, where: string): KeyObject {
  try {
    return createPublicKey(pemText);
  } catch (err) {
    throw new Error(`${where}: not a PEM public key: ${(err as Error).message}`);
  }
}
