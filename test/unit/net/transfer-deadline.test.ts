import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { httpRequest } from '../../../lib/net/http';
import { TransportError } from '../../../lib/net/transport-error';
import { runCli } from '../../support/cli';
import { testHome } from '../../servers/registry/env';

/**
 * Registry and https:// downloads have a deadline for the whole transfer (issue 16, item 7): a server that sends
 * one byte every 50 ms never trips an idle timeout, and held `pull` for minutes.
 */
describe('whole-transfer deadline (lib/net/http)', function () {
  this.timeout(60_000);
  let server: Server;
  let base: string;
  const timers = new Set<NodeJS.Timeout>();

  before(async () => {
    server = createServer((req, res) => {
      if (req.url === '/pod.yaml') {
        if (req.headers.authorization !== `Basic ${Buffer.from('alice:s3cret').toString('base64')}`) {
          res.writeHead(401).end();
          return;
        }
        res.writeHead(200, { 'Content-Type': 'application/yaml' });
        res.end('apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers: []\n');
        return;
      }
      // A trickle: headers at once, then one byte of a "module" every 50 ms, never ending.
      res.writeHead(200, { 'Content-Type': 'application/wasm' });
      const t = setInterval(() => res.write('\0'), 50);
      timers.add(t);
      res.on('close', () => {
        clearInterval(t);
        timers.delete(t);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    for (const t of timers) clearInterval(t);
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('httpRequest gives up when the whole exchange is not done by the deadline, bytes arriving or not', async () => {
    await assert.rejects(
      httpRequest(new URL(`${base}/trickle.wasm`), { timeoutMs: 400, maxBytes: 1 << 20, env: {} }),
      (e: Error) =>
        e instanceof TransportError &&
        e.kind === 'timeout' &&
        e.message.includes('the transfer did not complete within 0.4s'),
    );
  });

  it('pull --registry-timeout: the documented error, exit 2, no stack trace', async () => {
    const home = testHome();
    home.writeSources({ insecure_sources: [new URL(base).host] });
    const r = await runCli(['pull', `${base}/trickle.wasm`, '--registry-timeout', '0.5'], { env: home.env });
    assert.equal(r.code, 2, r.stdout + r.stderr);
    assert.match(r.stderr, /the transfer did not complete within 0\.5s/);
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });

  it('-f URL: a user and password in the URL are sent (Basic, as kubectl) but never appear in the results', async () => {
    const url = base.replace('http://', 'http://alice:s3cret@') + '/pod.yaml';
    const r = await runCli(['check', '-f', url, '-p', 'builtin://pss-privileged', '-o', 'json', '-v']);
    assert.equal(r.code, 0, r.stderr);
    assert.doesNotMatch(r.stdout + r.stderr, /s3cret|alice/);
    assert.ok(r.stdout.includes(`"file": "${base}/pod.yaml"`), r.stdout);
  });
});
