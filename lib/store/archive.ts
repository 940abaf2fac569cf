/**
 * `save` / `load`: policies moved into air-gapped networks as a gzip'd tar of store entries, in the store
 * layout (`registry/<host>/<repo dirs>/<name>:<tag>`, decoded on every platform), plus `index.json` with the
 * reference, sha256 and manifest digest of each module, checked on load.
 */
import { createHash } from 'node:crypto';
import { runTime } from '../base/source-date';
import { gunzipSync, gzipSync } from 'node:zlib';
import { isWasm } from '../wasm/binary';
import { PolicyFetchError } from './errors';
import { resolvePolicy, storeContext, type FetchOptions } from './fetch';
import { sha256Digest } from './oci';
import { pinnedProblem } from './pinned';
import { Store, STORE_SCHEMES } from './store';
import { formatRegistryRef, parseRegistryRef, REGISTRY_SCHEME } from './ref';
import { readTar, writeTar, type TarEntry } from '../base/tar';

export const ARCHIVE_INDEX = 'index.json';
/** Largest archive `load` reads, and the most bytes its gzip may ever expand to. */
export const MAX_ARCHIVE_BYTES = 512 * 1024 * 1024;
/** Wasm modules compress about 3 to 4 times: an archive may expand 20 times its size (at least 64 MiB), no more. */
const MAX_EXPANSION_RATIO = 20;
const MIN_EXPANSION_BYTES = 64 * 1024 * 1024;

/** What an archive of `compressed` bytes may decompress to: a 1.5 MB gzip bomb stops at 64 MiB, not at 512. */
export function maxExpansion(compressed: number): number {
  return Math.min(MAX_ARCHIVE_BYTES, Math.max(MIN_EXPANSION_BYTES, compressed * MAX_EXPANSION_RATIO));
}

export interface ArchiveIndex {
  apiVersion: 'wasmpolicy.kubewarden.io/v1alpha1';
  kind: 'PolicyArchive';
  policies: { uri: string; path: string; sha256: string; size: number; manifestDigest?: string; manifest?: string }[];
}

/** Resolves every ref (through the store, pulling what is missing) and returns the archive bytes. */
export async function savePolicies(
  refs: string[],
  opts: FetchOptions,
): Promise<{ archive: Buffer; index: ArchiveIndex }> {
  const index: ArchiveIndex = { apiVersion: 'wasmpolicy.kubewarden.io/v1alpha1', kind: 'PolicyArchive', policies: [] };
  const entries: TarEntry[] = [];
  const seen = new Set<string>();
  const stamped = runTime();
  for (const ref of refs) {
    const r = await resolvePolicy(ref, opts);
    if (r.source.kind !== 'registry' && r.source.kind !== 'url') {
      throw new PolicyFetchError(
        `${ref}: only registry://, https:// and http:// policies can be saved (local files and builtin:// need no store)`,
        'invalid-ref',
      );
    }
    if (seen.has(r.uri)) continue;
    seen.add(r.uri);
    // The store layout names the file after the reference as written (policy-fetcher's), as the store does.
    const name = Store.components(r.source.kind === 'registry' ? r.source.storeUri : r.uri).join('/');
    // The manifest travels with a module pinned by digest: load verifies the bytes against it.
    const manifest =
      r.source.kind === 'registry' && r.source.ref.digest
        ? (await storeContext(opts).store.readRecord(r.uri))?.manifest
        : undefined;
    entries.push({ name, data: r.bytes, mtime: stamped });
    index.policies.push({
      uri: r.uri,
      path: name,
      sha256: createHash('sha256').update(r.bytes).digest('hex'),
      size: r.bytes.length,
      ...(r.manifestDigest ? { manifestDigest: r.manifestDigest } : {}),
      ...(manifest !== undefined ? { manifest } : {}),
    });
  }
  const idx = Buffer.from(JSON.stringify(index, null, 2) + '\n');
  const tar = writeTar([{ name: ARCHIVE_INDEX, data: idx, mtime: stamped }, ...entries]);
  return { archive: gzipSync(tar), index };
}

