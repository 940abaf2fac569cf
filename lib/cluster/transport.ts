/**
 * HTTP(S) requests to the API server through node:http(s), directly or through a proxy (proxy.ts), with one
 * kept-alive agent per TLS identity (an exec plugin may hand out a new client certificate), so a long paginated
 * list pays one TLS handshake, not one per page.
 */
import { createHash } from 'node:crypto';
import * as http from 'node:http';
import * as https from 'node:https';
import { RequestCredentials, type RequestSettings, type TlsSettings } from './credentials';
import { ClusterError, httpError } from './errors';
import type { ResolvedConfig } from './kubeconfig';
import { chooseProxy, tunnelingAgent } from './proxy';
import { classifyTransportError, NOT_TLS } from '../net/transport-error';

export interface TransportResponse {
  status: number;
  contentType: string;
  body: string;
}

export interface RequestOptions {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  accept?: string;
}

export interface Transport {
  /** "https://host:6443 (context dev)", for messages. */
  readonly where: string;
  /** Any answer, error statuses included; throws ClusterError only when there is no answer. */
  request(method: string, path: string, opts?: RequestOptions): Promise<TransportResponse>;
  /** A 2xx JSON answer, or a ClusterError built from the status. */
  json<T>(method: string, path: string, opts?: RequestOptions): Promise<T>;
  close(): void;
}

const USER_AGENT = 'kubectl-wasmpolicy';
/** A list page or a discovery document is far below this; more means something is wrong. */
const MAX_BODY_BYTES = 256 * 1024 * 1024;

export function createTransport(
  cfg: ResolvedConfig,
  timeoutMs: number,
  env: NodeJS.ProcessEnv = process.env,
): Transport {
  const where = `${cfg.server} (context ${cfg.context})`;
  const base = new URL(cfg.server);
  // A server URL may carry a path prefix (a proxy in front of the API server); request paths go below it.
  const prefix = base.pathname.replace(/\/$/, '');
  const credentials = new RequestCredentials(cfg.cluster, cfg.user, where);
  const agents = new Map<string, http.Agent>();
  const secure = base.protocol === 'https:';
  const proxy = chooseProxy(base, cfg.cluster.proxyUrl, env, where);

  function agentFor(tls: TlsSettings): http.Agent {
    const h = createHash('sha256');
    if (secure)
      for (const part of [tls.ca, tls.cert, tls.key, String(tls.rejectUnauthorized), tls.servername])
        h.update(part ?? '').update('\0');
    const key = h.digest('hex');
    let a = agents.get(key);
    if (!a) {
      const options = { keepAlive: true, maxSockets: 16, ...(secure ? tls : {}) };
      a = proxy ? tunnelingAgent(proxy, secure, options) : secure ? new https.Agent(options) : new http.Agent(options);
      agents.set(key, a);
    }
    return a;
  }

  async function request(method: string, path: string, opts: RequestOptions = {}): Promise<TransportResponse> {
    const used = credentials.settings();
    const first = await send(await used, method, path, opts);
    if (first.status !== 401 || !credentials.refreshable) return first;
    // An exec plugin's token may have expired or been revoked: run the plugin again, once.
    credentials.invalidate(used);
    return send(await credentials.settings(), method, path, opts);
  }

  async function send(
    { tls, headers: auth }: RequestSettings,
    method: string,
    path: string,
    opts: RequestOptions,
  ): Promise<TransportResponse> {
    const agent = agentFor(tls);
    const url = new URL(base.origin + prefix + path);
    for (const [k, v] of Object.entries(opts.query ?? {}))
      if (v !== undefined && v !== '') url.searchParams.set(k, String(v));
    const payload = opts.body === undefined ? undefined : Buffer.from(JSON.stringify(opts.body));
    const headers: Record<string, string> = {
      ...auth,
      Accept: opts.accept ?? 'application/json',
      'User-Agent': USER_AGENT,
      ...(payload ? { 'Content-Type': 'application/json', 'Content-Length': String(payload.length) } : {}),
    };
    const mod = url.protocol === 'http:' ? http : https;
    const attempt = (retried: boolean): Promise<TransportResponse> =>
      new Promise<TransportResponse>((resolve, reject) => {
        let settled = false;
        const fail = (e: ClusterError) => {
          if (settled) return;
          settled = true;
          clearTimeout(timer);
          req.destroy();
          reject(e);
        };
        const req = mod.request(url, { method, headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size > MAX_BODY_BYTES)
              fail(
                new ClusterError(
                  `the answer from ${where} to ${method} ${path} is larger than ${MAX_BODY_BYTES} bytes`,
                  'invalid-response',
                ),
              );
            else chunks.push(c);
          });
          res.on('error', (err) => fail(transportError(err, where)));
          res.on('end', () => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            resolve({
              status: res.statusCode ?? 0,
              contentType: String(res.headers['content-type'] ?? ''),
              body: Buffer.concat(chunks).toString('utf8'),
            });
          });
        });
        const timer = setTimeout(
          () =>
            fail(new ClusterError(`no answer from ${where} to ${method} ${path} within ${timeoutMs} ms`, 'timeout')),
          timeoutMs,
        );
        req.on('error', (err) => {
          // A kept-alive connection the server closed as this request went out (its idle timeout): Node's documented
          // remedy (http.ClientRequest reusedSocket) is to send it again, once, on a new connection. A write the
          // server did receive answers 409 the second time, which writers handle (objects.ts).
          if (!retried && !settled && req.reusedSocket && (err as NodeJS.ErrnoException).code === 'ECONNRESET') {
            settled = true;
            clearTimeout(timer);
            resolve(attempt(true));
            return;
          }
          fail(transportError(err, where));
        });
        req.end(payload);
      });
    return attempt(false);
  }

  async function json<T>(method: string, path: string, opts?: RequestOptions): Promise<T> {
    const res = await request(method, path, opts);
    if (res.status < 200 || res.status > 299) throw httpError(res.status, res.body, where);
    try {
      return JSON.parse(res.body) as T;
    } catch {
      throw new ClusterError(
        `the answer from ${where} to ${method} ${path} is not JSON (${res.contentType || 'no content type'})`,
        'invalid-response',
        res.status,
      );
    }
  }

  return {
    where,
    request,
    json,
    close() {
      for (const a of agents.values()) a.destroy();
      agents.clear();
    },
  };
}

/** Node's socket and TLS errors, as messages that say which server and what failed. */
export function transportError(err: NodeJS.ErrnoException, where: string): ClusterError {
  if (err instanceof ClusterError) return err;
  const code = err.code ?? '';
  const detail = oneLine(err.message);
  // The classification is lib/net's (the store's too); the words are kubectl's.
  const { kind, code: classified } = classifyTransportError(err, where);
  if (kind === 'tls') {
    const plain = classified === NOT_TLS ? ' (is it serving plain HTTP?)' : '';
    return new ClusterError(
      `TLS handshake with ${where} failed: ${detail}${code && !detail.includes(code) ? ` (${code})` : ''}${plain}`,
      'tls',
    );
  }
  return new ClusterError(`cannot reach ${where}: ${detail}`, kind);
}

function oneLine(s: string): string {
  return s.trim().replace(/\s*\n\s*/g, '; ');
}
