import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { createLogger } from '../../../lib/base/log';
import { resolvePolicy } from '../../../lib/store/fetch';
import { pushPolicy } from '../../../lib/store/push';
import { fetchOpts, testHome, type TestHome } from '../../servers/registry/env';
import { makePki, type TestPki } from '../../servers/registry/pki';
import { registryAvailable, startRegistry, type TestRegistry } from '../../servers/registry/registry';
import { ROOT, runCli } from '../../support/cli';

const WASM = readFileSync(path.join(ROOT, 'dist/plugins/image-tag.wasm'));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

describe('store: a registry over TLS with a private CA (source_authorities)', function () {
  let reg: TestRegistry;
  let pki: TestPki;
  let ref: string;

  before(async function () {
    if (!registryAvailable())
      throw new Error(
        'these tests need the Debian docker-registry package: apt-get install -y docker-registry apache2-utils',
      );
    pki = makePki(testHome('wasmpolicy-pki-').dir);
    reg = await startRegistry({ tls: { cert: pki.serverCert, key: pki.serverKey } });
    ref = `registry://${reg.host}/secure/image-tag:v2`;
  });
  after(async () => reg?.stop());

  const withCa = (entry: unknown): TestHome => {
    const h = testHome();
    h.writeSources({ source_authorities: { [reg.host]: [entry] } });
    return h;
  };

  it('without the CA: a TLS failure naming the host and the sources.yaml fix', async () => {
    const h = testHome();
    const r = await runCli(['pull', ref], { env: h.env });
    assert.equal(r.code, 2);
    const host = reg.host.replace(/\./g, '\\.');
    assert.match(
      r.stderr,
      new RegExp(`TLS failure talking to ${host}: .*(self.signed|unable to (get|verify)|certificate)`, 'i'),
    );
    assert.match(
      r.stderr,
      new RegExp(
        `list its certificate under source_authorities\\."${host}" in ${h.sourcesPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`,
      ),
    );
    assert.match(r.stderr, new RegExp(`add "${host}" to insecure_sources`));
  });

  it('with the CA as a PEM file: push, pull and check round trip (--sources-path)', async () => {
    const h = withCa({ type: 'Path', path: pki.caPem });
    const pushed = await pushPolicy(WASM, ref, fetchOpts(h));
    assert.match(pushed.pinned, new RegExp(`^registry://${reg.host}/secure/image-tag@sha256:`));
    const elsewhere = path.join(h.dir, 'my-sources.yaml');
    const { renameSync } = await import('node:fs');
    renameSync(h.sourcesPath, elsewhere);
    const c = await runCli(['check', '-f', 'manifests/examples', '-p', ref, '--sources-path', elsewhere], {
      env: h.env,
    });
    assert.equal(c.code, 1, c.stderr);
    assert.match(c.stdout, /rejected: DaemonSet monitoring\/node-agent by image-tag/);
    const missing = await runCli(['pull', ref, '--sources-path', path.join(h.dir, 'nope.yaml')], { env: h.env });
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /sources file .*nope\.yaml: cannot read: no such file/);
  });

  it('with the CA as DER, or inline PEM data', async () => {
    for (const entry of [
      { type: 'Path', path: pki.caDer },
      { type: 'Data', data: readFileSync(pki.caPem, 'utf8') },
    ]) {
      const r = await resolvePolicy(ref, fetchOpts(withCa(entry)));
      assert.equal(sha(r.bytes), sha(WASM), JSON.stringify(entry).slice(0, 40));
    }
  });

  it('an insecure source falls back to HTTPS without verification', async () => {
    const h = testHome();
    h.writeSources({ insecure_sources: [reg.host] });
    const lines: string[] = [];
    const r = await resolvePolicy(ref, { ...fetchOpts(h), log: createLogger('info', (l) => lines.push(l)) });
    assert.equal(sha(r.bytes), sha(WASM));
    assert.ok(
      lines.some((l) => l.includes('using HTTPS without certificate verification (insecure source)')),
      lines.join('\n'),
    );
  });

  it('tunnels through HTTPS_PROXY with CONNECT', async () => {
    const connects: string[] = [];
    const proxy = http.createServer((_req, res) => res.writeHead(405).end());
    proxy.on('connect', (req, client: net.Socket, head: Buffer) => {
      connects.push(req.url!);
      const [host, port] = req.url!.split(':');
      const up = net.connect(Number(port), host === 'localhost' ? '127.0.0.1' : host, () => {
        client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
        up.write(head);
        up.pipe(client);
        client.pipe(up);
      });
      up.on('error', () => client.destroy());
      client.on('error', () => up.destroy());
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const h = withCa({ type: 'Path', path: pki.caPem });
      const env = {
        ...h.env,
        HTTPS_PROXY: `http://proxyuser:proxypass@127.0.0.1:${(proxy.address() as AddressInfo).port}`,
      };
      const r = await resolvePolicy(ref, { env, timeoutMs: 10_000 });
      assert.equal(sha(r.bytes), sha(WASM));
      assert.ok(connects.length >= 1 && connects.every((c) => c === reg.host), connects.join(', '));
    } finally {
      proxy.close();
    }
  });
});
