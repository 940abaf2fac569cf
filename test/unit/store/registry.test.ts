import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as net from 'node:net';
import type { AddressInfo } from 'node:net';
import * as path from 'node:path';
import { manifestDigestOf, resolvePolicy, storeContext } from '../../../lib/store/fetch';
import { importArchive } from '../../../lib/store/archive';
import { removeStoredPolicy } from '../../../lib/store/manage';
import { MEDIA_TYPE, sha256Digest } from '../../../lib/store/oci';
import { pushPolicy } from '../../../lib/store/push';
import { parseRegistryRef } from '../../../lib/store/ref';
import { fetchOpts, testHome, type TestHome } from '../../servers/registry/env';
import { rejectsWith } from '../../servers/registry/fetch-error';
import { blobPath, registryAvailable, startRegistry, type TestRegistry } from '../../servers/registry/registry';
import { ROOT, runCli } from '../../support/cli';
import { wat2wasm } from '../../support/wat';

const plugin = (name: string) => path.join(ROOT, 'dist/plugins', `${name}.wasm`);
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

interface CheckJson {
  results: {
    source: { file: string; line: number };
    object?: unknown;
    policy?: string;
    verdict: string;
    message?: string;
    patch?: unknown;
  }[];
  policies: { id: string; module: string; mutating: boolean; sha256: string }[];
  summary: Record<string, number>;
}

