/**
 * CONNECT tunnels through an HTTP(S) proxy, for the store's HTTP client (http.ts) and the Kubernetes API client
 * (lib/cluster/proxy.ts): TLS to the server then runs inside the tunnel, so its certificate is checked as usual.
 */
import type * as net from 'node:net';
import { isIPv6 } from 'node:net';
import { TransportError } from './transport-error';

/** The proxy answered the CONNECT with another status than 200. */
export class TunnelRefusedError extends Error {
  override name = 'TunnelRefusedError';
  constructor(
    readonly status: number,
    readonly statusText: string,
    /** `host:port` as sent in the CONNECT line (IPv6 addresses in brackets). */
    readonly target: string,
  ) {
    super(`the proxy refused the tunnel to ${target}: ${status} ${statusText}`.trim());
  }
}

/** The `Proxy-Authorization` header for the user information of `proxy`, if it has any. */
export function proxyAuthHeader(proxy: URL): Record<string, string> {
  if (!proxy.username) return {};
  const user = decodeURIComponent(proxy.username);
  const pass = decodeURIComponent(proxy.password);
  return { 'Proxy-Authorization': `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
}

/**
 * Opens a CONNECT tunnel through `proxy` to `host:port`. Rejects with TunnelRefusedError when the proxy says no,
 * with a timeout TransportError after `timeoutMs` without an answer (when given), else with the socket's own error.
 */
export async function openTunnel(proxy: URL, host: string, port: number, timeoutMs?: number): Promise<net.Socket> {
  const target = `${isIPv6(host) ? `[${host}]` : host}:${port}`;
  const mod = proxy.protocol === 'https:' ? await import('node:https') : await import('node:http');
  return new Promise((resolve, reject) => {
    const req = mod.request({
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: Number(proxy.port) || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: target,
      headers: { Host: target, ...proxyAuthHeader(proxy) },
      agent: false,
      ...(timeoutMs !== undefined ? { timeout: timeoutMs } : {}),
    });
    req.once('connect', (res, socket) => {
      if (res.statusCode === 200) return resolve(socket);
      socket.destroy();
      reject(new TunnelRefusedError(res.statusCode ?? 0, res.statusMessage ?? '', target));
    });
    if (timeoutMs !== undefined)
      req.on('timeout', () =>
        req.destroy(new TransportError(`no answer within ${timeoutMs / 1000}s`, 'timeout', `proxy ${proxy.host}`)),
      );
    req.once('error', reject);
    req.end();
  });
}
