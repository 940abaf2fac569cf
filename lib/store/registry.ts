/**
 * A small OCI distribution client for policy artifacts: pull (manifest → first layer), manifest digests and
 * push, with the Bearer token flow and Basic auth driven by the registry's `WWW-Authenticate` challenge,
 * digests verified, and the connection order of sources.yaml (docs/host-interface.md §7): HTTPS with the system CAs (or the
 * host's `source_authorities`) → only for `insecure_sources`: HTTPS without verification → plain HTTP.
 *
 * Unlike kwctl, the fallback happens only when the connection itself fails (TLS, refused, timeout); an HTTP
 * answer (401, 404, ...) is reported as it is, so a missing tag is not hidden behind a plain-HTTP retry.
 */
import type { Logger } from '../base/log';
import type { Credential, Credentials } from './credentials';
import { asFetchError, PolicyFetchError } from './errors';
import { httpRequest, redactUrl, tlsHint, type HttpResponse, type TlsSettings } from '../net/http';
import { TransportError } from '../net/transport-error';
import {
  digestLike,
  MANIFEST_ACCEPT,
  MEDIA_TYPE,
  sha256Digest,
  WASM_LAYER_TYPES,
  type ImageManifest,
  type PolicyArtifact,
} from './oci';
import { apiHost, formatRegistryRef, type RegistryRef } from './ref';
import type { Sources } from './sources';
import { isWasm } from '../wasm/binary';

export const MAX_MODULE_BYTES = 256 * 1024 * 1024;
const MAX_MANIFEST_BYTES = 4 * 1024 * 1024;
const MAX_SMALL_BYTES = 1024 * 1024;

export interface RegistryClientOptions {
  sources: Sources;
  /** Where sources.yaml is (or would be), for the messages that tell users how to fix TLS problems. */
  sourcesPath: string;
  credentials: Credentials;
  /** Where credentials come from, for messages. */
  dockerConfigPath: string;
  log: Logger;
  timeoutMs: number;
  env: NodeJS.ProcessEnv;
}

interface Transport {
  scheme: 'https' | 'http';
  tls?: TlsSettings;
  label: string;
}

interface Challenge {
  scheme: string;
  params: Record<string, string>;
}

export interface PulledArtifact {
  bytes: Uint8Array;
  manifestDigest: string;
  layerDigest: string;
  manifest: ImageManifest;
  /** The manifest as the registry sent it (its digest is manifestDigest): kept so a store copy can be verified. */
  manifestText: string;
}

type Action = 'pull' | 'pull,push';

interface SendOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  maxBytes?: number;
}

/** Parses `WWW-Authenticate: Bearer realm="...",service="...",scope="..."` (first challenge only). */
export function parseChallenge(header: string | undefined): Challenge | undefined {
  if (!header) return undefined;
  const m = /^\s*([A-Za-z][\w-]*)\s*(.*)$/s.exec(header);
  if (!m) return undefined;
  const params: Record<string, string> = {};
  const re = /([A-Za-z][\w-]*)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^\s,]*))\s*,?\s*/gy;
  let p: RegExpExecArray | null;
  while ((p = re.exec(m[2])) !== null)
    params[p[1].toLowerCase()] = p[2] !== undefined ? p[2].replace(/\\(.)/g, '$1') : p[3];
  return { scheme: m[1].toLowerCase(), params };
}

/** `CODE: message` of an OCI error body, when there is one. */
function registryErrors(res: HttpResponse): string | undefined {
  try {
    const v = JSON.parse(res.body.toString('utf8')) as { errors?: { code?: string; message?: string }[] };
    const list = (v.errors ?? []).map((e) => [e.code, e.message].filter(Boolean).join(': ')).filter(Boolean);
    return list.length > 0 ? list.join('; ') : undefined;
  } catch {
    return undefined;
  }
}

function errorCodes(res: HttpResponse): string[] {
  try {
    return ((JSON.parse(res.body.toString('utf8')) as { errors?: { code?: string }[] }).errors ?? []).map(
      (e) => e.code ?? '',
    );
  } catch {
    return [];
  }
}

