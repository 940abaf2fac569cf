import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import { createGzip, gzipSync } from 'node:zlib';
import { writeTar } from '../../../lib/base/tar';
import { PRIVATE_DIR } from '../../../lib/store/store';
import { testHome, type TestHome } from '../../servers/registry/env';
import { registryAvailable, startRegistry, type TestRegistry } from '../../servers/registry/registry';
import { ROOT, runCli } from '../../support/cli';

/**
 * A `@sha256:` reference only ever runs bytes with that digest (issue 16, item 8): `load` cannot put other bytes
 * under it, and a store copy is verified against its manifest on every read. Also the archive's own limits.
 */
const plugin = (name: string): string => path.join(ROOT, 'dist/plugins', `${name}.wasm`);
const noStack = (s: string): void => assert.doesNotMatch(s, /\n\s+at [\w.<]/, s);

/** The pull record the store keeps for `uri` (lib/store/store.ts recordPath). */
function findRecord(h: TestHome, uri: string): string {
  return path.join(h.storeRoot, PRIVATE_DIR, 'pulls', `${createHash('sha256').update(uri).digest('hex')}.json`);
}

async function gzipBomb(bytes: number): Promise<Buffer> {
  const zero = Buffer.alloc(1 << 20);
  const chunks: Buffer[] = [];
  const gz = Readable.from(
    (function* () {
      for (let i = 0; i < bytes / zero.length; i++) yield zero;
    })(),
  ).pipe(createGzip({ level: 9 }));
  for await (const c of gz) chunks.push(c as Buffer);
  return Buffer.concat(chunks);
}

