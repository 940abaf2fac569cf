import * as path from 'node:path';
import { readRegularFile, type BoundedReadError } from '../base/bounded-read';
import { silentLogger, type Logger } from '../base/log';
import { bundledPolicyPath, bundledPolicyAsset, bundledPolicyNames } from './bundled';
import { isWasm } from '../wasm/binary';
import { Credentials } from './credentials';
import { asFetchError, PolicyFetchError } from './errors';
import { httpRequest, redactUrl, tlsHint, type HttpResponse, type TlsSettings } from '../net/http';
import { TransportError } from '../net/transport-error';
import { defaultSourcesPath, defaultStoreRoot, dockerConfigPath } from './locations';
import { digestLike, sha256Digest } from './oci';
import { formatRegistryRef, isMutableLatest, parseSourceRef, type RegistryRef, type SourceRef } from './ref';
import { MAX_MODULE_BYTES, RegistryClient } from './registry';
import { readSources, mergeSources, type Sources } from './sources';
import { pinnedProblem } from './pinned';
import { Store } from './store';

export { PolicyFetchError } from './errors';

/** When to contact the source: `always`; `missing` (only when not in the store); `never` (offline). */
export type PullPolicy = 'always' | 'missing' | 'never';
export const PULL_POLICIES: readonly PullPolicy[] = ['always', 'missing', 'never'];

export interface FetchOptions {
  /** Unset: kwctl's rule (reuse the store copy unless the tag is `latest`). */
  pull?: PullPolicy;
  /** sources.yaml; unset: kwctl's default location (a missing file there is fine). */
  sourcesPath?: string;
  /** More sources, added to the file's (`--from-cluster`: the PolicyServers' insecureSources and sourceAuthorities). */
  extraSources?: Sources;
  /** Directory holding config.json (as DOCKER_CONFIG), or the file itself. */
  dockerConfig?: string;
  /** Store root; unset: kwctl's (`~/.cache/kubewarden/store` on Linux). */
  storeRoot?: string;
  log?: Logger;
  /** Deadline per network exchange (default 30 s). */
  timeoutMs?: number;
  /** Environment (HOME, XDG_*, DOCKER_CONFIG, proxies, PATH for credential helpers); default process.env. */
  env?: NodeJS.ProcessEnv;
  /**
   * Signature verification before use (lib/verification): given the registry reference, returns the manifest
   * digest whose signatures satisfy the verification config (or throws). That digest is what gets pulled and run.
   * Bundled policies ship inside the binary and are exempt. Other sources carry no signatures: with `explicit`
   * (verification flags or a config path) they are refused, with kwctl's default config file they are used as is.
   */
  verify?: { check: (ref: RegistryRef, client: RegistryClient) => Promise<string>; explicit: boolean };
}

export interface ResolvedPolicy {
  /** The reference as given. */
  ref: string;
  /** Its normalised form (`registry://docker.io/library/x:latest`, a URL, a path, `builtin://x`). */
  uri: string;
  source: SourceRef;
  bytes: Uint8Array;
  /** The file the bytes came from or were stored in. */
  path?: string;
  /** True when the store copy was used without contacting the source. */
  fromCache: boolean;
  /** Registry refs: the digest of the OCI manifest, when known (pulled now, recorded at pull time, or pinned). */
  manifestDigest?: string;
}

/** Reads the bytes of a policy module named by `ref` (registry://, https://, http://, file://, a path, builtin://). */
export async function fetchPolicy(ref: string, opts?: FetchOptions): Promise<Uint8Array> {
  return (await resolvePolicy(ref, opts)).bytes;
}

/** Everything the store knows about one process's settings: built once, shared by concurrent fetches. */
export class StoreContext {
  readonly env: NodeJS.ProcessEnv;
  readonly log: Logger;
  readonly store: Store;
  readonly sourcesPath: string;
  readonly dockerConfigPath: string;
  readonly timeoutMs: number;
  private sourcesP?: Promise<Sources>;
  private clientP?: Promise<RegistryClient>;

