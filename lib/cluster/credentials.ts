/**
 * What each request carries, from the context's cluster and user entries as kubectl applies them: the CA
 * (`certificate-authority-data` over `certificate-authority`), `insecure-skip-tls-verify`, `tls-server-name`, a
 * client certificate and key (data over file), and one credential: basic auth, a bearer token, a token file (re-read
 * as it rotates) or an exec plugin (client-node runs it and keeps its answer until its expirationTimestamp), plus
 * `as` impersonation. Legacy auth-provider plugins (gcp, azure, oidc) are refused with a pointer to exec plugins.
 */
import { readRegularFileSync } from '../base/bounded-read';
import { MAX_KUBECONFIG_BYTES } from './kubeconfig';
import type * as https from 'node:https';
import { ExecAuth, FileAuth, type KubeConfigCluster, type KubeConfigUser } from './client-node';
import { ClusterError } from './errors';

export interface TlsSettings {
  ca?: Buffer;
  cert?: Buffer | string;
  key?: Buffer | string;
  servername?: string;
  rejectUnauthorized?: boolean;
}

export interface RequestSettings {
  tls: TlsSettings;
  headers: Record<string, string>;
}

/**
 * How long one answer of the credential sources serves requests. client-node re-runs an exec plugin on every call
 * unless its answer has an expirationTimestamp, and an audit makes hundreds of requests, some at once; kubectl
 * likewise keeps such a credential until the server refuses it (see `invalidate`).
 */
const REUSE_MS = 60_000;

export class RequestCredentials {
  private readonly exec = new ExecAuth();
  private readonly file = new FileAuth();
  private staticTls?: TlsSettings;
  private cached?: { at: number; settings: Promise<RequestSettings> };

  constructor(
    private readonly cluster: KubeConfigCluster,
    private readonly user: KubeConfigUser | undefined,
    /** "https://host:6443 (context dev)", for messages. */
    private readonly where: string,
  ) {}

  /** Whether asking again may give another credential (an exec plugin), so a 401 is worth one retry. */
  get refreshable(): boolean {
    return Boolean(this.user && this.exec.isAuthProvider(this.user));
  }

  settings(): Promise<RequestSettings> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > REUSE_MS) {
      const settings = this.compute();
      const entry = { at: now, settings };
      this.cached = entry;
      // A failure is not kept: the next request asks again.
      settings.catch(() => {
        if (this.cached === entry) this.cached = undefined;
      });
    }
    return this.cached.settings;
  }

  /**
   * The server refused the credential `refused` gave: the next request asks the sources again. Requests that
   * were in flight with the same credential call this too; only the first drops it.
   */
  invalidate(refused: Promise<RequestSettings>): void {
    if (this.cached?.settings === refused) this.cached = undefined;
  }

  private async compute(): Promise<RequestSettings> {
    this.staticTls ??= this.readTls();
    const tls: TlsSettings = { ...this.staticTls };
    const headers: Record<string, string> = {};
    const u = this.user;
    if (!u) return { tls, headers };
    if (u.username)
      headers.Authorization = `Basic ${Buffer.from(`${u.username}:${u.password ?? ''}`).toString('base64')}`;
    const provider = u.authProvider as
      { name?: string; config?: { tokenFile?: string; exec?: unknown } } | null | undefined;
    const o: https.RequestOptions & { headers: Record<string, string> } = { headers: {} };
    try {
      if (this.exec.isAuthProvider(u)) await this.exec.applyAuthentication(u, o);
      else if (provider?.config?.tokenFile) await this.file.applyAuthentication(u, o);
      else if (provider) {
        throw new ClusterError(
          `user "${u.name}" (${this.where}) uses the auth-provider "${provider.name ?? '?'}", which is not supported; use an exec credential plugin instead (kubectl has dropped the gcp and azure providers too)`,
          'credentials',
        );
      }
    } catch (err) {
      if (err instanceof ClusterError) throw err;
      const command = (u.exec as { command?: unknown } | null)?.command;
      const what = typeof command === 'string' ? `the exec plugin ${command} failed` : 'failed';
      const detail = oneLine((err as Error).message);
      throw new ClusterError(
        `cannot get credentials for ${this.where}, user "${u.name}": ${what}${detail ? `: ${detail}` : ''}`,
        'credentials',
      );
    }
    if (o.headers.Authorization) headers.Authorization = o.headers.Authorization.trim();
    if (o.cert) tls.cert = o.cert as string;
    if (o.key) tls.key = o.key as string;
    if (u.token) headers.Authorization = `Bearer ${u.token}`;
    if (u.impersonateUser) headers['Impersonate-User'] = u.impersonateUser;
    return { tls, headers };
  }

  private readTls(): TlsSettings {
    const c = this.cluster;
    const u = this.user;
    const tls: TlsSettings = {};
    // As kubectl (client-go transport, tlsConfigFor): a CA and insecure-skip-tls-verify together are a mistake
    // that would silently turn verification off; refused, with the message kubectl users know.
    if ((c.caData || c.caFile) && c.skipTLSVerify) {
      throw new ClusterError(
        `cluster "${c.name}" (${this.where}): specifying a root certificates file with the insecure flag is not allowed`,
        'config',
      );
    }
    const ca = this.material(c.caData, c.caFile, `certificate-authority of cluster "${c.name}"`);
    if (ca) tls.ca = ca;
    if (c.skipTLSVerify) tls.rejectUnauthorized = false;
    if (c.tlsServerName) tls.servername = c.tlsServerName;
    if (u) {
      const cert = this.material(u.certData, u.certFile, `client-certificate of user "${u.name}"`);
      const key = this.material(u.keyData, u.keyFile, `client-key of user "${u.name}"`);
      if (cert) tls.cert = cert;
      if (key) tls.key = key;
    }
    return tls;
  }

  private material(data: string | undefined | null, file: string | undefined | null, what: string): Buffer | undefined {
    if (data) return Buffer.from(data, 'base64');
    if (!file) return undefined;
    try {
      return readRegularFileSync(file, MAX_KUBECONFIG_BYTES);
    } catch (err) {
      throw new ClusterError(`cannot read the ${what} (${this.where}): ${(err as Error).message}`, 'config');
    }
  }
}

function oneLine(s: string): string {
  return s.trim().replace(/\s*\n\s*/g, '; ');
}
