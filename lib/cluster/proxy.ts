/**
 * Reaching the API server through an HTTP(S) proxy, as kubectl does: the cluster's `proxy-url`, else HTTPS_PROXY /
 * HTTP_PROXY with NO_PROXY, except for loopback servers, which Go's proxy rules never send to a proxy. The proxy
 * opens a CONNECT tunnel (lib/net/tunnel.ts) and TLS to the API server runs inside it, so the server's certificate is
 * checked as usual.
 * SOCKS proxies are not supported.
 */
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import type { Duplex } from 'node:stream';
import * as tls from 'node:tls';
import { proxyFor, redactUrl } from '../net/http';
import { openTunnel, TunnelRefusedError } from '../net/tunnel';
import { ClusterError } from './errors';

/** The proxy for `server`, or undefined to connect directly. */
export function chooseProxy(
  server: URL,
  proxyUrl: string | undefined,
  env: NodeJS.ProcessEnv,
  where: string,
): URL | undefined {
  let proxy: URL | undefined;
  if (proxyUrl) {
    try {
      proxy = new URL(proxyUrl);
    } catch {
      throw new ClusterError(`the proxy-url of ${where} is not a URL: ${redactUrl(proxyUrl)}`, 'config');
    }
  } else {
    if (isLoopback(server.hostname)) return undefined;
    try {
      proxy = proxyFor(server, env);
    } catch (err) {
      throw new ClusterError(`${(err as Error).message} (for ${where})`, 'config');
    }
  }
  if (proxy && proxy.protocol !== 'http:' && proxy.protocol !== 'https:') {
    throw new ClusterError(
      `the proxy ${redactUrl(proxy)} for ${where} is not supported: only http:// and https:// proxies are`,
      'config',
    );
  }
  return proxy;
}

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || (net.isIPv4(h) && h.startsWith('127.'));
}

type ConnectCallback = (err: Error | null, stream: Duplex) => void;

/** An agent whose connections are CONNECT tunnels through `proxy`; `secure` runs TLS to the API server inside. */
export function tunnelingAgent(proxy: URL, secure: boolean, agentOptions: https.AgentOptions): http.Agent {
  const base = secure ? https.Agent : http.Agent;
  class Tunneling extends base {
    override createConnection(options: http.ClientRequestArgs, callback?: ConnectCallback): undefined {
      const host = String(options.host ?? options.hostname ?? 'localhost');
      const port = Number(options.port ?? (secure ? 443 : 80));
      tunnel(proxy, host, port).then(
        (socket) => {
          if (!secure) return callback?.(null, socket);
          const t = tls.connect({
            ...(options as tls.ConnectionOptions),
            socket,
            servername: net.isIP(host) ? undefined : ((options as tls.ConnectionOptions).servername ?? host),
          });
          callback?.(null, t);
        },
        (err: Error) => callback?.(err, undefined as unknown as Duplex),
      );
      return undefined;
    }
  }
  return new Tunneling(agentOptions);
}

/** A CONNECT tunnel (lib/net/tunnel.ts), its failures as ClusterErrors about the proxy. */
async function tunnel(proxy: URL, host: string, port: number): Promise<net.Socket> {
  try {
    return await openTunnel(proxy, host, port);
  } catch (err) {
    if (err instanceof TunnelRefusedError)
      throw new ClusterError(
        `the proxy ${redactUrl(proxy)} refused the tunnel to ${err.target}: ${err.status} ${err.statusText}`.trim(),
        'connection',
        err.status,
      );
    throw new ClusterError(`cannot reach the proxy ${redactUrl(proxy)}: ${(err as Error).message}`, 'connection');
  }
}
