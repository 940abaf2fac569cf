import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as tls from 'node:tls';
import { transportError } from '../../../lib/cluster/transport';
import { httpRequest } from '../../../lib/net/http';
import { classifyTransportError, NOT_TLS, TransportError } from '../../../lib/net/transport-error';
import { openTunnel, TunnelRefusedError } from '../../../lib/net/tunnel';
import { makePki } from '../../servers/registry/pki';

const listen = async (server: net.Server, host = '127.0.0.1'): Promise<number> => {
  await new Promise<void>((resolve) => server.listen(0, host, resolve));
  return (server.address() as net.AddressInfo).port;
};

/** The error Node gives for a TLS connection to 127.0.0.1:port trusting `ca` only. */
const handshakeError = (port: number, ca: string): Promise<NodeJS.ErrnoException> =>
  new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' });
    s.once('secureConnect', () => {
      s.destroy();
      reject(new Error('the handshake succeeded'));
    });
    s.once('error', resolve);
  });

/**
 * One classification of transport failures (lib/net/transport-error.ts) for the store's client and the cluster
 * client, and one CONNECT tunnel (lib/net/tunnel.ts).
 */
describe('transport failures and tunnels (lib/net)', function () {
  this.timeout(30_000);
  const servers: net.Server[] = [];
  after(() => servers.forEach((s) => s.close()));

  it('a certificate for the wrong purpose is a TLS failure for the store and the cluster client alike', async () => {
    // A server certificate signed by the CA but for client authentication only: OpenSSL's INVALID_PURPOSE, which
    // neither client counted as TLS before (the store said "connection", the cluster "cannot reach").
    const pki = makePki(mkdtempSync(path.join(tmpdir(), 'wasmpolicy-purpose-')));
    const run = (args: string[]) =>
      execFileSync('openssl', args, { cwd: pki.dir, stdio: ['ignore', 'ignore', 'pipe'] });
    run(
      ['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'].concat([
        '-keyout',
        'client.key',
        '-out',
        'client.csr',
        '-subj',
        '/CN=localhost',
      ]),
    );
    writeFileSync(
      path.join(pki.dir, 'client.ext'),
      'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=clientAuth\n',
    );
    run(
      ['x509', '-req', '-in', 'client.csr', '-CA', 'ca.pem', '-CAkey', 'ca.key', '-CAcreateserial'].concat([
        '-out',
        'client.pem',
        '-days',
        '2',
        '-extfile',
        'client.ext',
      ]),
    );
    const server = https.createServer(
      { cert: readFileSync(path.join(pki.dir, 'client.pem')), key: readFileSync(path.join(pki.dir, 'client.key')) },
      (_req, res) => res.end('ok'),
    );
    servers.push(server);
    const port = await listen(server);
    const ca = readFileSync(pki.caPem, 'utf8');

    const err = await handshakeError(port, ca);
    assert.equal(err.code, 'INVALID_PURPOSE');
    const classified = classifyTransportError(err, `127.0.0.1:${port}`);
    assert.equal(classified.kind, 'tls');
    assert.equal(classified.code, 'INVALID_PURPOSE');
    const cluster = transportError(err, `https://127.0.0.1:${port} (context dev)`);
    assert.equal(cluster.kind, 'tls');
    assert.match(
      cluster.message,
      /^TLS handshake with https:\/\/127\.0\.0\.1:\d+ \(context dev\) failed: .*INVALID_PURPOSE/,
    );

    await assert.rejects(
      httpRequest(new URL(`https://127.0.0.1:${port}/`), {
        tls: { ca: [ca] },
        timeoutMs: 10_000,
        maxBytes: 1024,
        env: {},
      }),
      (e: unknown) => e instanceof TransportError && e.kind === 'tls' && e.code === 'INVALID_PURPOSE',
    );
  });

  it('a plain HTTP answer to the TLS handshake is NOT_TLS for both clients', async () => {
    const server = http.createServer((_req, res) => res.end('plain'));
    servers.push(server);
    const port = await listen(server);
    const err = await handshakeError(port, '');
    assert.equal(classifyTransportError(err, 'x').code, NOT_TLS);
    assert.match(transportError(err, 'https://x (context dev)').message, /\(is it serving plain HTTP\?\)$/);
  });

  it('CONNECT names an IPv6 target in brackets, and a refusal carries the status', async () => {
    const lines: string[] = [];
    const proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req: http.IncomingMessage, client: net.Socket) => {
      lines.push(`${req.url} ${req.headers.host} ${req.headers['proxy-authorization'] ?? '-'}`);
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\n\r\n');
    });
    servers.push(proxy);
    const port = await listen(proxy);
    await assert.rejects(
      openTunnel(new URL(`http://me:s%40cret@127.0.0.1:${port}`), '::1', 6443, 5_000),
      (e: unknown) => e instanceof TunnelRefusedError && e.status === 407 && e.target === '[::1]:6443',
    );
    assert.deepEqual(lines, [`[::1]:6443 [::1]:6443 Basic ${Buffer.from('me:s@cret').toString('base64')}`]);
    // The store's client words it for its users, about the proxy.
    await assert.rejects(
      httpRequest(new URL('https://registry.example:5000/v2/'), {
        timeoutMs: 5_000,
        maxBytes: 1024,
        env: { HTTPS_PROXY: `http://127.0.0.1:${port}` },
      }),
      (e: unknown) =>
        e instanceof TransportError &&
        e.kind === 'connection' &&
        e.hostPort === `proxy 127.0.0.1:${port}` &&
        e.message === 'the proxy refused to connect to registry.example:5000 (HTTP 407)',
    );
  });
});
