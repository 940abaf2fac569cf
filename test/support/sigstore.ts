/**
 * A private Sigstore for tests, made with real tools: a certificate authority and signing certificates from the
 * openssl CLI (standing in for Fulcio, with its OIDC-issuer extension), a transparency-log key whose signed
 * entry timestamps stand in for Rekor's, a trusted-root JSON naming both, and cosign's two ways of attaching
 * signatures to an OCI artifact (the `sha256-<hex>.sig` tag, and Sigstore bundles as referrers), pushed to a real
 * registry through the project's registry client.
 */
import { execFileSync } from 'node:child_process';
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  sign,
  X509Certificate,
  type KeyObject,
} from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { json as canonicalJson } from '@sigstore/core';
import type { RegistryClient } from '../../lib/store/registry';
import type { RegistryRef } from '../../lib/store/ref';

export const GITHUB_ISSUER = 'https://token.actions.githubusercontent.com';

export interface KeyPair {
  privateKey: KeyObject;
  publicPem: string;
  /** Where the public key PEM is written (for -k). */
  publicFile: string;
}

export function keyPair(dir: string, name: string): KeyPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicPem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
  const publicFile = path.join(dir, `${name}.pub`);
  writeFileSync(publicFile, publicPem);
  return { privateKey, publicPem, publicFile };
}

export interface Identity {
  email?: string;
  uri?: string;
  issuer: string;
}

export interface Leaf {
  certPem: string;
  key: KeyObject;
  notAfter: Date;
}

export interface TestCa {
  certPem: string;
  keyFile: string;
  certFile: string;
  issue(identity: Identity, days?: number): Leaf;
}

