/**
 * Policy references (docs/host-interface.md §7): `registry://host[:port]/repo[:tag][@digest]`, bare registry refs (Docker-style
 * normalisation: default registry docker.io, `library/` prefix, tag `latest`), `https://`, `http://`,
 * `file://`, plain paths and `builtin://NAME`.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BUNDLED_SCHEME } from './bundled';
import { PolicyFetchError } from './errors';

export const REGISTRY_SCHEME = 'registry://';
export const DOCKER_HUB = 'docker.io';
/** The host that serves the Docker Hub API. */
export const DOCKER_HUB_API = 'registry-1.docker.io';
/** The key `docker login` writes for Docker Hub in config.json. */
export const DOCKER_HUB_AUTH_KEY = 'https://index.docker.io/v1/';

export interface RegistryRef {
  /** `host[:port]` as written (Docker Hub normalised to docker.io). */
  registry: string;
  /** Repository path, e.g. `kubewarden/policies/pod-privileged`. */
  repository: string;
  /** Tag; `latest` when the reference names neither tag nor digest. */
  tag?: string;
  /** `algorithm:hex`, e.g. `sha256:...`. */
  digest?: string;
  /** The reference had neither tag nor digest, so `latest` was implied. */
  implicitTag: boolean;
}

export type SourceRef =
  | { kind: 'bundled'; name: string; uri: string }
  | { kind: 'file'; path: string; uri: string }
  /**
   * `uri` is the normalised reference (Docker Hub resolved), what is pulled and shown; `storeUri` the reference as
   * written, with `registry://` prepended, which names the store file as policy-fetcher names it.
   */
  | { kind: 'registry'; ref: RegistryRef; uri: string; storeUri: string }
  | { kind: 'url'; url: URL; uri: string };

/** A source kind as messages name it: as users write it (the bundled policies' scheme is `builtin://`). */
export function sourceKindName(kind: SourceRef['kind']): string {
  return kind === 'bundled' ? 'builtin' : kind;
}

const DOMAIN_COMPONENT = '(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])';
const DOMAIN_RE = new RegExp(`^(?:${DOMAIN_COMPONENT}(?:\\.${DOMAIN_COMPONENT})*|\\[[0-9a-fA-F:.]+\\])(?::[0-9]+)?$`);
const PATH_COMPONENT_RE = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const TAG_RE = /^[\w][\w.-]{0,127}$/;
const DIGEST_RE = /^[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}$/;

/** Parses an OCI reference with or without `registry://`, normalised like Docker. */
export function parseRegistryRef(input: string): RegistryRef {
  const fail = (why: string): never => {
    throw new PolicyFetchError(`${input}: not a valid registry reference: ${why}`, 'invalid-ref');
  };
  let s = input.startsWith(REGISTRY_SCHEME) ? input.slice(REGISTRY_SCHEME.length) : input;
  if (s === '') fail('empty');
  let digest: string | undefined;
  const at = s.indexOf('@');
  if (at >= 0) {
    digest = s.slice(at + 1);
    s = s.slice(0, at);
    if (!DIGEST_RE.test(digest)) fail(`bad digest ${JSON.stringify(digest)} (expected sha256:<64 hex digits>)`);
    const [alg, hex] = digest.split(':');
    // OCI registries identify content by sha256 (and sha512); anything else cannot be verified here.
    if (alg !== 'sha256' && alg !== 'sha512')
      fail(`unsupported digest algorithm ${JSON.stringify(alg)} (sha256 or sha512)`);
    if (alg === 'sha256' && !/^[0-9a-f]{64}$/.test(hex)) fail('a sha256 digest has 64 lowercase hex digits');
    if (alg === 'sha512' && !/^[0-9a-f]{128}$/.test(hex)) fail('a sha512 digest has 128 lowercase hex digits');
  }
  let registry = DOCKER_HUB;
  let rest = s;
  const slash = s.indexOf('/');
  if (slash >= 0) {
    const first = s.slice(0, slash);
    if (/[.:]/.test(first) || first === 'localhost' || first.toLowerCase() !== first) {
      registry = first;
      rest = s.slice(slash + 1);
    }
  }
  if (!DOMAIN_RE.test(registry)) fail(`bad registry host ${JSON.stringify(registry)}`);
  if (registry === 'index.docker.io') registry = DOCKER_HUB;
  let tag: string | undefined;
  const colon = rest.lastIndexOf(':');
  if (colon >= 0) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
    if (!TAG_RE.test(tag)) fail(`bad tag ${JSON.stringify(tag)}`);
  }
  if (rest === '') fail('no repository');
  for (const part of rest.split('/')) {
    if (!PATH_COMPONENT_RE.test(part)) {
      fail(
        part.toLowerCase() !== part
          ? 'repository names must be lowercase'
          : `bad repository path component ${JSON.stringify(part)}`,
      );
    }
  }
  if (registry === DOCKER_HUB && !rest.includes('/')) rest = `library/${rest}`;
  const implicitTag = tag === undefined && digest === undefined;
  const ref: RegistryRef = { registry, repository: rest, implicitTag };
  if (tag !== undefined || implicitTag) ref.tag = tag ?? 'latest';
  if (digest !== undefined) ref.digest = digest;
  return ref;
}

