import { digestLike } from './oci';

/**
 * A reference pinned by digest (`registry://host/repo@sha256:...`) names an OCI manifest; the module is that
 * manifest's layer. Bytes may be run under such a reference only when the manifest kept with them has that digest
 * and names exactly those bytes as its layer: checked on every read from the store, and by `load`, so a store
 * entry (or an archive) cannot put other bytes under a digest. Returns the problem, or undefined when verified.
 */
export function pinnedProblem(digest: string, manifestText: string | undefined, bytes: Uint8Array): string | undefined {
  if (manifestText === undefined) return `has no manifest recorded to verify it against ${digest}`;
  if (digestLike(digest, Buffer.from(manifestText, 'utf8')) !== digest)
    return `has a recorded manifest whose digest is not ${digest}`;
  let layer: unknown;
  try {
    layer = (JSON.parse(manifestText) as { layers?: { digest?: unknown }[] }).layers?.[0]?.digest;
  } catch {
    return 'has a recorded manifest that is not JSON';
  }
  if (typeof layer !== 'string' || !/^sha(256|512):[0-9a-f]+$/.test(layer))
    return 'has a recorded manifest without a layer digest';
  const actual = digestLike(layer, bytes);
  return actual === layer
    ? undefined
    : `is not the module manifest ${digest} names (layer ${layer}, the bytes are ${actual})`;
}
