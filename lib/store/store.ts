/**
 * The local policy store, in kwctl's layout (docs/host-interface.md §7): `<root>/<scheme>/<host[:port]>/<dirs>/<file>`, where a
 * registry file is named `<repo leaf>:<tag>[@digest]` and an https file keeps its URL name. On Windows every
 * component except the scheme is base64url-encoded (no padding), as kwctl does, because `:` is not allowed.
 *
 * What kwctl does not know about lives under `<root>/.kubectl-wasmpolicy/` (temporary files, pull records):
 * kwctl only walks the scheme directories, so it never lists them.
 */
import { readRegularFile, type BoundedReadError } from '../base/bounded-read';
import { MAX_MODULE_BYTES } from './registry';
import { createHash, randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import { PolicyFetchError } from './errors';
import { formatRegistryRef, parseRegistryRef, REGISTRY_SCHEME } from './ref';

export const STORE_SCHEMES = ['registry', 'https', 'http'] as const;
export const PRIVATE_DIR = '.kubectl-wasmpolicy';

export interface StoreEntry {
  /** The reference the file came from, e.g. `registry://ghcr.io/org/policy:v1`. */
  uri: string;
  /** Absolute path of the module. */
  path: string;
}

/** What we remember about a pull beyond the module itself (kwctl keeps nothing else). */
export interface PullRecord {
  uri: string;
  /** Digest of the OCI manifest the module came from. */
  manifestDigest?: string;
  /** Digest of the module (the layer). */
  layerDigest: string;
  /** The OCI manifest (JSON text, digest manifestDigest): what ties a `@digest` reference to the module's bytes. */
  manifest?: string;
  size: number;
  pulledAt: string;
}

export class Store {
  readonly root: string;
  readonly platform: NodeJS.Platform;
  private readonly p: typeof path.posix;

  constructor(root: string, platform: NodeJS.Platform = process.platform) {
    this.root = root;
    this.platform = platform;
    this.p = platform === 'win32' ? path.win32 : path.posix;
  }

  /** The store path of a reference, relative to the root, as decoded components: scheme, host, dirs..., file. */
  static components(uri: string): string[] {
    if (uri.startsWith(REGISTRY_SCHEME)) return registryComponents(uri);
    let url: URL;
    try {
      url = new URL(uri);
    } catch {
      throw new PolicyFetchError(`${uri}: cannot be kept in the store (not a URL)`, 'invalid-ref');
    }
    const scheme = url.protocol.slice(0, -1);
    if (scheme !== 'https' && scheme !== 'http')
      throw new PolicyFetchError(`${uri}: only registry, https and http sources are kept in the store`, 'invalid-ref');
    const parts = url.pathname.split('/').slice(1);
    if (parts.length === 0 || parts[parts.length - 1] === '')
      throw new PolicyFetchError(`${uri}: the URL must name a file`, 'invalid-ref');
    for (const c of parts)
      if (c === '' || c === '.' || c === '..')
        throw new PolicyFetchError(`${uri}: unexpected path component ${JSON.stringify(c)}`, 'invalid-ref');
    return [scheme, url.host, ...parts];
  }

  /** Absolute path of the module for `uri`. */
  pathFor(uri: string): string {
    return this.pathOf(Store.components(uri));
  }

  /** Absolute path of decoded store components (encoded for the platform). */
  pathOf(components: string[]): string {
    const [scheme, ...rest] = components;
    return this.p.join(this.root, scheme, ...rest.map((c) => this.encode(c)));
  }

  private encode(c: string): string {
    return this.platform === 'win32' ? Buffer.from(c, 'utf8').toString('base64url') : c;
  }

  private decode(c: string): string {
    if (this.platform !== 'win32') return c;
    const d = Buffer.from(c, 'base64url').toString('utf8');
    if (Buffer.from(d, 'utf8').toString('base64url') !== c) throw new Error(`not base64url: ${c}`);
    return d;
  }

  /** The cached module for `uri`, or undefined. */
  async read(uri: string): Promise<{ bytes: Uint8Array; path: string } | undefined> {
    const file = this.pathFor(uri);
    try {
      // Bounded, regular files only: a store entry replaced by a link to a device is an error, not an endless read.
      return { bytes: await readRegularFile(file, MAX_MODULE_BYTES), path: file };
    } catch (err) {
      if ((err as BoundedReadError).reason === 'not-found') return undefined;
      throw new PolicyFetchError(`${uri}: cannot read the store copy ${file}: ${(err as Error).message}`, 'io');
    }
  }

  /** Writes the module for `uri` atomically (temporary file, then rename) and returns its path. */
  async write(uri: string, bytes: Uint8Array): Promise<string> {
    const file = this.pathFor(uri);
    await this.writeAtomic(file, bytes);
    return file;
  }

  /** Writes `data` to `file` through a temporary file in the store, then a rename: readers never see half a file. */
  async writeAtomic(file: string, data: Uint8Array | string): Promise<void> {
    const tmpDir = this.p.join(this.root, PRIVATE_DIR, 'tmp');
    await fs.mkdir(tmpDir, { recursive: true });
    const tmp = this.p.join(tmpDir, `${process.pid}-${randomBytes(8).toString('hex')}.tmp`);
    try {
      await fs.writeFile(tmp, data);
      for (let attempt = 0; ; attempt++) {
        await fs.mkdir(this.p.dirname(file), { recursive: true });
        try {
          await fs.rename(tmp, file);
          return;
        } catch (err) {
          const code = (err as NodeJS.ErrnoException).code;
          // ENOENT: a concurrent `rm` pruned the directory; EPERM/EBUSY/EACCES: Windows, the target is open.
          if (attempt < 5 && (code === 'ENOENT' || code === 'EPERM' || code === 'EBUSY' || code === 'EACCES')) {
            await new Promise((r) => setTimeout(r, 20 * (attempt + 1)));
            continue;
          }
          throw err;
        }
      }
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw new PolicyFetchError(`cannot write ${file}: ${(err as Error).message}`, 'io');
    }
  }

  /** Every module in the store, as kwctl lists them (files under the registry, https and http directories). */
  async list(): Promise<StoreEntry[]> {
    const out: StoreEntry[] = [];
    for (const scheme of STORE_SCHEMES) {
      const schemeDir = this.p.join(this.root, scheme);
      let hosts: string[];
      try {
        hosts = await fs.readdir(schemeDir);
      } catch {
        continue;
      }
      for (const host of hosts.sort()) {
        const hostDir = this.p.join(schemeDir, host);
        for (const rel of await walk(hostDir, this.p)) {
          try {
            const parts = [this.decode(host), ...rel.map((c) => this.decode(c))];
            out.push({ uri: `${scheme}://${parts.join('/')}`, path: this.p.join(hostDir, ...rel) });
          } catch {
            // Not written by kwctl nor by us (bad encoding): skip, as it cannot name a reference.
          }
        }
      }
    }
    return out;
  }

  /** Removes a module (and what we recorded about it), then the directories that became empty. */
  async remove(entry: StoreEntry): Promise<void> {
    await fs.rm(entry.path, { force: true });
    await fs.rm(this.recordPath(entry.uri), { force: true });
    let dir = this.p.dirname(entry.path);
    while (
      dir.startsWith(this.root) &&
      dir !== this.root &&
      !STORE_SCHEMES.some((s) => dir === this.p.join(this.root, s))
    ) {
      try {
        await fs.rmdir(dir);
      } catch {
        break;
      }
      dir = this.p.dirname(dir);
    }
  }

  private recordPath(uri: string): string {
    return this.p.join(this.root, PRIVATE_DIR, 'pulls', `${createHash('sha256').update(uri).digest('hex')}.json`);
  }

  async readRecord(uri: string): Promise<PullRecord | undefined> {
    try {
      const r = JSON.parse(await fs.readFile(this.recordPath(uri), 'utf8')) as PullRecord;
      return r.uri === uri ? r : undefined;
    } catch {
      return undefined;
    }
  }

  async writeRecord(record: PullRecord): Promise<void> {
    await this.writeAtomic(this.recordPath(record.uri), JSON.stringify(record) + '\n');
  }
}

/**
 * A registry reference's store components as policy-fetcher derives them from the URL as written (scheme, host,
 * path directories, leaf): `registry://kubewarden/x:v1` → registry, kubewarden, x:v1. A normalised reference
 * (`registry://docker.io/library/busybox:latest`) gives the layout of earlier releases. A reference without `/`
 * is not a URL kwctl can store; it is normalised first.
 */
function registryComponents(uri: string): string[] {
  const parsed = parseRegistryRef(uri);
  const s = uri.slice(REGISTRY_SCHEME.length);
  if (!s.includes('/')) return registryComponents(formatRegistryRef(parsed));
  const [host, ...parts] = s.split('/');
  for (const c of parts)
    if (c === '' || c === '.' || c === '..')
      throw new PolicyFetchError(`${uri}: unexpected path component ${JSON.stringify(c)}`, 'invalid-ref');
  return ['registry', host, ...parts];
}

/** Files under `dir`, as lists of path components relative to it, sorted. */
async function walk(dir: string, p: typeof path.posix): Promise<string[][]> {
  const out: string[][] = [];
  let entries;
  try {
    entries = await fs.readdir(dir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    if (e.isDirectory()) {
      for (const sub of await walk(p.join(dir, e.name), p)) out.push([e.name, ...sub]);
    } else if (e.isFile() || e.isSymbolicLink()) {
      out.push([e.name]);
    }
  }
  return out;
}