/** `registry://host/repo:tag@digest` (or without the scheme). */
export function formatRegistryRef(r: RegistryRef, scheme = true): string {
  return `${scheme ? REGISTRY_SCHEME : ''}${r.registry}/${r.repository}${r.tag !== undefined ? ':' + r.tag : ''}${r.digest ? '@' + r.digest : ''}`;
}

/** The immutable form of a reference: `registry://host/repo@digest`. */
export function pinnedRef(r: RegistryRef, digest: string): string {
  return `${REGISTRY_SCHEME}${r.registry}/${r.repository}@${digest}`;
}

/** The host that answers the registry API for `registry`. */
export function apiHost(registry: string): string {
  return registry === DOCKER_HUB ? DOCKER_HUB_API : registry;
}

/** Whether a cached copy of the reference may change upstream (kwctl re-pulls `latest`). */
export function isMutableLatest(r: RegistryRef): boolean {
  return r.digest === undefined && r.tag === 'latest';
}

/**
 * Classifies a policy reference. A string without a scheme is a file when it exists or looks like a path
 * (`/`, `./`, `../`, `~`, a drive letter, a backslash, or a `.wasm` name); otherwise it is a registry
 * reference, as kwctl reads it.
 */
export function parseSourceRef(ref: string): SourceRef {
  if (ref.startsWith(BUNDLED_SCHEME)) return { kind: 'bundled', name: ref.slice(BUNDLED_SCHEME.length), uri: ref };
  if (ref.startsWith('file://')) {
    let file: string;
    try {
      file = fileURLToPath(ref);
    } catch (err) {
      throw new PolicyFetchError(`${ref}: not a valid file URL: ${(err as Error).message}`, 'invalid-ref');
    }
    return { kind: 'file', path: file, uri: ref };
  }
  if (ref.startsWith(REGISTRY_SCHEME)) {
    const r = parseRegistryRef(ref);
    return { kind: 'registry', ref: r, uri: formatRegistryRef(r), storeUri: writtenStoreUri(ref, r) };
  }
  if (/^https?:\/\//i.test(ref)) {
    let url: URL;
    try {
      url = new URL(ref);
    } catch {
      throw new PolicyFetchError(`${ref}: not a valid URL`, 'invalid-ref');
    }
    if (url.pathname === '/' || url.pathname.endsWith('/'))
      throw new PolicyFetchError(`${ref}: the URL must name a file`, 'invalid-ref');
    return { kind: 'url', url, uri: url.href };
  }
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(ref);
  if (scheme) {
    throw new PolicyFetchError(
      `${ref}: ${scheme[1]}:// sources are not supported (use registry://, https://, http://, file://, a path or builtin://)`,
      'unsupported',
    );
  }
  if (looksLikePath(ref) || existsSync(ref)) return { kind: 'file', path: ref, uri: ref };
  const r = parseRegistryRef(ref);
  return { kind: 'registry', ref: r, uri: formatRegistryRef(r), storeUri: writtenStoreUri(ref, r) };
}

/**
 * The store name of a registry reference as policy-fetcher gives it (crates/policy-fetcher `store` `policy_path`):
 * `registry://` prepended when missing, then the URL as written: its first component is the host directory, so
 * `kubewarden/x:v1` is kept under `registry/kubewarden/x:v1` and `index.docker.io/...` under `index.docker.io`,
 * while pulling still resolves them to Docker Hub. A reference with no `/` (`busybox`) is no URL policy-fetcher can
 * read; it keeps the normalised name.
 */
export function writtenStoreUri(written: string, parsed: RegistryRef): string {
  const s = written.startsWith(REGISTRY_SCHEME) ? written.slice(REGISTRY_SCHEME.length) : written;
  return s.includes('/') ? REGISTRY_SCHEME + s : formatRegistryRef(parsed);
}

function looksLikePath(ref: string): boolean {
  return (
    ref.startsWith('/') ||
    ref.startsWith('./') ||
    ref.startsWith('../') ||
    ref === '.' ||
    ref === '..' ||
    ref.startsWith('~') ||
    /^[a-zA-Z]:[\\/]/.test(ref) ||
    ref.includes('\\') ||
    /\.wasm$/i.test(ref)
  );
}
