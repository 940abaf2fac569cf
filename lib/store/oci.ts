/**
 * Policies as OCI artifacts (docs/host-interface.md §7; KW `src/push.rs`): an OCI image manifest whose config is the blob `{}`
 * of media type `application/vnd.wasm.config.v1+json` and whose one layer is the raw module, media type
 * `application/vnd.wasm.content.layer.v1+wasm`. Manifest annotations are the policy's metadata annotations
 * that fit on one line (trimmed), plus `org.opencontainers.image.source` from `io.kubewarden.policy.source`.
 */
import { createHash } from 'node:crypto';
import { isWasm, readU32, sections } from '../wasm/binary';
import { METADATA_SECTION, parseMetadata, type PolicyMetadata } from '../wasm/metadata';

export const MEDIA_TYPE = {
  ociManifest: 'application/vnd.oci.image.manifest.v1+json',
  ociIndex: 'application/vnd.oci.image.index.v1+json',
  dockerManifest: 'application/vnd.docker.distribution.manifest.v2+json',
  dockerManifestList: 'application/vnd.docker.distribution.manifest.list.v2+json',
  wasmConfig: 'application/vnd.wasm.config.v1+json',
  wasmLayer: 'application/vnd.wasm.content.layer.v1+wasm',
  /** What wasm-to-oci (and so the first Kubewarden policies) used; still accepted on pull. */
  legacyWasmLayer: 'application/vnd.module.wasm.content.layer.v1+wasm',
  legacyWasmConfig: 'application/vnd.module.wasm.config.v1+json',
} as const;

/** The `Accept` header of manifest requests. distribution answers 404 for an OCI manifest it may not send. */
export const MANIFEST_ACCEPT = [
  MEDIA_TYPE.ociManifest,
  MEDIA_TYPE.dockerManifest,
  MEDIA_TYPE.ociIndex,
  MEDIA_TYPE.dockerManifestList,
].join(', ');

export const WASM_LAYER_TYPES: readonly string[] = [MEDIA_TYPE.wasmLayer, MEDIA_TYPE.legacyWasmLayer];

export interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

export interface ImageManifest {
  schemaVersion: number;
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
  annotations?: Record<string, string>;
}

export function sha256Digest(bytes: Uint8Array | string): string {
  return `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
}

/** Digest of `bytes` with the algorithm of `like` (`sha256:` or `sha512:`). */
export function digestLike(like: string, bytes: Uint8Array): string {
  const alg = like.slice(0, like.indexOf(':'));
  if (alg !== 'sha256' && alg !== 'sha512') throw new Error(`unsupported digest algorithm ${alg}`);
  return `${alg}:${createHash(alg).update(bytes).digest('hex')}`;
}

/** The policy metadata in a module's `io.kubewarden.metadata` section, read without compiling it. */
export function readModuleMetadata(bytes: Uint8Array): PolicyMetadata | undefined {
  if (!isWasm(bytes)) return undefined;
  const s = sections(bytes).find((x) => x.id === 0 && x.name === METADATA_SECTION);
  if (!s) return undefined;
  const [len, p] = readU32(bytes, s.body);
  const json = JSON.parse(Buffer.from(bytes.subarray(p + len, s.end)).toString('utf8')) as unknown;
  return parseMetadata(json, METADATA_SECTION);
}

/** Manifest annotations for a policy, as kwctl push writes them (sorted, so the manifest digest is stable). */
export function manifestAnnotations(md: PolicyMetadata | undefined): Record<string, string> | undefined {
  if (!md) return undefined;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(md.annotations)) {
    const t = v.trim();
    if (!t.includes('\n')) out[k] = t;
  }
  const source = md.annotations['io.kubewarden.policy.source']?.trim();
  if (source && !source.includes('\n')) out['org.opencontainers.image.source'] = source;
  const keys = Object.keys(out).sort();
  if (keys.length === 0) return undefined;
  return Object.fromEntries(keys.map((k) => [k, out[k]]));
}

export interface PolicyArtifact {
  config: Uint8Array;
  layer: Uint8Array;
  manifest: Uint8Array;
  manifestDigest: string;
  parsed: ImageManifest;
}

/** Builds the config blob, layer and manifest for a module. */
export function buildPolicyArtifact(wasm: Uint8Array, md: PolicyMetadata | undefined): PolicyArtifact {
  const config = Buffer.from('{}');
  const parsed: ImageManifest = {
    schemaVersion: 2,
    mediaType: MEDIA_TYPE.ociManifest,
    config: { mediaType: MEDIA_TYPE.wasmConfig, digest: sha256Digest(config), size: config.length },
    layers: [{ mediaType: MEDIA_TYPE.wasmLayer, digest: sha256Digest(wasm), size: wasm.length }],
  };
  const annotations = manifestAnnotations(md);
  if (annotations) parsed.annotations = annotations;
  const manifest = Buffer.from(JSON.stringify(parsed));
  return { config, layer: wasm, manifest, manifestDigest: sha256Digest(manifest), parsed };
}