  constructor(readonly opts: FetchOptions = {}) {
    this.env = opts.env ?? process.env;
    this.log = opts.log ?? silentLogger;
    this.store = new Store(opts.storeRoot ?? defaultStoreRoot({ env: this.env }));
    this.sourcesPath = opts.sourcesPath ?? defaultSourcesPath({ env: this.env });
    this.dockerConfigPath = resolveDockerConfig(opts.dockerConfig, this.env);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
  }

  sources(): Promise<Sources> {
    this.sourcesP ??= readSources(this.sourcesPath, this.opts.sourcesPath !== undefined).then((s) => {
      if (this.opts.extraSources) s = mergeSources(s, this.opts.extraSources);
      if (s.path && (s.insecure.size > 0 || s.authorities.size > 0)) {
        this.log.debug(
          `sources ${s.path}: insecure_sources [${[...s.insecure].join(', ')}], source_authorities [${[...s.authorities.keys()].join(', ')}]`,
        );
      }
      return s;
    });
    return this.sourcesP;
  }

  client(): Promise<RegistryClient> {
    this.clientP ??= this.sources().then(
      (sources) =>
        new RegistryClient({
          sources,
          sourcesPath: this.sourcesPath,
          credentials: new Credentials({
            configPath: this.dockerConfigPath,
            explicit: this.opts.dockerConfig !== undefined,
            env: this.env,
            log: this.log,
          }),
          dockerConfigPath: this.dockerConfigPath,
          log: this.log,
          timeoutMs: this.timeoutMs,
          env: this.env,
        }),
    );
    return this.clientP;
  }
}

function resolveDockerConfig(given: string | undefined, env: NodeJS.ProcessEnv): string {
  if (given === undefined) return dockerConfigPath({ env });
  return given.endsWith('.json') ? given : path.join(given, 'config.json');
}

const contexts = new Map<string, StoreContext>();

/** One context per distinct options (the loader fetches policies in parallel: they share tokens and sources). */
export function storeContext(opts: FetchOptions = {}): StoreContext {
  if (opts.env !== undefined) return new StoreContext(opts);
  const key = JSON.stringify([
    opts.pull,
    opts.sourcesPath,
    opts.dockerConfig,
    opts.storeRoot,
    opts.timeoutMs,
    opts.extraSources ? [[...opts.extraSources.insecure], [...opts.extraSources.authorities]] : null,
  ]);
  let c = contexts.get(key);
  if (!c || c.opts.log !== opts.log) {
    c = new StoreContext(opts);
    contexts.set(key, c);
  }
  return c;
}

/** Fetches a policy like `fetchPolicy`, and says where it came from. */
export async function resolvePolicy(ref: string, opts?: FetchOptions): Promise<ResolvedPolicy> {
  const o = opts ?? {};
  const source = parseSourceRef(ref);
  switch (source.kind) {
    case 'bundled': {
      const names = bundledPolicyNames();
      if (!names.includes(source.name)) {
        throw new PolicyFetchError(
          names.length === 0
            ? `${ref}: the bundled policies are missing (run npm run build)`
            : `${ref}: no bundled policy of that name; bundled policies: ${names.join(', ')}`,
          'not-found',
        );
      }
      // The single executable (krew binary) carries the bundled policies as SEA assets, not files.
      const embedded = bundledPolicyAsset(source.name);
      if (embedded) return { ref, uri: source.uri, source, bytes: embedded, fromCache: false };
      const file = bundledPolicyPath(source.name);
      return { ref, uri: source.uri, source, bytes: await readFile(ref, file), path: file, fromCache: false };
    }
    case 'file':
      if (o.verify?.explicit) throw unverifiable(ref, 'a local file');
      return {
        ref,
        uri: source.uri,
        source,
        bytes: await readFile(ref, source.path),
        path: source.path,
        fromCache: false,
      };
    case 'registry':
    case 'url': {
      if (o.verify?.explicit && source.kind === 'url') throw unverifiable(ref, 'an http(s) download');
      const ctx = storeContext(o);
      try {
        if (o.verify && source.kind === 'registry')
          return await resolveVerified(ref, source, ctx, o.pull, o.verify.check);
        return await resolveRemote(ref, source, ctx, o.pull);
      } catch (err) {
        if (err instanceof TransportError)
          throw new PolicyFetchError(`${ref}: cannot reach ${err.hostPort}: ${err.message}`, err.kind);
        throw err;
      }
    }
  }
}