function openssl(args: string[], cwd: string): void {
  execFileSync('openssl', args, { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
}

let serial = 1000;

export function makeCa(dir: string, name: string): TestCa {
  mkdirSync(dir, { recursive: true });
  const keyFile = path.join(dir, `${name}.key`);
  const certFile = path.join(dir, `${name}.pem`);
  openssl(
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      keyFile,
      '-out',
      certFile,
      '-days',
      '3650',
      '-subj',
      `/O=sigstore.test/CN=${name}`,
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ],
    dir,
  );
  const certPem = readFileSync(certFile, 'utf8');
  return {
    certPem,
    keyFile,
    certFile,
    issue(identity: Identity, days = 1): Leaf {
      const n = serial++;
      const leafKey = path.join(dir, `leaf-${n}.key`);
      const csr = path.join(dir, `leaf-${n}.csr`);
      const ext = path.join(dir, `leaf-${n}.cnf`);
      const out = path.join(dir, `leaf-${n}.pem`);
      const san = identity.email ? `email:${identity.email}` : `URI:${identity.uri}`;
      writeFileSync(
        ext,
        [
          '[v3]',
          `subjectAltName=critical,${san}`,
          'keyUsage=critical,digitalSignature',
          'extendedKeyUsage=codeSigning',
          `1.3.6.1.4.1.57264.1.8=ASN1:UTF8String:${identity.issuer}`,
          '',
        ].join('\n'),
      );
      openssl(
        [
          'req',
          '-new',
          '-newkey',
          'ec',
          '-pkeyopt',
          'ec_paramgen_curve:P-256',
          '-nodes',
          '-keyout',
          leafKey,
          '-out',
          csr,
          '-subj',
          '/O=sigstore.test',
        ],
        dir,
      );
      openssl(
        [
          'x509',
          '-req',
          '-in',
          csr,
          '-CA',
          certFile,
          '-CAkey',
          keyFile,
          '-set_serial',
          String(n),
          '-days',
          String(days),
          '-extfile',
          ext,
          '-extensions',
          'v3',
          '-out',
          out,
        ],
        dir,
      );
      const certPem = readFileSync(out, 'utf8');
      return {
        certPem,
        key: createPrivateKey(readFileSync(leafKey)),
        notAfter: new Date(new X509Certificate(certPem).validTo),
      };
    },
  };
}

export interface TestRekor {
  key: KeyObject;
  publicDer: Buffer;
  logId: string;
  /** A Rekor bundle (cosign's `dev.sigstore.cosign/bundle`) for a hashedrekord entry of this signature. */
  bundle(payload: Buffer, signatureB64: string, certPem: string, integratedTime: number): string;
  /** A v0.1 tlog entry (bundle JSON form) for a DSSE entry. */
  dsseEntry(
    envelope: { payload: string; payloadType: string; signatures: { sig: string }[] },
    certPem: string,
    integratedTime: number,
  ): unknown;
}

export function makeRekor(): TestRekor {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicDer = publicKey.export({ type: 'spki', format: 'der' });
  const logId = createHash('sha256').update(publicDer).digest('hex');
  let index = 0;
  const set = (body: string, integratedTime: number, logIndex: number): string =>
    sign(
      'sha256',
      Buffer.from(canonicalJson.canonicalize({ body, integratedTime, logIndex, logID: logId })),
      privateKey,
    ).toString('base64');
  return {
    key: privateKey,
    publicDer,
    logId,
    bundle(payload, signatureB64, certPem, integratedTime) {
      const body = Buffer.from(
        JSON.stringify({
          apiVersion: '0.0.1',
          kind: 'hashedrekord',
          spec: {
            data: { hash: { algorithm: 'sha256', value: createHash('sha256').update(payload).digest('hex') } },
            signature: { content: signatureB64, publicKey: { content: Buffer.from(certPem).toString('base64') } },
          },
        }),
      ).toString('base64');
      const logIndex = index++;
      return JSON.stringify({
        SignedEntryTimestamp: set(body, integratedTime, logIndex),
        Payload: { body, integratedTime, logIndex, logID: logId },
      });
    },
    dsseEntry(envelope, certPem, integratedTime) {
      const envJson = JSON.stringify(envelope);
      const body = Buffer.from(
        JSON.stringify({
          apiVersion: '0.0.1',
          kind: 'dsse',
          spec: {
            envelopeHash: { algorithm: 'sha256', value: createHash('sha256').update(envJson).digest('hex') },
            payloadHash: {
              algorithm: 'sha256',
              value: createHash('sha256').update(Buffer.from(envelope.payload, 'base64')).digest('hex'),
            },
            signatures: envelope.signatures.map((s) => ({
              signature: s.sig,
              verifier: Buffer.from(certPem).toString('base64'),
            })),
          },
        }),
      ).toString('base64');
      const logIndex = index++;
      return {
        logIndex: String(logIndex),
        logId: { keyId: Buffer.from(logId, 'hex').toString('base64') },
        kindVersion: { kind: 'dsse', version: '0.0.1' },
        integratedTime: String(integratedTime),
        inclusionPromise: { signedEntryTimestamp: set(body, integratedTime, logIndex) },
        canonicalizedBody: body,
      };
    },
  };
}

/** A trusted root (Sigstore's JSON format) naming these CAs and this log; no CT logs. */
export function trustedRootJson(cas: TestCa[], rekor: TestRekor): unknown {
  const der = (pem: string) => new X509Certificate(pem).raw.toString('base64');
  return {
    mediaType: 'application/vnd.dev.sigstore.trustedroot+json;version=0.1',
    tlogs: [
      {
        baseUrl: 'https://rekor.sigstore.test',
        hashAlgorithm: 'SHA2_256',
        publicKey: {
          rawBytes: rekor.publicDer.toString('base64'),
          keyDetails: 'PKIX_ECDSA_P256_SHA_256',
          validFor: { start: '2020-01-01T00:00:00Z' },
        },
        logId: { keyId: Buffer.from(rekor.logId, 'hex').toString('base64') },
      },
    ],
    certificateAuthorities: cas.map((ca, i) => ({
      subject: { organization: 'sigstore.test', commonName: `ca-${i}` },
      uri: 'https://fulcio.sigstore.test',
      certChain: { certificates: [{ rawBytes: der(ca.certPem) }] },
      validFor: { start: '2020-01-01T00:00:00Z' },
    })),
    ctlogs: [],
    timestampAuthorities: [],
  };
}

export interface CosignSignatureSpec {
  /** The key that signs (a leaf's key for keyless). */
  key: KeyObject;
  /** What the payload says is signed (default: the artifact's digest). */
  signedDigest?: string;
  annotations?: Record<string, string>;
  leaf?: Leaf;
  chainPem?: string;
  /** Rekor bundle for keyless signatures; `integratedTime` in seconds. */
  rekor?: { log: TestRekor; integratedTime: number };
  /** Sign one payload and attach another (a tampered payload). */
  tamper?: boolean;
}

const SIMPLE_SIGNING = 'application/vnd.dev.cosign.simplesigning.v1+json';

function payloadFor(ref: RegistryRef, digest: string, annotations: Record<string, string> | undefined): Buffer {
  return Buffer.from(
    JSON.stringify({
      critical: {
        identity: { 'docker-reference': `${ref.registry}/${ref.repository}` },
        image: { 'docker-manifest-digest': digest },
        type: 'cosign container image signature',
      },
      optional: annotations ?? null,
    }),
  );
}

/** Writes the `sha256-<hex>.sig` manifest of `digest` with one simple-signing layer per spec (cosign's layout). */
export async function attachCosignSignatures(
  client: RegistryClient,
  ref: RegistryRef,
  digest: string,
  specs: CosignSignatureSpec[],
): Promise<void> {
  const sigRef: RegistryRef = { ...ref, tag: `${digest.replace(':', '-')}.sig`, digest: undefined };
  const layers = [];
  for (const s of specs) {
    const payload = payloadFor(ref, s.signedDigest ?? digest, s.annotations);
    const signature = sign('sha256', payload, s.key).toString('base64');
    const attached = s.tamper
      ? payloadFor(ref, s.signedDigest ?? digest, { ...s.annotations, tampered: 'yes' })
      : payload;
    const annotations: Record<string, string> = { 'dev.cosignproject.cosign/signature': signature };
    if (s.leaf) annotations['dev.sigstore.cosign/certificate'] = s.leaf.certPem;
    if (s.chainPem) annotations['dev.sigstore.cosign/chain'] = s.chainPem;
    if (s.rekor && s.leaf)
      annotations['dev.sigstore.cosign/bundle'] = s.rekor.log.bundle(
        payload,
        signature,
        s.leaf.certPem,
        s.rekor.integratedTime,
      );
    const layerDigest = await client.pushBlob(sigRef, attached);
    layers.push({ mediaType: SIMPLE_SIGNING, digest: layerDigest, size: attached.length, annotations });
  }
  const config = Buffer.from('{}');
  const configDigest = await client.pushBlob(sigRef, config);
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: config.length },
    layers,
  };
  await client.pushManifest(sigRef, Buffer.from(JSON.stringify(manifest)), manifest.mediaType);
}

