/**
 * Registry credentials from the Docker CLI configuration (docs/host-interface.md §7): `$DOCKER_CONFIG/config.json`, else
 * `~/.docker/config.json`; per registry host, `credHelpers.<host>`, then `credsStore`, then `auths.<host>`
 * (`auth` = base64(user:password), or `username`/`password`, or `identitytoken`). Helpers speak the
 * docker-credential-helpers protocol: `docker-credential-<name> get`, the server on stdin, JSON on stdout.
 *
 * Any failure falls back to anonymous access, as kwctl does; the reason is logged at debug level, never a secret.
 */
import { readRegularFile, type BoundedReadError } from '../base/bounded-read';
import type { Logger } from '../base/log';
import { DOCKER_HUB, DOCKER_HUB_API, DOCKER_HUB_AUTH_KEY } from './ref';

export type Credential =
  | { kind: 'basic'; username: string; password: string; source: string }
  | { kind: 'identity-token'; token: string; source: string };

interface DockerConfigFile {
  auths?: Record<string, { auth?: string; username?: string; password?: string; identitytoken?: string }>;
  credsStore?: string;
  credHelpers?: Record<string, string>;
}

export interface CredentialOptions {
  /** config.json to read. */
  configPath: string;
  /** The user named the file (--docker-config): a missing file is worth a warning. */
  explicit?: boolean;
  env: NodeJS.ProcessEnv;
  log: Logger;
  helperTimeoutMs?: number;
}

/** Docker Hub answers to several names; the others are compared as `host[:port]`. */
function normaliseKey(key: string): string {
  let k = key.trim().replace(/^[a-z]+:\/\//i, '');
  const slash = k.indexOf('/');
  if (slash >= 0) k = k.slice(0, slash);
  k = k.toLowerCase();
  if (k === 'index.docker.io' || k === DOCKER_HUB_API || k === 'registry.hub.docker.com') return DOCKER_HUB;
  return k;
}

export class Credentials {
  private config?: Promise<DockerConfigFile | undefined>;
  private readonly cache = new Map<string, Promise<Credential | undefined>>();

  constructor(private readonly opts: CredentialOptions) {}

  /** Credentials for `registry` (`host[:port]`, `docker.io` for Docker Hub), or undefined for anonymous. */
  get(registry: string): Promise<Credential | undefined> {
    let c = this.cache.get(registry);
    if (!c) {
      c = this.lookup(registry);
      this.cache.set(registry, c);
    }
    return c;
  }

  private readConfig(): Promise<DockerConfigFile | undefined> {
    this.config ??= (async () => {
      let text: string;
      try {
        text = (await readRegularFile(this.opts.configPath, 16 * 1024 * 1024)).toString('utf8');
      } catch (err) {
        const why = (err as BoundedReadError).reason === 'not-found' ? 'not found' : (err as Error).message;
        (this.opts.explicit ? this.opts.log.warn : this.opts.log.debug)(
          `docker config ${this.opts.configPath}: ${why}; using anonymous access`,
        );
        return undefined;
      }
      try {
        const v = JSON.parse(text) as unknown;
        if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
        return v as DockerConfigFile;
      } catch (err) {
        this.opts.log.warn(
          `docker config ${this.opts.configPath} is not valid JSON (${(err as Error).message}); using anonymous access`,
        );
        return undefined;
      }
    })();
    return this.config;
  }

  private async lookup(registry: string): Promise<Credential | undefined> {
    const cfg = await this.readConfig();
    if (!cfg) return undefined;
    const want = normaliseKey(registry);
    const serverUrl = want === DOCKER_HUB ? DOCKER_HUB_AUTH_KEY : registry;
    const helper = Object.entries(cfg.credHelpers ?? {}).find(([k]) => normaliseKey(k) === want)?.[1];
    for (const h of [helper, cfg.credsStore]) {
      if (typeof h !== 'string' || h === '') continue;
      const c = await this.fromHelper(h, serverUrl, registry);
      if (c) return c;
    }
    const entry = Object.entries(cfg.auths ?? {}).find(([k]) => normaliseKey(k) === want)?.[1];
    if (!entry || typeof entry !== 'object') {
      this.opts.log.debug(`no credentials for ${registry} in ${this.opts.configPath}; using anonymous access`);
      return undefined;
    }
    const source = `${this.opts.configPath} (auths)`;
    if (typeof entry.identitytoken === 'string' && entry.identitytoken !== '')
      return { kind: 'identity-token', token: entry.identitytoken, source };
    if (typeof entry.auth === 'string' && entry.auth !== '') {
      const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      if (colon > 0)
        return { kind: 'basic', username: decoded.slice(0, colon), password: decoded.slice(colon + 1), source };
      this.opts.log.warn(
        `${this.opts.configPath}: the auth entry for ${registry} is not base64(user:password); using anonymous access`,
      );
      return undefined;
    }
    if (typeof entry.username === 'string' && typeof entry.password === 'string')
      return { kind: 'basic', username: entry.username, password: entry.password, source };
    return undefined;
  }

  private async fromHelper(name: string, serverUrl: string, registry: string): Promise<Credential | undefined> {
    // Loaded on first use: most runs never start a credential helper.
    const { spawn } = await import('node:child_process');
    const program = `docker-credential-${name}`;
    const source = `credential helper ${program}`;
    return new Promise((resolve) => {
      let child;
      try {
        child = spawn(program, ['get'], { env: this.opts.env, stdio: ['pipe', 'pipe', 'pipe'], windowsHide: true });
      } catch (err) {
        this.opts.log.debug(`${source}: cannot run: ${(err as Error).message}`);
        resolve(undefined);
        return;
      }
      let out = '';
      let errText = '';
      const timer = setTimeout(() => {
        child.kill();
        this.opts.log.warn(
          `${source} did not answer within ${(this.opts.helperTimeoutMs ?? 30_000) / 1000}s; using anonymous access`,
        );
        resolve(undefined);
      }, this.opts.helperTimeoutMs ?? 30_000);
      child.stdout.on('data', (d: Buffer) => (out += d.toString('utf8')));
      child.stderr.on('data', (d: Buffer) => (errText += d.toString('utf8')));
      child.on('error', (err: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        this.opts.log.debug(`${source}: ${err.code === 'ENOENT' ? 'not found on PATH' : err.message}`);
        resolve(undefined);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (code !== 0) {
          // The helper's own message ("credentials not found in native keychain"); it never holds the secret.
          this.opts.log.debug(
            `${source}: no credentials for ${registry} (exit ${code}: ${(out || errText).trim().slice(0, 200)})`,
          );
          resolve(undefined);
          return;
        }
        try {
          const v = JSON.parse(out) as { Username?: unknown; Secret?: unknown };
          if (typeof v.Secret !== 'string' || v.Secret === '') throw new Error('no Secret');
          if (v.Username === '<token>') resolve({ kind: 'identity-token', token: v.Secret, source });
          else if (typeof v.Username === 'string')
            resolve({ kind: 'basic', username: v.Username, password: v.Secret, source });
          else throw new Error('no Username');
        } catch (err) {
          this.opts.log.warn(
            `${source} answered with something that is not a credential (${(err as Error).message}); using anonymous access`,
          );
          resolve(undefined);
        }
      });
      child.stdin.on('error', () => undefined);
      child.stdin.end(serverUrl);
    });
  }
}
