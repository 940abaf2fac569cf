/** Listing and removing what the store holds (`policies`, `rm`), for modules pulled by us or by kwctl. */
import { readRegularFile } from '../base/bounded-read';
import { MAX_MODULE_BYTES } from './registry';
import { createHash } from 'node:crypto';
import type { ExecutionMode } from '../wasm/metadata';
import { PolicyFetchError } from './errors';
import { storeContext, type FetchOptions } from './fetch';
import { readModuleMetadata } from './oci';
import { parseSourceRef } from './ref';
import { Store, type StoreEntry } from './store';

export interface StoredPolicy extends StoreEntry {
  sha256: string;
  size: number;
  /** Undefined when the module has no (or unreadable) metadata. */
  mutating?: boolean;
  contextAware?: boolean;
  executionMode?: ExecutionMode;
  title?: string;
  manifestDigest?: string;
}

/** Every module in the store with its digest, size and what its metadata says. */
export async function listStoredPolicies(opts: FetchOptions = {}): Promise<StoredPolicy[]> {
  const store = storeContext(opts).store;
  const out: StoredPolicy[] = [];
  for (const e of await store.list()) {
    let bytes: Buffer;
    try {
      bytes = await readRegularFile(e.path, MAX_MODULE_BYTES);
    } catch {
      continue; // removed meanwhile
    }
    const p: StoredPolicy = { ...e, sha256: createHash('sha256').update(bytes).digest('hex'), size: bytes.length };
    try {
      const md = readModuleMetadata(bytes);
      if (md) {
        p.mutating = md.mutating;
        p.contextAware = md.contextAwareResources.length > 0;
        p.executionMode = md.executionMode;
        const title = md.annotations['io.kubewarden.policy.title'];
        if (title) p.title = title;
      }
    } catch {
      // Broken metadata: listed without it.
    }
    const record = await store.readRecord(e.uri);
    if (record?.manifestDigest) p.manifestDigest = record.manifestDigest;
    out.push(p);
  }
  return out;
}

/**
 * Removes a module named by its reference or by (a unique prefix of) its sha256, as `kwctl rm` does.
 * Returns what was removed.
 */
export async function removeStoredPolicy(refOrSha: string, opts: FetchOptions = {}): Promise<StoredPolicy[]> {
  const store: Store = storeContext(opts).store;
  const all = await listStoredPolicies(opts);
  const sha = refOrSha.replace(/^sha256:/, '').toLowerCase();
  let matches: StoredPolicy[] = [];
  if (/^[0-9a-f]{4,64}$/.test(sha)) matches = all.filter((p) => p.sha256.startsWith(sha));
  if (matches.length === 0) {
    const names = new Set([refOrSha]);
    try {
      const s = parseSourceRef(refOrSha);
      // The reference as written names the file (policy-fetcher's layout); the normalised one, a file of an earlier release.
      if (s.kind === 'registry') names.add(s.uri).add(s.storeUri);
      if (s.kind === 'url') names.add(s.uri);
    } catch {
      // Not a reference: only a sha256 prefix or a listed uri can match.
    }
    matches = all.filter((p) => names.has(p.uri));
  }
  if (matches.length === 0)
    throw new PolicyFetchError(
      `${refOrSha}: no such policy in the store (${store.root}); see \`kubectl wasmpolicy policies\``,
      'not-found',
    );
  const distinct = new Set(matches.map((m) => m.sha256));
  if (distinct.size > 1) {
    throw new PolicyFetchError(
      `${refOrSha}: ambiguous, it matches ${matches.map((m) => `${m.uri} (${m.sha256.slice(0, 12)})`).join(', ')}; give more of the sha256 or the reference`,
      'invalid-ref',
    );
  }
  for (const m of matches) await store.remove(m);
  return matches;
}