export class RegistryClient {
  private readonly transports = new Map<string, Transport>();
  private readonly tokens = new Map<string, string>();
  private readonly basicHosts = new Set<string>();
  private readonly challenges = new Map<string, Challenge>();

  constructor(private readonly opts: RegistryClientOptions) {}

  /** Pulls the policy module of `ref`: manifest (verified), first layer (verified, wasm magic checked). */
  async pull(ref: RegistryRef): Promise<PulledArtifact> {
    const { manifest, manifestDigest, body } = await this.fetchManifest(ref);
    const name = formatRegistryRef(ref);
    if (!Array.isArray(manifest.layers) || manifest.layers.length === 0) {
      throw new PolicyFetchError(
        `${name}: not a Wasm policy artifact: the manifest has no layers (empty layers)`,
        'not-wasm',
      );
    }
    const layer = manifest.layers[0];
    if (!WASM_LAYER_TYPES.includes(layer.mediaType)) {
      throw new PolicyFetchError(
        `${name}: not a Wasm policy artifact: its layer has media type ${layer.mediaType || '(none)'}, expected ${MEDIA_TYPE.wasmLayer}` +
          (manifest.config?.mediaType ? ` (config media type ${manifest.config.mediaType})` : ''),
        'not-wasm',
      );
    }
    if (typeof layer.digest !== 'string' || !/^sha(256|512):[0-9a-f]+$/.test(layer.digest)) {
      throw new PolicyFetchError(
        `${name}: the manifest names the layer with an unsupported digest ${JSON.stringify(layer.digest)}`,
        'not-wasm',
      );
    }
    if (typeof layer.size === 'number' && layer.size > MAX_MODULE_BYTES) {
      throw new PolicyFetchError(
        `${name}: the module is ${layer.size} bytes, larger than the ${MAX_MODULE_BYTES} byte limit`,
        'too-large',
      );
    }
    const bytes = await this.fetchBlob(ref, layer.digest, typeof layer.size === 'number' ? layer.size : undefined);
    if (!isWasm(bytes)) {
      throw new PolicyFetchError(
        `${name}: not a Wasm policy artifact: the layer ${layer.digest} is not a WebAssembly module (it does not start with \\0asm)`,
        'not-wasm',
      );
    }
    return { bytes, manifestDigest, layerDigest: layer.digest, manifest, manifestText: body.toString('utf8') };
  }

  /** The digest of the manifest `ref` names, asked with HEAD (GET and hash when the registry does not say). */
  async manifestDigest(ref: RegistryRef): Promise<string> {
    const path = `/v2/${ref.repository}/manifests/${ref.digest ?? ref.tag}`;
    const res = await this.send(ref, 'pull', path, {
      method: 'HEAD',
      headers: { Accept: MANIFEST_ACCEPT },
      maxBytes: 0,
    });
    if (res.status === 200) {
      const d = res.headers['docker-content-digest'];
      if (typeof d === 'string' && /^sha256:[0-9a-f]{64}$/.test(d)) {
        if (ref.digest && d !== ref.digest) throw this.mismatch(ref, 'manifest', ref.digest, d);
        return d;
      }
    } else if (res.status !== 405) {
      this.fail(ref, res, 'manifest');
    }
    return (await this.fetchManifest(ref)).manifestDigest;
  }

  /**
   * The manifest `ref` names exactly as the registry serves it (an image manifest or an index), digest-checked:
   * what the oci host capability hands to policies.
   */
  async manifestDocument(ref: RegistryRef): Promise<{ body: Buffer; digest: string }> {
    const res = await this.send(ref, 'pull', `/v2/${ref.repository}/manifests/${ref.digest ?? ref.tag}`, {
      headers: { Accept: MANIFEST_ACCEPT },
      maxBytes: MAX_MANIFEST_BYTES,
    });
    if (res.status !== 200) this.fail(ref, res, 'manifest');
    const digest = sha256Digest(res.body);
    if (ref.digest?.startsWith('sha256:') && ref.digest !== digest)
      throw this.mismatch(ref, 'manifest', ref.digest, digest);
    return { body: res.body, digest };
  }