/**
 * Attaches a keyless Sigstore bundle (a DSSE envelope over an in-toto statement whose subject is `digest`) as a
 * referrer, through the `sha256-<hex>` referrers tag that registries without the referrers API use.
 */
export async function attachBundleReferrer(
  client: RegistryClient,
  ref: RegistryRef,
  digest: string,
  leaf: Leaf,
  log: TestRekor,
  integratedTime: number,
  subjectDigest = digest,
): Promise<void> {
  const statement = {
    _type: 'https://in-toto.io/Statement/v1',
    subject: [{ name: `${ref.registry}/${ref.repository}`, digest: { sha256: subjectDigest.split(':')[1] } }],
    predicateType: 'https://sigstore.dev/cosign/sign/v1',
    predicate: {},
  };
  const payload = Buffer.from(JSON.stringify(statement));
  const payloadType = 'application/vnd.in-toto+json';
  const pae = Buffer.concat([Buffer.from(`DSSEv1 ${payloadType.length} ${payloadType} ${payload.length} `), payload]);
  const sig = sign('sha256', pae, leaf.key).toString('base64');
  const envelope = { payload: payload.toString('base64'), payloadType, signatures: [{ sig, keyid: '' }] };
  const bundle = {
    mediaType: 'application/vnd.dev.sigstore.bundle+json;version=0.1',
    verificationMaterial: {
      x509CertificateChain: { certificates: [{ rawBytes: new X509Certificate(leaf.certPem).raw.toString('base64') }] },
      tlogEntries: [
        log.dsseEntry({ payload: envelope.payload, payloadType, signatures: [{ sig }] }, leaf.certPem, integratedTime),
      ],
      timestampVerificationData: { rfc3161Timestamps: [] },
    },
    dsseEnvelope: envelope,
  };
  const artifactType = 'application/vnd.dev.sigstore.bundle.v0.3+json';
  const blob = Buffer.from(JSON.stringify(bundle));
  const tagRef: RegistryRef = { ...ref, tag: digest.replace(':', '-'), digest: undefined };
  const blobDigest = await client.pushBlob(tagRef, blob);
  const empty = Buffer.from('{}');
  const emptyDigest = await client.pushBlob(tagRef, empty);
  const manifest = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
    artifactType,
    config: { mediaType: 'application/vnd.oci.empty.v1+json', digest: emptyDigest, size: empty.length },
    layers: [{ mediaType: artifactType, digest: blobDigest, size: blob.length }],
    subject: { mediaType: 'application/vnd.oci.image.manifest.v1+json', digest },
  };
  const manifestBytes = Buffer.from(JSON.stringify(manifest));
  const manifestDigest = await client.pushManifest(
    { ...ref, tag: undefined, digest: `sha256:${createHash('sha256').update(manifestBytes).digest('hex')}` },
    manifestBytes,
    manifest.mediaType,
  );
  const index = {
    schemaVersion: 2,
    mediaType: 'application/vnd.oci.image.index.v1+json',
    manifests: [{ mediaType: manifest.mediaType, digest: manifestDigest, size: manifestBytes.length, artifactType }],
  };
  await client.pushManifest(tagRef, Buffer.from(JSON.stringify(index)), index.mediaType);
}

export function publicKeyPem(key: KeyObject): string {
  return createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
}