/** Unpacks an archive made by `save` (or a tar of a kwctl store) into the store. Returns what was loaded. */
export async function importArchive(
  data: Buffer,
  opts: FetchOptions,
  where = 'archive',
): Promise<{ uri: string; path: string; sha256: string }[]> {
  let tar: Buffer;
  try {
    tar =
      data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b
        ? gunzipSync(data, { maxOutputLength: maxExpansion(data.length) })
        : data;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' || err instanceof RangeError) {
      throw new PolicyFetchError(
        `${where}: decompresses to more than ${maxExpansion(data.length)} bytes (a gzip bomb?)`,
        'too-large',
      );
    }
    throw new PolicyFetchError(`${where}: not a gzip'd tar archive: ${(err as Error).message}`, 'io');
  }
  let entries: TarEntry[];
  try {
    entries = readTar(tar);
  } catch (err) {
    throw new PolicyFetchError(`${where}: not a tar archive: ${(err as Error).message}`, 'io');
  }
  let index: ArchiveIndex | undefined;
  const indexEntry = entries.find((e) => e.name === ARCHIVE_INDEX);
  if (indexEntry) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(Buffer.from(indexEntry.data).toString('utf8'));
    } catch (err) {
      throw new PolicyFetchError(`${where}: ${ARCHIVE_INDEX} is not valid JSON: ${(err as Error).message}`, 'io');
    }
    index = checkIndex(parsed, where);
  }
  const store = storeContext(opts).store;
  const loaded: { uri: string; path: string; sha256: string }[] = [];
  const files = entries.filter((e) => e.name !== ARCHIVE_INDEX);
  if (files.length === 0) throw new PolicyFetchError(`${where}: holds no policies`, 'not-found');
  // Check everything before writing anything: a bad archive changes nothing.
  const planned = files.map((e) => {
    const components = e.name.replace(/^\.\//, '').split('/');
    const [scheme, ...rest] = components;
    if (
      !(STORE_SCHEMES as readonly string[]).includes(scheme) ||
      rest.length < 2 ||
      rest.some((c) => c === '' || c === '.' || c === '..' || c.includes('\\'))
    ) {
      throw new PolicyFetchError(
        `${where}: unexpected entry ${JSON.stringify(e.name)} (expected <registry|https|http>/<host>/.../<name>)`,
        'invalid-ref',
      );
    }
    const uri = `${scheme}://${rest.join('/')}`;
    let canonical: string[];
    try {
      canonical = Store.components(uri);
    } catch (err) {
      throw new PolicyFetchError(`${where}: entry ${e.name}: ${(err as Error).message}`, 'invalid-ref');
    }
    if (canonical.join('/') !== components.join('/'))
      throw new PolicyFetchError(
        `${where}: entry ${e.name} is not in the store layout (expected ${canonical.join('/')})`,
        'invalid-ref',
      );
    if (!isWasm(e.data)) throw new PolicyFetchError(`${where}: ${e.name} is not a WebAssembly module`, 'not-wasm');
    const sha256 = createHash('sha256').update(e.data).digest('hex');
    const listed = index?.policies.find((p) => p.path === e.name);
    if (listed && listed.sha256 !== sha256) {
      throw new PolicyFetchError(
        `${where}: digest mismatch: ${e.name} should have sha256 ${listed.sha256} but has ${sha256} (corrupted in transit?)`,
        'digest-mismatch',
      );
    }
    // A reference pinned by digest gets only the bytes its manifest names, listed in index.json or not.
    const pinned = uri.lastIndexOf('@') > uri.lastIndexOf('/') ? uri.slice(uri.lastIndexOf('@') + 1) : undefined;
    if (pinned !== undefined && scheme === 'registry') {
      const problem = pinnedProblem(pinned, listed?.manifest, e.data);
      if (problem)
        throw new PolicyFetchError(
          `${where}: ${e.name} ${problem}: not loaded under a digest reference`,
          'digest-mismatch',
        );
    }
    return { e, uri, canonical, sha256, manifestDigest: listed?.manifestDigest, manifest: listed?.manifest };
  });
  for (const p of planned) {
    const file = store.pathOf(p.canonical);
    await store.writeAtomic(file, p.e.data);
    // Also under the normalised reference, the only one manifestDigestOf knows.
    const keys = new Set([p.uri]);
    if (p.uri.startsWith(REGISTRY_SCHEME)) keys.add(formatRegistryRef(parseRegistryRef(p.uri)));
    for (const uri of keys) {
      await store.writeRecord({
        uri,
        layerDigest: sha256Digest(p.e.data),
        size: p.e.data.length,
        pulledAt: new Date().toISOString(),
        ...(p.manifestDigest ? { manifestDigest: p.manifestDigest } : {}),
        ...(p.manifest !== undefined ? { manifest: p.manifest } : {}),
      });
    }
    loaded.push({ uri: p.uri, path: file, sha256: p.sha256 });
  }
  return loaded;
}

/** index.json as written by save; anything else is a clear error, not a TypeError later. */
function checkIndex(v: unknown, where: string): ArchiveIndex {
  const bad = (why: string): never => {
    throw new PolicyFetchError(`${where}: ${ARCHIVE_INDEX} is not a policy archive index: ${why}`, 'io');
  };
  if (v === null || typeof v !== 'object' || Array.isArray(v)) bad('not a JSON object');
  const policies = (v as { policies?: unknown }).policies;
  if (!Array.isArray(policies)) bad('policies is not a list');
  (policies as unknown[]).forEach((p, i) => {
    if (p === null || typeof p !== 'object') bad(`policies[${i}] is not an object`);
    const e = p as Record<string, unknown>;
    for (const k of ['uri', 'path', 'sha256'] as const)
      if (typeof e[k] !== 'string') bad(`policies[${i}].${k} is not a string`);
    for (const k of ['manifestDigest', 'manifest'] as const)
      if (e[k] !== undefined && typeof e[k] !== 'string') bad(`policies[${i}].${k} is not a string`);
  });
  return v as ArchiveIndex;
}