function unverifiable(ref: string, what: string): PolicyFetchError {
  return new PolicyFetchError(
    `${ref}: cannot verify the signatures of ${what}: only policies in OCI registries carry signatures (as in kwctl); push it to a registry or drop the verification flags`,
    'unsupported',
  );
}

/**
 * A registry policy whose signatures were verified: the verified manifest digest is pulled (or taken from the store
 * when the store copy was pulled from that very digest), so a tag moved after verification cannot slip in.
 */
async function resolveVerified(
  ref: string,
  source: SourceRef & { kind: 'registry' },
  ctx: StoreContext,
  pull: PullPolicy | undefined,
  verify: NonNullable<FetchOptions['verify']>['check'],
): Promise<ResolvedPolicy> {
  if (pull === 'never') {
    throw new PolicyFetchError(
      `${ref}: verifying its signatures needs the registry, and --pull never forbids contacting it`,
      'offline',
    );
  }
  const client = await ctx.client();
  const digest = await verify(source.ref, client);
  const uri = source.uri;
  // Stored as resolveRemote stores: under the reference as written, recorded under both names.
  const storeUri = source.storeUri;
  const cached = await ctx.store.read(storeUri);
  const record = cached ? await ctx.store.readRecord(storeUri) : undefined;
  if (
    cached &&
    pull !== 'always' &&
    record?.manifestDigest === digest &&
    record.layerDigest &&
    digestLike(record.layerDigest, cached.bytes) === record.layerDigest
  ) {
    ctx.log.debug(`${uri}: the store copy was pulled from the verified ${digest}`);
    return { ref, uri, source, bytes: cached.bytes, path: cached.path, fromCache: true, manifestDigest: digest };
  }
  ctx.log.info(`pulling ${uri} at the verified ${digest}`);
  const pulled = await client.pull({ ...source.ref, digest, tag: undefined });
  const file = await ctx.store.write(storeUri, pulled.bytes);
  const pulledAt = new Date().toISOString();
  for (const key of new Set([storeUri, uri])) {
    await ctx.store.writeRecord({
      uri: key,
      layerDigest: pulled.layerDigest,
      size: pulled.bytes.length,
      pulledAt,
      manifestDigest: digest,
      manifest: pulled.manifestText,
    });
  }
  return { ref, uri, source, bytes: pulled.bytes, path: file, fromCache: false, manifestDigest: digest };
}