  /**
   * The OCI referrers index of `digest` (distribution-spec 1.1 referrers API), or undefined when the registry has
   * no such API (404, as distribution 2.8): callers then read the `sha256-<hex>` referrers tag instead.
   */
  async referrers(
    ref: RegistryRef,
    digest: string,
  ): Promise<{ manifests?: { artifactType?: string; digest?: string; mediaType?: string }[] } | undefined> {
    const res = await this.send(ref, 'pull', `/v2/${ref.repository}/referrers/${digest}`, {
      headers: { Accept: MEDIA_TYPE.ociIndex },
      maxBytes: MAX_MANIFEST_BYTES,
    });
    if (res.status !== 200) return undefined;
    try {
      const v = JSON.parse(res.body.toString('utf8')) as unknown;
      return typeof v === 'object' && v !== null ? (v as { manifests?: [] }) : undefined;
    } catch {
      return undefined;
    }
  }

  /** A blob of the repository of `ref` (e.g. an image config), digest-checked. */
  blob(ref: RegistryRef, digest: string, size?: number): Promise<Uint8Array> {
    return this.fetchBlob(ref, digest, size);
  }

  /** Pushes a policy artifact; returns the manifest digest. */
  async push(ref: RegistryRef, artifact: PolicyArtifact): Promise<string> {
    await this.pushBlob(ref, artifact.config);
    await this.pushBlob(ref, artifact.layer);
    return this.pushManifest(ref, artifact.manifest, artifact.parsed.mediaType ?? MEDIA_TYPE.ociManifest);
  }

