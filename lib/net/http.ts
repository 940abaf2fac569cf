/**
 * The HTTP(S) transport of the store: node:http/https with per-host CA certificates or no verification
 * (sources.yaml), keep-alive, deadlines, a body size cap, and proxies from HTTPS_PROXY / HTTP_PROXY / NO_PROXY
 * (CONNECT tunnels for HTTPS, tunnel.ts). Errors are classified (TLS, connection, timeout; transport-error.ts) and
 * never carry headers, so credentials cannot leak through them.
 */
import type * as http from 'node:http';
import * as net from 'node:net';
import { createHash } from 'node:crypto';
import { HttpError } from './errors';
import { classifyTransportError, NOT_TLS, TransportError } from './transport-error';
import { openTunnel, proxyAuthHeader, TunnelRefusedError } from './tunnel';

export interface TlsSettings {
  /** Extra CA certificates (PEM), added to the system ones. */
  ca?: string[];
  /** Accept any certificate (insecure sources only). */
  insecure?: boolean;
}

export interface HttpOptions {
  method?: string;
  headers?: Record<string, string>;
  body?: Uint8Array;
  tls?: TlsSettings;
  timeoutMs: number;
  /** Largest body accepted; larger answers fail with kind `too-large`. */
  maxBytes: number;
  env: NodeJS.ProcessEnv;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  url: URL;
}

type Transport = {
  http: typeof import('node:http');
  https: typeof import('node:https');
  tls: typeof import('node:tls');
};
let transport: Transport | undefined;

/** node:http, node:https and node:tls, loaded by the first request: runs that fetch nothing do not pay for them. */
async function loadTransport(): Promise<Transport> {
  transport ??= { http: await import('node:http'), https: await import('node:https'), tls: await import('node:tls') };
  return transport;
}

const agents = new Map<string, http.Agent>();

function agentFor({ http, https, tls }: Transport, url: URL, t: TlsSettings | undefined): http.Agent {
  const secure = url.protocol === 'https:';
  const key = secure
    ? `https|${t?.insecure ? 'insecure' : ''}|${t?.ca ? createHash('sha256').update(t.ca.join('\n')).digest('hex') : 'system'}`
    : 'http';
  let a = agents.get(key);
  if (!a) {
    a = secure
      ? new https.Agent({
          keepAlive: true,
          maxSockets: 8,
          ...(t?.ca ? { ca: [...tls.rootCertificates, ...t.ca] } : {}),
          ...(t?.insecure ? { rejectUnauthorized: false } : {}),
        })
      : new http.Agent({ keepAlive: true, maxSockets: 8 });
    agents.set(key, a);
  }
  return a;
}

/** The proxy to use for `url`, from the environment (curl's rules: lower-case first, NO_PROXY wins). */
export function proxyFor(url: URL, env: NodeJS.ProcessEnv): URL | undefined {
  const noProxy = env.no_proxy ?? env.NO_PROXY ?? '';
  if (noProxyMatches(url, noProxy)) return undefined;
  const raw = url.protocol === 'https:' ? (env.https_proxy ?? env.HTTPS_PROXY) : (env.http_proxy ?? env.HTTP_PROXY);
  if (!raw) return undefined;
  try {
    return new URL(/^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `http://${raw}`);
  } catch {
    throw new HttpError(`the proxy setting ${redactUrl(raw)} is not a valid URL`, 'config');
  }
}

function noProxyMatches(url: URL, noProxy: string): boolean {
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  for (let entry of noProxy.split(/[\s,]+/).filter(Boolean)) {
    entry = entry.toLowerCase();
    if (entry === '*') return true;
    let entryPort: string | undefined;
    const m = /^(.*):(\d+)$/.exec(entry);
    if (m && !entry.includes('::')) {
      entry = m[1];
      entryPort = m[2];
    }
    if (entryPort && entryPort !== port) continue;
    entry = entry.replace(/^\*?\./, '').replace(/^\[|\]$/g, '');
    if (entry.includes('/') && net.isIPv4(host)) {
      if (inCidr(host, entry)) return true;
      continue;
    }
    if (host === entry || host.endsWith('.' + entry)) return true;
  }
  return false;
}

function inCidr(ip: string, cidr: string): boolean {
  const [base, bitsText] = cidr.split('/');
  const bits = Number(bitsText);
  if (!net.isIPv4(base) || !(bits >= 0 && bits <= 32)) return false;
  const toInt = (s: string) => s.split('.').reduce((a, b) => a * 256 + Number(b), 0);
  const unit = 2 ** (32 - bits);
  return Math.floor(toInt(ip) / unit) === Math.floor(toInt(base) / unit);
}

/** A URL for messages: no user information, no query (tokens may travel there). */
export function redactUrl(u: string | URL): string {
  try {
    const url = new URL(typeof u === 'string' ? u : u.href);
    url.username = '';
    url.password = '';
    url.search = '';
    return url.href;
  } catch {
    return String(u).replace(/\/\/[^@/]*@/, '//');
  }
}