async function resolveRemote(
  ref: string,
  source: SourceRef & { kind: 'registry' | 'url' },
  ctx: StoreContext,
  pull: PullPolicy | undefined,
): Promise<ResolvedPolicy> {
  const uri = source.uri;
  // The store file is named after the reference as written (policy-fetcher's layout); earlier releases named it
  // after the normalised reference, which is still read so that an upgraded store keeps working offline.
  const storeUri = source.kind === 'registry' ? source.storeUri : uri;
  const store = ctx.store;
  const mutable = source.kind === 'registry' && isMutableLatest(source.ref);
  const pinned = source.kind === 'registry' && source.ref.digest?.startsWith('sha256:') ? source.ref.digest : undefined;
  if (pull !== 'always') {
    let cachedUri = storeUri;
    let cached = await store.read(storeUri);
    if (!cached && storeUri !== uri) {
      cached = await store.read(uri);
      if (cached) cachedUri = uri;
    }
    if (cached && (pull !== undefined || !mutable)) {
      const record = await store.readRecord(cachedUri);
      const problem = !isWasm(cached.bytes)
        ? 'is not a WebAssembly module'
        : source.kind === 'registry' && source.ref.digest
          ? pinnedProblem(source.ref.digest, record?.manifest, cached.bytes)
          : record?.layerDigest && digestLike(record.layerDigest, cached.bytes) !== record.layerDigest
            ? `does not match the digest recorded when it was pulled (${record.layerDigest})`
            : undefined;
      if (!problem) {
        ctx.log.debug(`${uri}: using the store copy ${cached.path}`);
        return {
          ref,
          uri,
          source,
          bytes: cached.bytes,
          path: cached.path,
          fromCache: true,
          manifestDigest: pinned ?? record?.manifestDigest,
        };
      }
      if (pull === 'never')
        throw new PolicyFetchError(
          `${ref}: the store copy ${cached.path} ${problem}, and --pull never forbids pulling it again`,
          'digest-mismatch',
        );
      ctx.log.warn(`${ref}: the store copy ${cached.path} ${problem}; pulling it again`);
    } else if (cached) {
      ctx.log.debug(`${uri}: the tag is latest, pulling it again`);
    }
  }
  if (pull === 'never') {
    throw new PolicyFetchError(
      `${ref}: not in the local store (${store.pathFor(storeUri)}) and --pull never forbids downloading it; pull it first (kubectl wasmpolicy pull ${ref}) or load a saved archive (kubectl wasmpolicy load FILE)`,
      'offline',
    );
  }
  const started = Date.now();
  let bytes: Uint8Array;
  let manifestDigest: string | undefined;
  let manifestText: string | undefined;
  let layerDigest: string;
  if (source.kind === 'registry') {
    ctx.log.info(`pulling ${uri}`);
    const pulled = await (await ctx.client()).pull(source.ref);
    bytes = pulled.bytes;
    manifestDigest = pulled.manifestDigest;
    manifestText = pulled.manifestText;
    layerDigest = pulled.layerDigest;
  } else {
    ctx.log.info(`downloading ${redactUrl(source.url)}`);
    bytes = await download(source.url, ctx);
    layerDigest = sha256Digest(bytes);
  }
  const file = await store.write(storeUri, bytes);
  const pulledAt = new Date().toISOString();
  // Recorded under both names: manifestDigestOf knows only the normalised one.
  for (const key of new Set([storeUri, uri]))
    await store.writeRecord({
      uri: key,
      layerDigest,
      size: bytes.length,
      pulledAt,
      ...(manifestDigest ? { manifestDigest } : {}),
      ...(manifestText !== undefined ? { manifest: manifestText } : {}),
    });
  ctx.log.info(
    `pulled ${uri} (${bytes.length} bytes${manifestDigest ? `, manifest ${manifestDigest}` : ''}) in ${Date.now() - started} ms into ${file}`,
  );
  return { ref, uri, source, bytes, path: file, fromCache: false, manifestDigest };
}

/** Downloads an https:// (or, for insecure sources, http://) module, following redirects. */
async function download(url: URL, ctx: StoreContext): Promise<Uint8Array> {
  const sources = await ctx.sources();
  const name = redactUrl(url);
  let current = url;
  for (let hop = 0; hop < 10; hop++) {
    const res = await getWithFallback(current, sources, ctx, name);
    if ([301, 302, 303, 307, 308].includes(res.status) && typeof res.headers.location === 'string') {
      current = new URL(res.headers.location, res.url);
      ctx.log.debug(`${name}: redirected to ${redactUrl(current)}`);
      continue;
    }
    if (res.status === 404) throw new PolicyFetchError(`${name}: not found (HTTP 404)`, 'not-found');
    if (res.status === 401 || res.status === 403)
      throw new PolicyFetchError(
        `${name}: ${res.status === 401 ? 'unauthorized' : 'denied'} (HTTP ${res.status})`,
        res.status === 401 ? 'unauthorized' : 'denied',
      );
    if (res.status !== 200) throw new PolicyFetchError(`${name}: cannot fetch: HTTP ${res.status}`, 'http');
    if (!isWasm(res.body))
      throw new PolicyFetchError(
        `${name}: not a WebAssembly module (the download does not start with \\0asm)`,
        'not-wasm',
      );
    return res.body;
  }
  throw new PolicyFetchError(`${name}: too many redirects`, 'http');
}