describe('store: digest references run only bytes with that digest', function () {
  this.timeout(120_000);
  let reg: TestRegistry;
  let home: TestHome;
  let pinned: string;
  let storeName: string;

  before(async function () {
    if (!registryAvailable())
      throw new Error(
        'these tests need the Debian docker-registry package: apt-get install -y docker-registry apache2-utils',
      );
    reg = await startRegistry();
    home = testHome();
    home.writeSources({ insecure_sources: [reg.host] });
    const p = await runCli(
      ['push', plugin('pss-privileged'), `registry://${reg.host}/kubewarden/policies/pss-privileged:v1`],
      { env: home.env },
    );
    assert.equal(p.code, 0, p.stderr);
    pinned = p.stdout.trim();
    storeName = `registry/${reg.host}/kubewarden/policies/pss-privileged@${pinned.split('@')[1]}`;
  });
  after(async () => {
    await reg?.stop();
  });

  it('pulled by digest, saved and loaded: verified and usable offline', async () => {
    const pulled = await runCli(['pull', pinned], { env: home.env });
    assert.equal(pulled.code, 0, pulled.stderr);
    const archive = path.join(home.dir, 'pinned.tar.gz');
    const pinnedTime = { ...home.env, SOURCE_DATE_EPOCH: '1700000000' };
    assert.equal((await runCli(['save', '-o', archive, pinned], { env: pinnedTime })).code, 0);
    // With SOURCE_DATE_EPOCH (lib/base/source-date.ts), saving again gives the same bytes: a reproducible archive.
    const again = path.join(home.dir, 'pinned-again.tar.gz');
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await runCli(['save', '-o', again, pinned], { env: pinnedTime })).code, 0);
    assert.ok(readFileSync(archive).equals(readFileSync(again)), 'two saves of the same policy differ');
    const offline = testHome();
    const l = await runCli(['load', archive], { env: offline.env });
    assert.equal(l.code, 0, l.stderr);
    const c = await runCli(['check', '-f', 'manifests/examples', '-p', pinned, '--pull', 'never'], {
      env: offline.env,
    });
    assert.equal(c.code, 1, c.stderr);
  });

  it('load refuses other bytes under a digest reference, listed in index.json or not', async () => {
    const other = readFileSync(plugin('image-tag'));
    const unlisted = gzipSync(writeTar([{ name: storeName, data: other }]));
    const offline = testHome();
    const file = path.join(offline.dir, 'evil.tar.gz');
    writeFileSync(file, unlisted);
    const r = await runCli(['load', file], { env: offline.env });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      new RegExp(
        `${storeName.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} has no manifest recorded to verify it against sha256:[0-9a-f]{64}: not loaded under a digest reference`,
      ),
    );
    // The real manifest, and a sha256 that matches the bytes: the manifest still names other bytes.
    const sha = createHash('sha256').update(other).digest('hex');
    const listed = {
      apiVersion: 'wasmpolicy.kubewarden.io/v1alpha1',
      kind: 'PolicyArchive',
      policies: [
        {
          uri: `registry://${storeName.slice('registry/'.length)}`,
          path: storeName,
          sha256: sha,
          size: other.length,
          manifest: (JSON.parse(readFileSync(findRecord(home, pinned), 'utf8')) as { manifest: string }).manifest,
        },
      ],
    };
    writeFileSync(
      file,
      gzipSync(
        writeTar([
          { name: 'index.json', data: Buffer.from(JSON.stringify(listed)) },
          { name: storeName, data: other },
        ]),
      ),
    );
    const r2 = await runCli(['load', file], { env: offline.env });
    assert.equal(r2.code, 2);
    assert.match(
      r2.stderr,
      /is not the module manifest sha256:[0-9a-f]{64} names \(layer sha256:[0-9a-f]{64}, the bytes are sha256:[0-9a-f]{64}\): not loaded under a digest reference/,
    );
    const c = await runCli(['check', '-f', 'manifests/examples', '-p', pinned, '--pull', 'never'], {
      env: offline.env,
    });
    assert.match(c.stderr, /not in the local store/);
  });

  it('a store copy swapped for other bytes (record adjusted) is not run: pulled again, or an error with --pull never', async () => {
    const h = testHome();
    h.writeSources({ insecure_sources: [reg.host] });
    assert.equal((await runCli(['pull', pinned], { env: h.env })).code, 0);
    const file = path.join(h.storeRoot, storeName);
    const other = readFileSync(plugin('image-tag'));
    writeFileSync(file, other);
    const recordFile = findRecord(h, pinned);
    const rec = JSON.parse(readFileSync(recordFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(
      recordFile,
      JSON.stringify({
        ...rec,
        layerDigest: `sha256:${createHash('sha256').update(other).digest('hex')}`,
        size: other.length,
      }),
    );
    const never = await runCli(['check', '-f', 'manifests/examples/web.yaml', '-p', pinned, '--pull', 'never'], {
      env: h.env,
    });
    assert.equal(never.code, 2);
    assert.match(
      never.stderr,
      /is not the module manifest sha256:[0-9a-f]{64} names .* and --pull never forbids pulling it again/,
    );
    const again = await runCli(['check', '-f', 'manifests/examples/web.yaml', '-p', pinned, '-o', 'json'], {
      env: h.env,
    });
    assert.notEqual(again.code, 2, again.stderr);
    assert.match(again.stderr, /pulling it again/);
    assert.deepEqual(readFileSync(file), readFileSync(plugin('pss-privileged')));
  });

  it('an @md5 digest, a malformed index.json and a gzip bomb are clear errors', async () => {
    const h = testHome();
    const md5 = await runCli(
      [
        'check',
        '-f',
        'manifests/examples/web.yaml',
        '-p',
        `registry://${reg.host}/x/y@md5:0123456789abcdef0123456789abcdef`,
      ],
      { env: h.env },
    );
    assert.equal(md5.code, 2);
    noStack(md5.stderr);
    assert.match(md5.stderr, /not a valid registry reference: unsupported digest algorithm "md5" \(sha256 or sha512\)/);
    const bad = path.join(h.dir, 'bad.tar.gz');
    writeFileSync(
      bad,
      gzipSync(
        writeTar([
          { name: 'index.json', data: Buffer.from('{"policies": 5}') },
          { name: `registry/${reg.host}/x/y:v1`, data: readFileSync(plugin('image-tag')) },
        ]),
      ),
    );
    const idx = await runCli(['load', bad], { env: h.env });
    assert.equal(idx.code, 2);
    noStack(idx.stderr);
    assert.match(idx.stderr, /index\.json is not a policy archive index: policies is not a list/);
    const bomb = path.join(h.dir, 'bomb.tar.gz');
    writeFileSync(bomb, await gzipBomb(600 << 20));
    const b = await runCli(['load', bomb], { env: h.env });
    assert.equal(b.code, 2);
    noStack(b.stderr);
    assert.match(b.stderr, /decompresses to more than 67108864 bytes \(a gzip bomb\?\)/);
  });

  it('a store copy replaced by a link to /dev/zero is an error, not an endless read', async () => {
    const h = testHome();
    h.writeSources({ insecure_sources: [reg.host] });
    assert.equal((await runCli(['pull', pinned], { env: h.env })).code, 0);
    const file = path.join(h.storeRoot, storeName);
    rmSync(file);
    symlinkSync('/dev/zero', file);
    const r = await runCli(['check', '-f', 'manifests/examples/web.yaml', '-p', pinned, '--pull', 'never'], {
      env: h.env,
    });
    assert.equal(r.code, 2);
    noStack(r.stderr);
    assert.match(r.stderr, /cannot read the store copy .*: not a regular file \(a character device\)/);
  });
});