  /** Uploads one blob (monolithic upload), unless the registry has it already. Returns its digest. */
  async pushBlob(ref: RegistryRef, bytes: Uint8Array): Promise<string> {
    const digest = sha256Digest(bytes);
    const head = await this.send(ref, 'pull,push', `/v2/${ref.repository}/blobs/${digest}`, {
      method: 'HEAD',
      maxBytes: 0,
    });
    if (head.status === 200) {
      this.opts.log.debug(`blob ${digest} already in ${ref.registry}/${ref.repository}`);
      return digest;
    }
    const start = await this.send(ref, 'pull,push', `/v2/${ref.repository}/blobs/uploads/`, {
      method: 'POST',
      headers: { 'Content-Length': '0' },
    });
    if (start.status !== 202) this.fail(ref, start, 'upload');
    const location = start.headers.location;
    if (typeof location !== 'string' || location === '')
      throw new PolicyFetchError(
        `${formatRegistryRef(ref)}: the registry started an upload without a Location`,
        'http',
      );
    const target = new URL(location, start.url);
    target.searchParams.set('digest', digest);
    const put = await this.send(ref, 'pull,push', target.pathname + target.search, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: bytes,
    });
    if (put.status !== 201 && put.status !== 204) this.fail(ref, put, 'upload');
    return digest;
  }

  /** Puts a manifest under the ref's tag (or digest); returns its digest. */
  async pushManifest(ref: RegistryRef, manifest: Uint8Array, mediaType: string): Promise<string> {
    const digest = sha256Digest(manifest);
    const res = await this.send(ref, 'pull,push', `/v2/${ref.repository}/manifests/${ref.tag ?? ref.digest}`, {
      method: 'PUT',
      headers: { 'Content-Type': mediaType },
      body: manifest,
    });
    if (res.status !== 201 && res.status !== 200) this.fail(ref, res, 'manifest');
    const said = res.headers['docker-content-digest'];
    if (typeof said === 'string' && said.startsWith('sha256:') && said !== digest)
      throw this.mismatch(ref, 'manifest', digest, said);
    return digest;
  }

  private async fetchManifest(
    ref: RegistryRef,
  ): Promise<{ manifest: ImageManifest; manifestDigest: string; body: Buffer }> {
    const name = formatRegistryRef(ref);
    const res = await this.send(ref, 'pull', `/v2/${ref.repository}/manifests/${ref.digest ?? ref.tag}`, {
      headers: { Accept: MANIFEST_ACCEPT },
      maxBytes: MAX_MANIFEST_BYTES,
    });
    if (res.status !== 200) this.fail(ref, res, 'manifest');
    const said = res.headers['docker-content-digest'];
    const expected =
      ref.digest ?? (typeof said === 'string' && /^sha(256|512):[0-9a-f]+$/.test(said) ? said : undefined);
    if (expected) {
      const actual = digestLike(expected, res.body);
      if (actual !== expected) throw this.mismatch(ref, 'manifest', expected, actual);
    }
    let manifest: ImageManifest & { manifests?: unknown };
    try {
      manifest = JSON.parse(res.body.toString('utf8')) as ImageManifest;
    } catch {
      throw new PolicyFetchError(`${name}: not a Wasm policy artifact: the manifest is not JSON`, 'not-wasm');
    }
    const type = manifest.mediaType ?? String(res.headers['content-type'] ?? '').split(';')[0];
    if (type === MEDIA_TYPE.ociIndex || type === MEDIA_TYPE.dockerManifestList || Array.isArray(manifest.manifests)) {
      throw new PolicyFetchError(
        `${name}: not a Wasm policy artifact: it is an image index (a multi-platform image), not a policy`,
        'not-wasm',
      );
    }
    if (manifest.schemaVersion !== 2)
      throw new PolicyFetchError(
        `${name}: not a Wasm policy artifact: unsupported manifest schema version ${manifest.schemaVersion}`,
        'not-wasm',
      );
    return {
      manifest,
      manifestDigest: ref.digest && ref.digest.startsWith('sha256:') ? ref.digest : sha256Digest(res.body),
      body: res.body,
    };
  }

  private async fetchBlob(ref: RegistryRef, digest: string, size: number | undefined): Promise<Uint8Array> {
    const maxBytes = size ?? MAX_MODULE_BYTES;
    let res = await this.send(ref, 'pull', `/v2/${ref.repository}/blobs/${digest}`, {
      maxBytes: Math.min(Math.max(maxBytes, 65536), MAX_MODULE_BYTES),
    });
    for (let hops = 0; [301, 302, 303, 307, 308].includes(res.status) && hops < 5; hops++) {
      const loc = res.headers.location;
      if (typeof loc !== 'string') break;
      const next = new URL(loc, res.url);
      this.opts.log.debug(`blob ${digest} redirected to ${redactUrl(next)}`);
      if (next.host === res.url.host && next.protocol === res.url.protocol) {
        res = await this.send(ref, 'pull', next.pathname + next.search, { maxBytes: Math.max(maxBytes, 65536) });
      } else {
        // Another host (object storage): no registry credentials go there.
        const authorities = this.opts.sources.authorities.get(next.host);
        res = await this.exchange(
          next,
          {
            scheme: next.protocol === 'http:' ? 'http' : 'https',
            tls: authorities ? { ca: authorities } : undefined,
            label: '',
          },
          { maxBytes: Math.max(maxBytes, 65536) },
        );
      }
    }
    if (res.status !== 200) this.fail(ref, res, 'blob');
    if (size !== undefined && res.body.length !== size) {
      throw new PolicyFetchError(
        `${formatRegistryRef(ref)}: digest mismatch: the layer ${digest} has ${res.body.length} bytes, the manifest says ${size}`,
        'digest-mismatch',
      );
    }
    const actual = digestLike(digest, res.body);
    if (actual !== digest) throw this.mismatch(ref, 'layer', digest, actual);
    return res.body;
  }

  private mismatch(ref: RegistryRef, what: string, expected: string, actual: string): PolicyFetchError {
    return new PolicyFetchError(
      `${formatRegistryRef(ref)}: digest mismatch: the ${what} should be ${expected} but what ${apiHost(ref.registry)} sent is ${actual} (corrupted or tampered with)`,
      'digest-mismatch',
    );
  }

  /** Turns a non-success answer into a user-facing error. */
  private fail(ref: RegistryRef, res: HttpResponse, what: 'manifest' | 'blob' | 'upload'): never {
    const name = formatRegistryRef(ref);
    const detail = registryErrors(res);
    const codes = errorCodes(res);
    if (res.status === 401) {
      const ch = this.challenges.get(apiHost(ref.registry));
      const realm = ch?.params.realm
        ? ` (realm "${ch.params.realm}"${ch.params.service ? `, service "${ch.params.service}"` : ''})`
        : '';
      throw new PolicyFetchError(
        `${name}: unauthorized${realm}: ${detail ?? 'the registry requires authentication'}. ${this.credentialHint(ref)}`,
        'unauthorized',
      );
    }
    if (res.status === 403) {
      throw new PolicyFetchError(
        `${name}: denied: ${detail ?? 'the registry refused access'} (the credentials used may lack ${what === 'upload' ? 'push' : 'pull'} rights on ${ref.repository})`,
        'denied',
      );
    }
    if (res.status === 404) {
      const why = codes.includes('NAME_UNKNOWN')
        ? `the repository ${ref.repository} does not exist on ${ref.registry}`
        : what === 'manifest'
          ? `${ref.digest ? `no manifest ${ref.digest}` : `no tag ${ref.tag}`} in ${ref.registry}/${ref.repository}`
          : `the ${what} is missing from ${ref.registry}/${ref.repository}`;
      throw new PolicyFetchError(`${name}: not found: ${why}${detail ? ` (${detail})` : ''}`, 'not-found');
    }
    throw new PolicyFetchError(
      `${name}: the registry answered HTTP ${res.status}${detail ? `: ${detail}` : ''} (${what})`,
      'http',
    );
  }

  private credentialHint(ref: RegistryRef): string {
    const used = this.usedCredential.get(ref.registry);
    if (used) return `The credentials for ${ref.registry} from ${used} were rejected.`;
    return `No credentials for ${ref.registry} were found in ${this.opts.dockerConfigPath}: run \`docker login ${ref.registry}\` or set DOCKER_CONFIG (--docker-config).`;
  }

  private readonly usedCredential = new Map<string, string>();

  private transportsFor(hostPort: string): Transport[] {
    const ca = this.opts.sources.authorities.get(hostPort);
    const list: Transport[] = [
      { scheme: 'https', tls: ca ? { ca } : undefined, label: ca ? 'HTTPS (source_authorities)' : 'HTTPS' },
    ];
    if (this.opts.sources.insecure.has(hostPort)) {
      list.push({ scheme: 'https', tls: { insecure: true }, label: 'HTTPS without certificate verification' });
      list.push({ scheme: 'http', label: 'plain HTTP' });
    }
    return list;
  }

  /** A request to the registry API of `ref`, with auth challenges answered and the transport chosen once. */
  private async send(ref: RegistryRef, action: Action, path: string, o: SendOptions): Promise<HttpResponse> {
    const host = apiHost(ref.registry);
    const known = this.transports.get(ref.registry);
    const candidates = known ? [known] : this.transportsFor(ref.registry);
    const failures: [Transport, TransportError][] = [];
    for (const t of candidates) {
      const url = new URL(`${t.scheme}://${host}${path}`);
      try {
        const res = await this.sendAuthorized(ref, action, url, t, o);
        if (!known) {
          this.transports.set(ref.registry, t);
          if (failures.length > 0) this.opts.log.info(`${ref.registry}: using ${t.label} (insecure source)`);
        }
        return res;
      } catch (err) {
        if (!(err instanceof TransportError)) throw err;
        this.opts.log.debug(`${ref.registry}: ${t.label} failed: ${err.message}`);
        failures.push([t, err]);
      }
    }
    throw this.transportFailure(ref, failures);
  }

  private transportFailure(ref: RegistryRef, failures: [Transport, TransportError][]): PolicyFetchError {
    const name = formatRegistryRef(ref);
    const host = ref.registry;
    const [first] = failures;
    const last = failures[failures.length - 1];
    const sources = this.opts.sourcesPath;
    if (failures.length > 1) {
      return new PolicyFetchError(
        `${name}: cannot reach ${host} (an insecure source): ${failures.map(([t, e]) => `${t.label}: ${e.message}`).join('; ')}`,
        last[1].kind,
      );
    }
    const e = first[1];
    if (e.kind === 'tls') {
      return new PolicyFetchError(
        `${name}: TLS failure talking to ${host}: ${e.message}. ${tlsHint(host, e, sources)}`,
        'tls',
      );
    }
    if (e.kind === 'timeout') return new PolicyFetchError(`${name}: cannot reach ${host}: ${e.message}`, 'timeout');
    return new PolicyFetchError(
      `${name}: cannot reach ${e.hostPort === host || e.hostPort === apiHost(host) ? host : `${host} (${e.hostPort})`}: ${e.message}`,
      'connection',
    );
  }

  private authHeader(host: string, action: Action, ref: RegistryRef): Record<string, string> {
    const token = this.tokens.get(`${host}|${scopeOf(ref, action)}`);
    if (token) return { Authorization: `Bearer ${token}` };
    const basic = this.basicHosts.has(host) ? this.basicCredential.get(host) : undefined;
    if (basic)
      return { Authorization: `Basic ${Buffer.from(`${basic.username}:${basic.password}`).toString('base64')}` };
    return {};
  }

  private readonly basicCredential = new Map<string, { username: string; password: string }>();

  private async sendAuthorized(
    ref: RegistryRef,
    action: Action,
    url: URL,
    t: Transport,
    o: SendOptions,
  ): Promise<HttpResponse> {
    const host = apiHost(ref.registry);
    let res = await this.exchange(url, t, { ...o, headers: { ...o.headers, ...this.authHeader(host, action, ref) } });
    if (res.status !== 401) return res;
    const challenge = parseChallenge(headerValue(res.headers['www-authenticate']));
    if (!challenge) return res;
    this.challenges.set(host, challenge);
    if (!(await this.authenticate(ref, action, challenge))) return res;
    res = await this.exchange(url, t, { ...o, headers: { ...o.headers, ...this.authHeader(host, action, ref) } });
    return res;
  }

  /** Answers a challenge: remembers Basic credentials or obtains a Bearer token. False when there is nothing to try. */
  private async authenticate(ref: RegistryRef, action: Action, ch: Challenge): Promise<boolean> {
    const host = apiHost(ref.registry);
    const cred = await this.opts.credentials.get(ref.registry);
    if (cred) this.usedCredential.set(ref.registry, cred.source);
    if (ch.scheme === 'basic') {
      if (!cred || cred.kind !== 'basic' || this.basicHosts.has(host)) return false;
      this.opts.log.debug(`${ref.registry}: Basic authentication with credentials from ${cred.source}`);
      this.basicHosts.add(host);
      this.basicCredential.set(host, { username: cred.username, password: cred.password });
      return true;
    }
    if (ch.scheme !== 'bearer' || !ch.params.realm) return false;
    const key = `${host}|${scopeOf(ref, action)}`;
    if (this.tokens.has(key)) return false; // the token we had was refused: do not loop
    const scopes = [scopeOf(ref, action)];
    if (ch.params.scope && !scopes.includes(ch.params.scope)) scopes.push(ch.params.scope);
    const token = await this.fetchToken(ref, ch.params.realm, ch.params.service, scopes, cred);
    this.tokens.set(key, token);
    return true;
  }

  private async fetchToken(
    ref: RegistryRef,
    realm: string,
    service: string | undefined,
    scopes: string[],
    cred: Credential | undefined,
  ): Promise<string> {
    const name = formatRegistryRef(ref);
    let url: URL;
    try {
      url = new URL(realm);
    } catch {
      throw new PolicyFetchError(`${name}: the registry's token realm ${JSON.stringify(realm)} is not a URL`, 'http');
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:')
      throw new PolicyFetchError(`${name}: unsupported token realm ${redactUrl(url)}`, 'http');
    // The realm comes from the registry's answer: a registry (or whoever answers for it) must not get the user's
    // credentials sent in clear to a host of its choosing. Only with the user's consent: that host in insecure_sources.
    if (
      cred &&
      url.protocol === 'http:' &&
      url.hostname !== new URL(`http://${ref.registry}`).hostname &&
      !this.opts.sources.insecure.has(url.host)
    ) {
      throw new PolicyFetchError(
        `${name}: the registry asks for the credentials from ${cred.source} to be sent over plain HTTP to another host (token service ${redactUrl(url)}): not sent. ` +
          `If that host is trusted, add "${url.host}" to insecure_sources in ${this.opts.sourcesPath} (or pass --sources-path).`,
        'unauthorized',
      );
    }
    const authorities = this.opts.sources.authorities.get(url.host);
    const t: Transport = {
      scheme: url.protocol === 'http:' ? 'http' : 'https',
      tls: authorities
        ? { ca: authorities }
        : this.opts.sources.insecure.has(url.host)
          ? { insecure: true }
          : undefined,
      label: 'token service',
    };
    let res: HttpResponse;
    try {
      if (cred?.kind === 'identity-token') {
        const form = new URLSearchParams({
          grant_type: 'refresh_token',
          refresh_token: cred.token,
          client_id: 'kubectl-wasmpolicy',
          scope: scopes.join(' '),
        });
        if (service) form.set('service', service);
        this.opts.log.debug(
          `${ref.registry}: OAuth2 token from ${redactUrl(url)} with an identity token from ${cred.source}`,
        );
        res = await this.exchange(url, t, {
          method: 'POST',
          headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
          body: Buffer.from(form.toString()),
          maxBytes: MAX_SMALL_BYTES,
        });
      } else {
        if (service) url.searchParams.set('service', service);
        for (const s of scopes) url.searchParams.append('scope', s);
        const headers: Record<string, string> = {};
        if (cred?.kind === 'basic') {
          url.searchParams.set('account', cred.username);
          headers.Authorization = `Basic ${Buffer.from(`${cred.username}:${cred.password}`).toString('base64')}`;
        }
        this.opts.log.debug(
          `${ref.registry}: token from ${redactUrl(url)} (${cred ? `credentials from ${cred.source}` : 'anonymous'})`,
        );
        res = await this.exchange(url, t, { headers, maxBytes: MAX_SMALL_BYTES });
      }
    } catch (err) {
      if (err instanceof TransportError) {
        throw new PolicyFetchError(
          `${name}: cannot reach the token service ${redactUrl(realm)}: ${err.message}`,
          err.kind,
        );
      }
      throw err;
    }
    if (res.status === 401 || res.status === 403) {
      throw new PolicyFetchError(
        `${name}: unauthorized (realm "${realm}"${service ? `, service "${service}"` : ''}): the token service refused ${cred ? `the credentials for ${ref.registry} from ${cred.source}` : 'anonymous access'}` +
          (cred
            ? ''
            : `. No credentials for ${ref.registry} were found in ${this.opts.dockerConfigPath}: run \`docker login ${ref.registry}\` or set DOCKER_CONFIG (--docker-config).`),
        'unauthorized',
      );
    }
    if (res.status !== 200)
      throw new PolicyFetchError(`${name}: the token service ${redactUrl(realm)} answered HTTP ${res.status}`, 'http');
    let token: unknown;
    try {
      const v = JSON.parse(res.body.toString('utf8')) as { token?: unknown; access_token?: unknown };
      token = v.token ?? v.access_token;
    } catch {
      token = undefined;
    }
    if (typeof token !== 'string' || token === '')
      throw new PolicyFetchError(`${name}: the token service ${redactUrl(realm)} sent no token`, 'http');
    return token;
  }

  private async exchange(url: URL, t: Transport, o: SendOptions): Promise<HttpResponse> {
    const started = Date.now();
    const res = await httpRequest(url, {
      method: o.method ?? 'GET',
      headers: o.headers,
      body: o.body,
      tls: t.tls,
      timeoutMs: this.opts.timeoutMs,
      maxBytes: o.maxBytes ?? MAX_SMALL_BYTES,
      env: this.opts.env,
    }).catch((e: unknown) => {
      throw asFetchError(e);
    });
    this.opts.log.debug(
      `${o.method ?? 'GET'} ${redactUrl(url)} → ${res.status} (${res.body.length} bytes, ${Date.now() - started} ms)`,
    );
    return res;
  }
}

function scopeOf(ref: RegistryRef, action: Action): string {
  return `repository:${ref.repository}:${action}`;
}

function headerValue(h: string | string[] | undefined): string | undefined {
  return Array.isArray(h) ? h[0] : h;
}