async function getWithFallback(url: URL, sources: Sources, ctx: StoreContext, name: string): Promise<HttpResponse> {
  const host = url.host;
  const insecure = sources.insecure.has(host);
  const ca = sources.authorities.get(host);
  const attempts: { url: URL; tls?: TlsSettings; label: string }[] = [];
  if (url.protocol === 'http:') {
    if (!insecure) {
      throw new PolicyFetchError(
        `${name}: plain http:// is allowed only for insecure sources: add "${host}" to insecure_sources in ${ctx.sourcesPath} (or pass --sources-path), or use https://`,
        'config',
      );
    }
    attempts.push({ url, label: 'plain HTTP' });
  } else {
    attempts.push({ url, tls: ca ? { ca } : undefined, label: 'HTTPS' });
    if (insecure) {
      attempts.push({ url, tls: { insecure: true }, label: 'HTTPS without certificate verification' });
      const plain = new URL(url.href);
      plain.protocol = 'http:';
      attempts.push({ url: plain, label: 'plain HTTP' });
    }
  }
  const failures: string[] = [];
  let last: TransportError | undefined;
  for (const a of attempts) {
    try {
      const res = await httpRequest(a.url, {
        tls: a.tls,
        timeoutMs: ctx.timeoutMs,
        maxBytes: MAX_MODULE_BYTES,
        env: ctx.env,
      }).catch((e: unknown) => {
        throw asFetchError(e);
      });
      ctx.log.debug(`GET ${redactUrl(a.url)} → ${res.status} (${res.body.length} bytes)`);
      return res;
    } catch (err) {
      if (!(err instanceof TransportError)) throw err;
      last = err;
      failures.push(`${a.label}: ${err.message}`);
    }
  }
  if (attempts.length > 1)
    throw new PolicyFetchError(
      `${name}: cannot reach ${host} (an insecure source): ${failures.join('; ')}`,
      last!.kind,
    );
  if (last!.kind === 'tls') {
    throw new PolicyFetchError(
      `${name}: TLS failure talking to ${host}: ${last!.message}. ${tlsHint(host, last!, ctx.sourcesPath)}`,
      'tls',
    );
  }
  throw new PolicyFetchError(`${name}: cannot reach ${host}: ${last!.message}`, last!.kind);
}

async function readFile(ref: string, file: string): Promise<Uint8Array> {
  try {
    return await readRegularFile(file, MAX_MODULE_BYTES);
  } catch (err) {
    const e = err as BoundedReadError;
    if (e.reason === 'not-regular' && e.message === 'is a directory')
      throw new PolicyFetchError(`${ref}: is a directory, not a .wasm file`, 'io');
    if (e.reason === 'too-large') throw new PolicyFetchError(`${ref}: ${e.message}`, 'too-large');
    throw new PolicyFetchError(
      `${ref}: cannot read: ${e.reason === 'not-found' ? 'no such file' : e.message}`,
      e.reason === 'not-found' ? 'not-found' : 'io',
    );
  }
}

/** The manifest digest of a registry reference: pinned, recorded at pull time, or asked from the registry. */
export async function manifestDigestOf(ref: RegistryRef, opts: FetchOptions = {}): Promise<string> {
  if (ref.digest?.startsWith('sha256:') && opts.pull === 'never') return ref.digest;
  const ctx = storeContext(opts);
  if (opts.pull === 'never') {
    const record = await ctx.store.readRecord(formatRegistryRef(ref));
    if (record?.manifestDigest) return record.manifestDigest;
    throw new PolicyFetchError(
      `${formatRegistryRef(ref)}: the manifest digest is not recorded in the store and --pull never forbids asking the registry`,
      'offline',
    );
  }
  try {
    return await (await ctx.client()).manifestDigest(ref);
  } catch (err) {
    if (err instanceof TransportError)
      throw new PolicyFetchError(`${formatRegistryRef(ref)}: cannot reach ${err.hostPort}: ${err.message}`, err.kind);
    throw err;
  }
}
