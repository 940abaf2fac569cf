/**
 * The signatures attached to an OCI artifact, read from the registry in the two formats cosign writes:
 * - the `sha256-<hex>.sig` tag (cosign's "triangulation"): one simple-signing layer per signature, with the
 *   signature, certificate, chain and Rekor bundle in the layer's annotations (sigstore-rs
 *   `cosign/signature_layers.rs`, which policy-fetcher and kwctl use);
 * - Sigstore bundles attached as OCI referrers (what current cosign writes by default): the referrers API, or
 *   the `sha256-<hex>` referrers tag where the registry has no such API.
 * Nothing here is trusted yet: trust.ts decides what each signature proves.
 */
import type { RegistryClient } from '../store/registry';
import { formatRegistryRef, type RegistryRef } from '../store/ref';
import { PolicyFetchError } from '../store/errors';

export const SIMPLE_SIGNING_MEDIA_TYPE = 'application/vnd.dev.cosign.simplesigning.v1+json';
export const SIGNATURE_ANNOTATION = 'dev.cosignproject.cosign/signature';
export const CERTIFICATE_ANNOTATION = 'dev.sigstore.cosign/certificate';
export const CHAIN_ANNOTATION = 'dev.sigstore.cosign/chain';
export const BUNDLE_ANNOTATION = 'dev.sigstore.cosign/bundle';
export const SIGSTORE_BUNDLE_ARTIFACT_TYPE_PREFIX = 'application/vnd.dev.sigstore.bundle';

/** The Rekor bundle cosign stores in `dev.sigstore.cosign/bundle`. */
export interface RekorBundle {
  SignedEntryTimestamp: string;
  Payload: { body: string; integratedTime: number; logIndex: number; logID: string };
}

/** One signature of the `.sig` tag. */
export interface CosignSignature {
  format: 'cosign';
  /** Digest of the layer holding the payload. */
  layerDigest: string;
  payload: Buffer;
  signature: string;
  certificatePem?: string;
  chainPem?: string;
  rekorBundle?: RekorBundle;
}

/** One Sigstore bundle attached as a referrer. */
export interface BundleSignature {
  format: 'bundle';
  manifestDigest: string;
  bundleJson: unknown;
}

export type RawSignature = CosignSignature | BundleSignature;

/** `sha256:abc` → `sha256-abc`: the tag cosign derives from a digest. */
export function digestTag(digest: string): string {
  return digest.replace(':', '-');
}

interface Descriptor {
  mediaType?: string;
  artifactType?: string;
  digest?: string;
  size?: number;
  annotations?: Record<string, string>;
}

interface ManifestDoc {
  mediaType?: string;
  artifactType?: string;
  config?: Descriptor;
  layers?: Descriptor[];
  manifests?: Descriptor[];
}

/** The signatures of the artifact `ref` whose manifest digest is `digest`. */
export async function fetchSignatures(
  client: RegistryClient,
  ref: RegistryRef,
  digest: string,
): Promise<RawSignature[]> {
  const [cosign, bundles] = await Promise.all([
    cosignSignatures(client, ref, digest),
    referrerBundles(client, ref, digest),
  ]);
  return [...cosign, ...bundles];
}

async function manifestOrNothing(client: RegistryClient, ref: RegistryRef): Promise<ManifestDoc | undefined> {
  try {
    const { body } = await client.manifestDocument(ref);
    return JSON.parse(body.toString('utf8')) as ManifestDoc;
  } catch (err) {
    if (err instanceof PolicyFetchError && err.kind === 'not-found') return undefined;
    if (err instanceof SyntaxError)
      throw new PolicyFetchError(`${formatRegistryRef(ref)}: the signature manifest is not JSON`, 'http');
    throw err;
  }
}

async function cosignSignatures(client: RegistryClient, ref: RegistryRef, digest: string): Promise<CosignSignature[]> {
  const sigRef: RegistryRef = { ...ref, tag: `${digestTag(digest)}.sig`, digest: undefined };
  const manifest = await manifestOrNothing(client, sigRef);
  const out: CosignSignature[] = [];
  for (const layer of manifest?.layers ?? []) {
    const annotations = layer.annotations ?? {};
    const signature = annotations[SIGNATURE_ANNOTATION];
    // Layers of another type, or without a signature, are skipped as sigstore-rs skips them.
    if (layer.mediaType !== SIMPLE_SIGNING_MEDIA_TYPE || typeof layer.digest !== 'string' || !signature) continue;
    const payload = Buffer.from(
      await client.blob(sigRef, layer.digest, typeof layer.size === 'number' ? layer.size : undefined),
    );
    const s: CosignSignature = { format: 'cosign', layerDigest: layer.digest, payload, signature };
    if (annotations[CERTIFICATE_ANNOTATION]) s.certificatePem = annotations[CERTIFICATE_ANNOTATION];
    if (annotations[CHAIN_ANNOTATION]) s.chainPem = annotations[CHAIN_ANNOTATION];
    if (annotations[BUNDLE_ANNOTATION]) {
      try {
        s.rekorBundle = JSON.parse(annotations[BUNDLE_ANNOTATION]) as RekorBundle;
      } catch {
        // An unreadable bundle proves nothing: the signature is then treated as one without a bundle.
      }
    }
    out.push(s);
  }
  return out;
}

async function referrerBundles(client: RegistryClient, ref: RegistryRef, digest: string): Promise<BundleSignature[]> {
  const index =
    (await client.referrers(ref, digest)) ??
    (await manifestOrNothing(client, { ...ref, tag: digestTag(digest), digest: undefined }));
  const out: BundleSignature[] = [];
  for (const d of index?.manifests ?? []) {
    const type = d.artifactType ?? '';
    if (!type.startsWith(SIGSTORE_BUNDLE_ARTIFACT_TYPE_PREFIX) || typeof d.digest !== 'string') continue;
    const mRef: RegistryRef = { ...ref, digest: d.digest, tag: undefined };
    const m = await manifestOrNothing(client, mRef);
    const layer =
      m?.layers?.find((l) => (l.mediaType ?? '').startsWith(SIGSTORE_BUNDLE_ARTIFACT_TYPE_PREFIX)) ?? m?.layers?.[0];
    if (!layer || typeof layer.digest !== 'string') continue;
    const bytes = await client.blob(mRef, layer.digest, typeof layer.size === 'number' ? layer.size : undefined);
    try {
      out.push({
        format: 'bundle',
        manifestDigest: d.digest,
        bundleJson: JSON.parse(Buffer.from(bytes).toString('utf8')) as unknown,
      });
    } catch {
      // Not JSON: not a bundle.
    }
  }
  return out;
}