describe('store: an anonymous registry over plain HTTP (an insecure source)', function () {
  let reg: TestRegistry;
  let home: TestHome;
  const POLICIES = ['pss-privileged', 'pss-capabilities-restricted', 'image-tag', 'resource-limits'];
  let refs: string[];

  before(async function () {
    if (!registryAvailable())
      throw new Error(
        'these tests need the Debian docker-registry package: apt-get install -y docker-registry apache2-utils',
      );
    reg = await startRegistry();
    home = testHome();
    home.writeSources({ insecure_sources: [reg.host] });
    refs = POLICIES.map((p) => `registry://${reg.host}/kubewarden/policies/${p}:v1.0.0`);
  });
  after(async () => {
    await reg?.stop();
  });

  it('push prints the immutable @sha256: reference of the manifest', async () => {
    const r = await runCli(['push', plugin(POLICIES[0]), refs[0]], { env: home.env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      new RegExp(
        `^registry://${reg.host.replace(/\./g, '\\.')}/kubewarden/policies/pss-privileged@sha256:[0-9a-f]{64}\\n$`,
      ),
    );
    for (let i = 1; i < POLICIES.length; i++)
      await pushPolicy(readFileSync(plugin(POLICIES[i])), refs[i], fetchOpts(home));
    const d = await runCli(['digest', refs[0]], { env: home.env });
    assert.equal(d.code, 0, d.stderr);
    assert.equal(d.stdout.trim(), `${refs[0]}@${r.stdout.trim().split('@')[1]}`);
  });

  it('push refuses a module without metadata unless --force, which pushes it as it is', async () => {
    const bare = path.join(home.dir, 'bare.wasm');
    const bytes = await wat2wasm('(module (memory (export "memory") 1))');
    writeFileSync(bare, bytes);
    const ref = `registry://${reg.host}/kubewarden/policies/bare:v1`;
    const refused = await runCli(['push', bare, ref], { env: home.env });
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /the module has no io\.kubewarden\.metadata section: annotate it first .* or push anyway with --force/,
    );
    const digestBefore = await runCli(['digest', ref], { env: home.env });
    assert.notEqual(digestBefore.code, 0, 'nothing was pushed');
    const forced = await runCli(['push', bare, ref, '--force'], { env: home.env });
    assert.equal(forced.code, 0, forced.stderr);
    assert.match(forced.stdout, /@sha256:[0-9a-f]{64}\n$/);
    // Pulled into a store of its own, so that the shared one lists only the policies the other tests pushed.
    const other = testHome();
    other.writeSources({ insecure_sources: [reg.host] });
    const pulled = await resolvePolicy(ref, fetchOpts(other));
    assert.equal(sha(pulled.bytes), sha(bytes), 'the registry holds the module byte for byte');
  });

  it('bundled policies pulled by reference give the same verdicts as builtin:// on manifests/examples', async () => {
    const [viaRegistry, viaBuiltin] = await Promise.all([
      runCli(['check', '-f', 'manifests/examples', '-o', 'json', ...refs.flatMap((r) => ['-p', r])], { env: home.env }),
      runCli(
        ['check', '-f', 'manifests/examples', '-o', 'json', ...POLICIES.flatMap((p) => ['-p', `builtin://${p}`])],
        { env: home.env },
      ),
    ]);
    assert.equal(viaBuiltin.code, 1, viaBuiltin.stderr);
    assert.equal(viaRegistry.code, viaBuiltin.code, viaRegistry.stderr);
    const a = JSON.parse(viaRegistry.stdout) as CheckJson;
    const b = JSON.parse(viaBuiltin.stdout) as CheckJson;
    assert.deepEqual(a.results, b.results);
    assert.deepEqual(a.summary, b.summary);
    assert.deepEqual(
      a.policies.map(({ id, mutating, sha256 }) => ({ id, mutating, sha256 })),
      b.policies.map(({ id, mutating, sha256 }) => ({ id, mutating, sha256 })),
    );
    assert.ok(
      a.results.some((r) => r.verdict !== 'pass' && r.verdict !== 'skip') && a.results.some((r) => r.patch),
      'the examples exercise rejections and a mutation',
    );
  });

  it("keeps pulls in kwctl's store layout, written atomically, listed by policies", async () => {
    for (const p of POLICIES) {
      const file = path.join(home.storeRoot, 'registry', reg.host, 'kubewarden', 'policies', `${p}:v1.0.0`);
      assert.ok(existsSync(file), file);
      assert.equal(sha(readFileSync(file)), sha(readFileSync(plugin(p))));
    }
    assert.deepEqual(
      readdirSync(path.join(home.storeRoot, 'registry', reg.host, 'kubewarden', 'policies')).sort(),
      POLICIES.map((p) => `${p}:v1.0.0`).sort(),
      'no temporary files next to the modules',
    );
    const [l, t] = await Promise.all([
      runCli(['policies', '-o', 'json'], { env: home.env }),
      runCli(['policies'], { env: home.env }),
    ]);
    assert.equal(l.code, 0, l.stderr);
    const list = JSON.parse(l.stdout) as {
      ref: string;
      mutating: boolean;
      contextAware: boolean;
      executionMode: string;
      sha256: string;
      size: number;
      manifestDigest?: string;
    }[];
    assert.deepEqual(list.map((p) => p.ref).sort(), [...refs].sort());
    const caps = list.find((p) => p.ref.includes('pss-capabilities-restricted'))!;
    assert.equal(caps.mutating, true);
    assert.equal(caps.contextAware, false);
    assert.equal(caps.executionMode, 'kubewarden-wapc');
    assert.equal(caps.sha256, sha(readFileSync(plugin('pss-capabilities-restricted'))));
    assert.match(caps.manifestDigest!, /^sha256:[0-9a-f]{64}$/);
    assert.match(t.stdout, /^REFERENCE\s+MUTATING\s+CONTEXT-AWARE\s+EXECUTION MODE\s+SHA-256\s+SIZE$/m);
    assert.match(
      t.stdout,
      /pss-capabilities-restricted:v1\.0\.0\s+yes\s+no\s+kubewarden-wapc\s+[0-9a-f]{12}\s+[\d.]+ KiB/,
    );
  });

  it('inspect shows the manifest digest of a registry ref, from the store with --pull never', async () => {
    const digest = await manifestDigestOf(parseRegistryRef(refs[1]), fetchOpts(home));
    const r = await runCli(['inspect', refs[1], '--pull', 'never'], { env: home.env });
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^Manifest digest:\\s+${digest}$`, 'm'));
    assert.match(r.stdout, /^Mutating:\s+true$/m);
  });

  it('reuses a cached tag, re-pulls latest, and --pull always|missing override', async () => {
    const h = testHome();
    h.writeSources({ insecure_sources: [reg.host] });
    const o = fetchOpts(h);
    const tagged = `registry://${reg.host}/cache/p:v1`;
    const latest = `${reg.host}/cache/p`;
    const a = readFileSync(plugin('image-tag'));
    const b = readFileSync(plugin('resource-limits'));
    await pushPolicy(a, tagged, o);
    await pushPolicy(a, latest, o);
    assert.equal((await resolvePolicy(tagged, o)).fromCache, false);
    assert.equal((await resolvePolicy(latest, o)).fromCache, false);
    // crates/policy-fetcher store `policy_file_name`: the last path segment of the reference as written.
    assert.ok(
      existsSync(path.join(h.storeRoot, 'registry', reg.host, 'cache', 'p')),
      'the file is named as the reference is written, no implied :latest',
    );
    await pushPolicy(b, tagged, o);
    await pushPolicy(b, latest, o);
    const t = await resolvePolicy(tagged, o);
    assert.equal(t.fromCache, true);
    assert.equal(sha(t.bytes), sha(a), 'a cached tag is not re-pulled');
    assert.equal(sha((await resolvePolicy(tagged, { ...o, pull: 'always' })).bytes), sha(b));
    const l = await resolvePolicy(latest, o);
    assert.equal(l.fromCache, false, 'latest is always re-pulled');
    assert.equal(sha(l.bytes), sha(b));
    await pushPolicy(a, latest, o);
    assert.equal(
      sha((await resolvePolicy(latest, { ...o, pull: 'missing' })).bytes),
      sha(b),
      '--pull missing keeps the cached latest',
    );
    const pinned = await pushPolicy(a, `registry://${reg.host}/cache/q:v1`, o);
    const byDigest = await resolvePolicy(pinned.pinned, o);
    assert.equal(sha(byDigest.bytes), sha(a));
    assert.equal(byDigest.manifestDigest, pinned.manifestDigest);
    assert.ok(byDigest.path!.endsWith(`q@${pinned.manifestDigest}`));
  });

  it('--pull never with an empty store fails without touching the network', async () => {
    const h = testHome();
    const r = await runCli(['check', '-f', 'manifests/examples/web.yaml', '-p', refs[0], '--pull', 'never'], {
      env: h.env,
    });
    assert.equal(r.code, 2);
    assert.match(
      r.stderr,
      /not in the local store \(.*store\/registry\/127\.0\.0\.1:\d+\/kubewarden\/policies\/pss-privileged:v1\.0\.0\) and --pull never forbids downloading it/,
    );
    await rejectsWith(
      resolvePolicy(`registry://127.0.0.1:1/x/y:v1`, { ...fetchOpts(h), pull: 'never' }),
      'offline',
      /--pull never/,
    );
  });

  it('save and load move policies into an offline store, checked with --pull never', async () => {
    const archive = path.join(home.dir, 'policies.tar.gz');
    const s = await runCli(['save', '-o', archive, refs[0], refs[2]], { env: home.env });
    assert.equal(s.code, 0, s.stderr);
    assert.match(s.stdout, /^Saved registry:\/\/.*pss-privileged:v1\.0\.0 \(sha256 [0-9a-f]{12}\)$/m);
    const offline = testHome();
    const l = await runCli(['load', archive], { env: offline.env });
    assert.equal(l.code, 0, l.stderr);
    assert.equal(l.stdout.trim().split('\n').length, 2);
    const c = await runCli(
      ['check', '-f', 'manifests/examples', '-p', refs[0], '-p', refs[2], '--pull', 'never', '-o', 'json'],
      { env: offline.env },
    );
    assert.equal(c.code, 1, c.stderr);
    const doc = JSON.parse(c.stdout) as CheckJson;
    assert.deepEqual(
      doc.policies.map((p) => p.id),
      ['pss-privileged', 'image-tag'],
    );
    // The archive is checked on the way in: a flipped byte in a module is caught.
    const { gunzipSync, gzipSync } = await import('node:zlib');
    const tar = gunzipSync(readFileSync(archive));
    const at = tar.indexOf(Buffer.from('\0asm'), 1024);
    tar[at + 100] ^= 0xff;
    await rejectsWith(
      importArchive(gzipSync(tar), fetchOpts(testHome())),
      'digest-mismatch',
      /digest mismatch: registry\/.+ should have sha256 [0-9a-f]{64} but has [0-9a-f]{64}/,
    );
  });

  it('rm removes by reference or sha256 prefix', async () => {
    const h = testHome();
    h.writeSources({ insecure_sources: [reg.host] });
    await resolvePolicy(refs[0], fetchOpts(h));
    await resolvePolicy(refs[2], fetchOpts(h));
    const prefix = sha(readFileSync(plugin('image-tag'))).slice(0, 10);
    const a = await runCli(['rm', prefix], { env: h.env });
    assert.equal(a.code, 0, a.stderr);
    assert.match(a.stdout, /^Removed registry:\/\/.*image-tag:v1\.0\.0/);
    const b = await runCli(['rm', refs[0].replace('registry://', '')], { env: h.env });
    assert.equal(b.code, 0, b.stderr);
    assert.equal(readdirSync(path.join(h.storeRoot, 'registry')).length, 0, 'empty directories are pruned');
    await rejectsWith(removeStoredPolicy(refs[0], fetchOpts(h)), 'not-found', /no such policy in the store/);
  });

  it('two processes pulling the same ref at once both succeed and leave one intact file', async () => {
    const h = testHome();
    h.writeSources({ insecure_sources: [reg.host] });
    const runs = await Promise.all([0, 1].map(() => runCli(['pull', refs[3]], { env: h.env })));
    for (const r of runs) assert.equal(r.code, 0, r.stderr);
    const dir = path.join(h.storeRoot, 'registry', reg.host, 'kubewarden', 'policies');
    assert.deepEqual(readdirSync(dir), ['resource-limits:v1.0.0']);
    assert.equal(
      sha(readFileSync(path.join(dir, 'resource-limits:v1.0.0'))),
      sha(readFileSync(plugin('resource-limits'))),
    );
    assert.deepEqual(
      readdirSync(path.join(h.storeRoot, '.kubectl-wasmpolicy', 'tmp')),
      [],
      'no temporary file left behind',
    );
  });

  it('a missing tag or repository is "not found"', async () => {
    const o = fetchOpts(home);
    await rejectsWith(
      resolvePolicy(`registry://${reg.host}/kubewarden/policies/pss-privileged:v9.9.9`, o),
      'not-found',
      /not found: no tag v9\.9\.9 in 127\.0\.0\.1:\d+\/kubewarden\/policies\/pss-privileged \(MANIFEST_UNKNOWN/,
    );
    const r = await runCli(['pull', `${reg.host}/nope/nope:v1`], { env: home.env });
    assert.equal(r.code, 2);
    assert.match(r.stderr, /^error: registry:\/\/127\.0\.0\.1:\d+\/nope\/nope:v1: not found: /);
  });

  it('a tampered blob is a digest mismatch, and nothing is stored', async () => {
    const h = testHome();
    h.writeSources({ insecure_sources: [reg.host] });
    const wasm = readFileSync(plugin('pss-host-ports'));
    const ref = `registry://${reg.host}/tamper/p:v1`;
    await pushPolicy(wasm, ref, fetchOpts(h));
    const file = blobPath(reg, sha256Digest(wasm));
    const data = readFileSync(file);
    data[data.length - 10] ^= 0xff;
    writeFileSync(file, data);
    await rejectsWith(
      resolvePolicy(ref, fetchOpts(h)),
      'digest-mismatch',
      new RegExp(
        `digest mismatch: the layer should be ${sha256Digest(wasm)} but what 127\\.0\\.0\\.1:\\d+ sent is sha256:[0-9a-f]{64}`,
      ),
    );
    assert.equal(existsSync(path.join(h.storeRoot, 'registry', reg.host, 'tamper', 'p:v1')), false);
    const c = await runCli(['check', '-f', 'manifests/examples', '-p', ref], { env: h.env });
    assert.equal(c.code, 2);
    assert.match(c.stderr, /digest mismatch/);
  });

  it('artifacts that are not wasm policies are refused: container layers, non-wasm content, no layers, indexes', async () => {
    const o = fetchOpts(home);
    const client = await storeContext(o).client();
    const config = Buffer.from('{}');
    const put = async (
      repo: string,
      layers: { bytes: Buffer; mediaType: string }[],
      extra: Record<string, unknown> = {},
    ) => {
      const ref = parseRegistryRef(`${reg.host}/${repo}:v1`);
      await client.pushBlob(ref, config);
      for (const l of layers) await client.pushBlob(ref, l.bytes);
      const manifest = Buffer.from(
        JSON.stringify({
          schemaVersion: 2,
          mediaType: MEDIA_TYPE.ociManifest,
          config: {
            mediaType: 'application/vnd.oci.image.config.v1+json',
            digest: sha256Digest(config),
            size: config.length,
          },
          layers: layers.map((l) => ({ mediaType: l.mediaType, digest: sha256Digest(l.bytes), size: l.bytes.length })),
          ...extra,
        }),
      );
      await client.pushManifest(ref, manifest, MEDIA_TYPE.ociManifest);
      return `registry://${reg.host}/${repo}:v1`;
    };
    const image = await put('image/app', [
      { bytes: Buffer.from('not really a tarball'), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' },
    ]);
    await rejectsWith(
      resolvePolicy(image, o),
      'not-wasm',
      /not a Wasm policy artifact: its layer has media type application\/vnd\.oci\.image\.layer\.v1\.tar\+gzip, expected application\/vnd\.wasm\.content\.layer\.v1\+wasm/,
    );
    const fake = await put('fake/wasm', [
      { bytes: Buffer.from('#!/bin/sh\necho hi\n'), mediaType: MEDIA_TYPE.wasmLayer },
    ]);
    await rejectsWith(
      resolvePolicy(fake, o),
      'not-wasm',
      /is not a WebAssembly module \(it does not start with \\0asm\)/,
    );
    const empty = await put('empty/layers', []);
    await rejectsWith(resolvePolicy(empty, o), 'not-wasm', /empty layers/);
    const indexRef = parseRegistryRef(`${reg.host}/multi/arch:v1`);
    const index = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: MEDIA_TYPE.ociIndex, manifests: [] }));
    await client.pushManifest(indexRef, index, MEDIA_TYPE.ociIndex);
    await rejectsWith(resolvePolicy(`registry://${reg.host}/multi/arch:v1`, o), 'not-wasm', /image index/);
    const p = await runCli(['push', path.join(ROOT, 'package.json'), `${reg.host}/x/y:v1`], { env: home.env });
    assert.equal(p.code, 2);
    assert.match(p.stderr, /not a WebAssembly module/);
  });

  it('http:// modules only from insecure sources, kept under http/ in the store', async () => {
    const wasm = readFileSync(plugin('pss-privileged'));
    const server = http.createServer((req, res) => {
      if (req.url === '/releases/v1/policy.wasm') res.end(wasm);
      else if (req.url === '/moved.wasm') res.writeHead(302, { Location: '/releases/v1/policy.wasm' }).end();
      else res.writeHead(404).end();
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const host = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const h = testHome();
      await rejectsWith(
        resolvePolicy(`http://${host}/releases/v1/policy.wasm`, fetchOpts(h)),
        'config',
        /plain http:\/\/ is allowed only for insecure sources: add "127\.0\.0\.1:\d+" to insecure_sources/,
      );
      h.writeSources({ insecure_sources: [host] });
      const r = await resolvePolicy(`http://${host}/moved.wasm`, fetchOpts(h));
      assert.equal(sha(r.bytes), sha(wasm));
      assert.equal(r.path, path.join(h.storeRoot, 'http', host, 'moved.wasm'));
      await rejectsWith(
        resolvePolicy(`http://${host}/missing.wasm`, fetchOpts(h)),
        'not-found',
        /not found \(HTTP 404\)/,
      );
    } finally {
      server.close();
    }
  });

  it('connection refused and timeouts are named', async () => {
    const h = testHome();
    const closed = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const port = (s.address() as AddressInfo).port;
        s.close(() => resolve(port));
      });
    });
    await rejectsWith(
      resolvePolicy(`registry://127.0.0.1:${closed}/a/b:v1`, fetchOpts(h)),
      'connection',
      new RegExp(`cannot reach 127\\.0\\.0\\.1:${closed}: connection refused`),
    );
    h.writeSources({ insecure_sources: [`127.0.0.1:${closed}`] });
    await rejectsWith(
      resolvePolicy(`registry://127.0.0.1:${closed}/a/b:v1`, fetchOpts(h)),
      'connection',
      /cannot reach 127\.0\.0\.1:\d+ \(an insecure source\): HTTPS: connection refused; HTTPS without certificate verification: connection refused; plain HTTP: connection refused/,
    );
    const sockets: net.Socket[] = [];
    const silent = net.createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    try {
      const port = (silent.address() as AddressInfo).port;
      await rejectsWith(
        resolvePolicy(`registry://127.0.0.1:${port}/a/b:v1`, { ...fetchOpts(h), timeoutMs: 300 }),
        'timeout',
        /cannot reach 127\.0\.0\.1:\d+: no answer within 0\.3s/,
      );
    } finally {
      for (const s of sockets) s.destroy();
      silent.close();
    }
  });

  it('goes through HTTP_PROXY unless NO_PROXY names the registry', async () => {
    const seen: string[] = [];
    const proxy = http.createServer((req, res) => {
      seen.push(`${req.method} ${req.url}`);
      const target = new URL(req.url!);
      const up = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: target.pathname + target.search,
          method: req.method,
          headers: req.headers,
        },
        (r) => {
          res.writeHead(r.statusCode ?? 502, r.headers);
          r.pipe(res);
        },
      );
      req.pipe(up);
    });
    await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
    try {
      const h = testHome();
      h.writeSources({ insecure_sources: [reg.host] });
      const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
      const env = { ...h.env, HTTP_PROXY: proxyUrl, NO_PROXY: 'example.invalid' };
      const r = await resolvePolicy(refs[2], { env, timeoutMs: 10_000 });
      assert.equal(sha(r.bytes), sha(readFileSync(plugin('image-tag'))));
      assert.ok(
        seen.some((s) => s.startsWith(`GET http://${reg.host}/v2/kubewarden/policies/image-tag/manifests/v1.0.0`)),
        seen.join('\n'),
      );
      seen.length = 0;
      await resolvePolicy(refs[2], { env: { ...env, NO_PROXY: '127.0.0.1' }, timeoutMs: 10_000, pull: 'always' });
      assert.deepEqual(seen, []);
    } finally {
      proxy.close();
    }
  });
});
