/**
 * `save` / `load`: policies moved into air-gapped networks as a gzip'd tar of store entries, in the store
 * layout (`registry/<host>/<repo dirs>/<name>:<tag>`, decoded on every platform), plus `index.json` with the
 * reference, sha256 and manifest digest of each module, checked on load.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { isWasm } from '../wasm/binary';
import { PolicyFetchError } from './errors';
import { resolvePolicy, storeContext, type FetchOptions } from './fetch';
import { sha256Digest } from './oci';
import { Store, STORE_SCHEMES } from './store';
import { readTar, writeTar, type TarEntry } from '../base/tar';

export const ARCHIVE_INDEX = 'index.json';

export interface ArchiveIndex {
  apiVersion: 'wasmpolicy.kubewarden.io/v1alpha1';
  kind: 'PolicyArchive';
  policies: { uri: string; path: string; sha256: string; size: number; manifestDigest?: string }[];
}

/** Resolves every ref (through the store, pulling what is missing) and returns the archive bytes. */
export async function savePolicies(refs: string[], opts: FetchOptions): Promise<{ archive: Buffer; index: ArchiveIndex }> {
  const index: ArchiveIndex = { apiVersion: 'wasmpolicy.kubewarden.io/v1alpha1', kind: 'PolicyArchive', policies: [] };
  const entries: TarEntry[] = [];
  const seen = new Set<string>();
  for (const ref of refs) {
    const r = await resolvePolicy(ref, opts);
    if (r.source.kind !== 'registry' && r.source.kind !== 'url') {
      throw new PolicyFetchError(`${ref}: only registry://, https:// and http:// policies can be saved (local files and builtin:// need no store)`, 'invalid-ref');
    }
    if (seen.has(r.uri)) continue;
    seen.add(r.uri);
    const name = Store.components(r.uri).join('/');
    entries.push({ name, data: r.bytes, mtime: new Date() });
    index.policies.push({
      uri: r.uri,
      path: name,
      sha256: createHash('sha256').update(r.bytes).digest('hex'),
      size: r.bytes.length,
      ...(r.manifestDigest ? { manifestDigest: r.manifestDigest } : {}),
    });
  }
  const idx = Buffer.from(JSON.stringify(index, null, 2) + '\n');
  const tar = writeTar([{ name: ARCHIVE_INDEX, data: idx, mtime: new Date() }, ...entries]);
  return { archive: gzipSync(tar), index };
}

/** Unpacks an archive made by `save` (or a tar of a kwctl store) into the store. Returns what was loaded. */
export async function loadArchive(data: Buffer, opts: FetchOptions, where = 'archive'): Promise<{ uri: string; path: string; sha256: string }[]> {
  let tar: Buffer;
  try {
    tar = data.length >= 2 && data[0] === 0x1f && data[1] === 0x8b ? gunzipSync(data, { maxOutputLength: 2 ** 31 - 1 }) : data;
  } catch (err) {
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
    try {
      index = JSON.parse(Buffer.from(indexEntry.data).toString('utf8')) as ArchiveIndex;
    } catch (err) {
      throw new PolicyFetchError(`${where}: ${ARCHIVE_INDEX} is not valid JSON: ${(err as Error).message}`, 'io');
    }
  }
  const store = storeContext(opts).store;
  const loaded: { uri: string; path: string; sha256: string }[] = [];
  const files = entries.filter((e) => e.name !== ARCHIVE_INDEX);
  if (files.length === 0) throw new PolicyFetchError(`${where}: holds no policies`, 'not-found');
  // Check everything before writing anything: a bad archive changes nothing.
  const planned = files.map((e) => {
    const components = e.name.replace(/^\.\//, '').split('/');
    const [scheme, ...rest] = components;
    if (!(STORE_SCHEMES as readonly string[]).includes(scheme) || rest.length < 2 || rest.some((c) => c === '' || c === '.' || c === '..' || c.includes('\\'))) {
      throw new PolicyFetchError(`${where}: unexpected entry ${JSON.stringify(e.name)} (expected <registry|https|http>/<host>/.../<name>)`, 'invalid-ref');
    }
    const uri = `${scheme}://${rest.join('/')}`;
    let canonical: string[];
    try {
      canonical = Store.components(uri);
    } catch (err) {
      throw new PolicyFetchError(`${where}: entry ${e.name}: ${(err as Error).message}`, 'invalid-ref');
    }
    if (canonical.join('/') !== components.join('/')) throw new PolicyFetchError(`${where}: entry ${e.name} is not in the store layout (expected ${canonical.join('/')})`, 'invalid-ref');
    if (!isWasm(e.data)) throw new PolicyFetchError(`${where}: ${e.name} is not a WebAssembly module`, 'not-wasm');
    const sha256 = createHash('sha256').update(e.data).digest('hex');
    const listed = index?.policies.find((p) => p.path === e.name);
    if (listed && listed.sha256 !== sha256) {
      throw new PolicyFetchError(`${where}: digest mismatch: ${e.name} should have sha256 ${listed.sha256} but has ${sha256} (corrupted in transit?)`, 'digest-mismatch');
    }
    return { e, uri, canonical, sha256, manifestDigest: listed?.manifestDigest };
  });
  for (const p of planned) {
    const file = store.pathOf(p.canonical);
    await store.writeAtomic(file, p.e.data);
    await store.writeRecord({
      uri: p.uri,
      layerDigest: sha256Digest(p.e.data),
      size: p.e.data.length,
      pulledAt: new Date().toISOString(),
      ...(p.manifestDigest ? { manifestDigest: p.manifestDigest } : {}),
    });
    loaded.push({ uri: p.uri, path: file, sha256: p.sha256 });
  }
  return loaded;
}