/** A CONNECT tunnel through `proxy` (tunnel.ts), its failures as TransportErrors about the proxy. */
async function tunnel(proxy: URL, host: string, port: number, timeoutMs: number): Promise<net.Socket> {
  const where = `proxy ${proxy.host}`;
  try {
    return await openTunnel(proxy, host, port, timeoutMs);
  } catch (err) {
    if (err instanceof TunnelRefusedError)
      throw new TransportError(
        `the proxy refused to connect to ${host}:${port} (HTTP ${err.status})`,
        'connection',
        where,
      );
    throw classifyTransportError(err as NodeJS.ErrnoException, where);
  }
}

/** One HTTP exchange. Throws TransportError when no answer came, HttpError when the body is too large. */
export async function httpRequest(url: URL, opts: HttpOptions): Promise<HttpResponse> {
  const secure = url.protocol === 'https:';
  const port = Number(url.port) || (secure ? 443 : 80);
  const host = url.hostname.replace(/^\[|\]$/g, '');
  const where = url.host;
  const proxy = proxyFor(url, opts.env);
  const headers: Record<string, string> = { 'User-Agent': 'kubectl-wasmpolicy', ...opts.headers };
  if (opts.body) headers['Content-Length'] = String(opts.body.length);
  const t = await loadTransport();
  const { http, https, tls } = t;
  let reqOpts: http.RequestOptions;
  if (proxy && secure) {
    const raw = await tunnel(proxy, host, port, opts.timeoutMs);
    const socket = tls.connect({
      socket: raw,
      ...(net.isIP(host) ? {} : { servername: host }),
      ...(opts.tls?.ca ? { ca: [...tls.rootCertificates, ...opts.tls.ca] } : {}),
      rejectUnauthorized: !opts.tls?.insecure,
    });
    reqOpts = {
      method: opts.method ?? 'GET',
      host,
      port,
      path: url.pathname + url.search,
      headers: { Host: url.host, ...headers },
      createConnection: () => socket,
    };
  } else if (proxy) {
    reqOpts = {
      method: opts.method ?? 'GET',
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: Number(proxy.port) || 80,
      path: url.href,
      headers: { Host: url.host, ...headers, ...proxyAuthHeader(proxy) },
      agent: false,
    };
  } else {
    reqOpts = {
      method: opts.method ?? 'GET',
      host,
      port,
      path: url.pathname + url.search,
      headers,
      agent: agentFor(t, url, opts.tls),
    };
  }
  const mod = secure && !proxy ? https : http;
  return new Promise<HttpResponse>((resolve, reject) => {
    // A deadline for the whole exchange, body included: the idle timeout below alone let a server sending one byte
    // every few seconds hold a pull for ever.
    let answered = false;
    const deadline = setTimeout(() => {
      const what = answered ? 'the transfer did not complete' : 'no answer';
      req.destroy(new TransportError(`${what} within ${opts.timeoutMs / 1000}s`, 'timeout', where, 'ETIMEDOUT'));
    }, opts.timeoutMs);
    const settle =
      <T>(f: (v: T) => void) =>
      (v: T): void => {
        clearTimeout(deadline);
        f(v);
      };
    resolve = settle(resolve);
    reject = settle(reject);
    const req = mod.request(reqOpts, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > opts.maxBytes) {
          req.destroy();
          res.destroy();
          reject(
            new HttpError(`${redactUrl(url)}: the answer is larger than the ${opts.maxBytes} byte limit`, 'too-large'),
          );
          return;
        }
        chunks.push(c);
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks), url }),
      );
      res.on('error', (err) => reject(classifyTransportError(err as NodeJS.ErrnoException, where)));
    });
    req.setTimeout(opts.timeoutMs, () =>
      req.destroy(new TransportError(`no answer within ${opts.timeoutMs / 1000}s`, 'timeout', where, 'ETIMEDOUT')),
    );
    req.on('error', (err) => reject(classifyTransportError(err as NodeJS.ErrnoException, where)));
    req.end(opts.body);
  });
}

/** What to change in sources.yaml after a TLS failure with `host`. */
export function tlsHint(host: string, err: TransportError, sourcesPath: string): string {
  if (err.code === NOT_TLS) {
    return `If ${host} serves plain HTTP, add "${host}" to insecure_sources in ${sourcesPath} (or pass --sources-path).`;
  }
  return (
    `If ${host} uses a private CA, list its certificate under source_authorities."${host}" in ${sourcesPath} (or pass --sources-path); ` +
    `if it has no valid certificate at all, add "${host}" to insecure_sources there.`
  );
}

/** Closes the kept-alive connections (benchmarks of cold pulls; long-running hosts that rotate CAs). */
export function resetConnections(): void {
  for (const a of agents.values()) a.destroy();
  agents.clear();
}
