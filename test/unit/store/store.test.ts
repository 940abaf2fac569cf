import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { silentLogger } from '../../../lib/base/log';
import { importArchive } from '../../../lib/store/archive';
import { Credentials } from '../../../lib/store/credentials';
import { PolicyFetchError } from '../../../lib/store/errors';
import { proxyFor, redactUrl } from '../../../lib/net/http';
import { defaultSourcesPath, defaultStoreRoot, dockerConfigPath } from '../../../lib/store/locations';
import {
  buildPolicyArtifact,
  manifestAnnotations,
  MEDIA_TYPE,
  readModuleMetadata,
  sha256Digest,
} from '../../../lib/store/oci';
import { formatRegistryRef, parseRegistryRef, parseSourceRef } from '../../../lib/store/ref';
import { parseChallenge } from '../../../lib/store/registry';
import { readSources } from '../../../lib/store/sources';
import { Store } from '../../../lib/store/store';
import { readTar, writeTar } from '../../../lib/base/tar';
import { testHome } from '../../servers/registry/env';
import { makePki } from '../../servers/registry/pki';
import { ROOT } from '../../support/cli';

const PSS = path.join(ROOT, 'dist/plugins/pss-privileged.wasm');

describe('store: references, layout and configuration', () => {
  describe('references', () => {
    const cases: [string, string][] = [
      ['registry://ghcr.io/kubewarden/policies/psa:v1.2.0', 'registry://ghcr.io/kubewarden/policies/psa:v1.2.0'],
      ['ghcr.io/kubewarden/policies/psa:v1.2.0', 'registry://ghcr.io/kubewarden/policies/psa:v1.2.0'],
      [
        'containers.local.lan/kubewarden/psp-apparmor',
        'registry://containers.local.lan/kubewarden/psp-apparmor:latest',
      ],
      ['localhost:5000/psp-apparmor', 'registry://localhost:5000/psp-apparmor:latest'],
      ['busybox', 'registry://docker.io/library/busybox:latest'],
      ['registry://busybox', 'registry://docker.io/library/busybox:latest'],
      ['opensuse/leap:15.3', 'registry://docker.io/opensuse/leap:15.3'],
      ['index.docker.io/library/nginx:1', 'registry://docker.io/library/nginx:1'],
      [`ghcr.io/o/p@sha256:${'a'.repeat(64)}`, `registry://ghcr.io/o/p@sha256:${'a'.repeat(64)}`],
      [`127.0.0.1:5000/o/p:v1@sha256:${'b'.repeat(64)}`, `registry://127.0.0.1:5000/o/p:v1@sha256:${'b'.repeat(64)}`],
    ];
    for (const [input, want] of cases) {
      it(`normalises ${input}`, () => assert.equal(formatRegistryRef(parseRegistryRef(input)), want));
    }

    it('knows implicit latest, tags and digests apart', () => {
      assert.deepEqual(parseRegistryRef('localhost:5000/a/b'), {
        registry: 'localhost:5000',
        repository: 'a/b',
        tag: 'latest',
        implicitTag: true,
      });
      const d = parseRegistryRef(`r.io/a@sha256:${'c'.repeat(64)}`);
      assert.equal(d.tag, undefined);
      assert.equal(d.digest, `sha256:${'c'.repeat(64)}`);
    });

    it('rejects malformed references with a reason', () => {
      for (const [bad, why] of [
        ['ghcr.io/Org/p:v1', /lowercase/],
        ['ghcr.io/o/p@sha256:abc', /bad digest/],
        ['ghcr.io/o/p:bad tag', /bad tag/],
        ['ghcr.io/', /no repository/],
      ] as const) {
        assert.throws(
          () => parseRegistryRef(bad),
          (e: unknown) => e instanceof PolicyFetchError && e.kind === 'invalid-ref' && why.test(e.message),
          bad,
        );
      }
    });

    it('classifies sources: paths, file://, builtin://, URLs and bare registry refs', () => {
      assert.equal(parseSourceRef('./p.wasm').kind, 'file');
      assert.equal(parseSourceRef('/abs/p').kind, 'file');
      assert.equal(parseSourceRef('policy.wasm').kind, 'file');
      assert.equal(parseSourceRef(PSS).kind, 'file');
      assert.equal(parseSourceRef('file:///tmp/p.wasm').kind, 'file');
      assert.equal(parseSourceRef('builtin://image-tag').kind, 'bundled');
      assert.equal(parseSourceRef('https://example.com/p.wasm').kind, 'url');
      assert.equal(parseSourceRef('http://example.com/p.wasm').kind, 'url');
      const r = parseSourceRef('ghcr.io/kubewarden/policies/psa:v1');
      assert.equal(r.kind, 'registry');
      assert.equal(r.uri, 'registry://ghcr.io/kubewarden/policies/psa:v1');
      assert.throws(() => parseSourceRef('s3://bucket/p.wasm'), /s3:\/\/ sources are not supported/);
    });
  });

  describe("kwctl's locations and store layout", () => {
    it('Linux, macOS and Windows roots', () => {
      assert.equal(
        defaultStoreRoot({ platform: 'linux', env: {}, home: '/home/u' }),
        '/home/u/.cache/kubewarden/store',
      );
      assert.equal(
        defaultStoreRoot({ platform: 'linux', env: { XDG_CACHE_HOME: '/c' }, home: '/home/u' }),
        '/c/kubewarden/store',
      );
      assert.equal(
        defaultStoreRoot({ platform: 'linux', env: { XDG_CACHE_HOME: 'relative' }, home: '/home/u' }),
        '/home/u/.cache/kubewarden/store',
      );
      assert.equal(
        defaultStoreRoot({ platform: 'darwin', env: {}, home: '/Users/u' }),
        '/Users/u/Library/Caches/io.kubewarden.kubewarden/store',
      );
      assert.equal(
        defaultStoreRoot({
          platform: 'win32',
          env: { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' },
          home: 'C:\\Users\\u',
        }),
        'C:\\Users\\u\\AppData\\Local\\kubewarden\\cache\\store',
      );
      assert.equal(
        defaultSourcesPath({ platform: 'linux', env: {}, home: '/home/u' }),
        '/home/u/.config/kubewarden/sources.yaml',
      );
      assert.equal(
        defaultSourcesPath({ platform: 'darwin', env: {}, home: '/Users/u' }),
        '/Users/u/Library/Application Support/io.kubewarden.kubewarden/sources.yaml',
      );
      assert.equal(
        defaultSourcesPath({
          platform: 'win32',
          env: { APPDATA: 'C:\\Users\\u\\AppData\\Roaming' },
          home: 'C:\\Users\\u',
        }),
        'C:\\Users\\u\\AppData\\Roaming\\kubewarden\\config\\sources.yaml',
      );
      assert.equal(dockerConfigPath({ platform: 'linux', env: { DOCKER_CONFIG: '/d' }, home: '/h' }), '/d/config.json');
      assert.equal(dockerConfigPath({ platform: 'linux', env: {}, home: '/h' }), '/h/.docker/config.json');
    });

    it('paths as kwctl writes them (base64url components on Windows)', () => {
      const s = new Store('/root/store', 'linux');
      assert.equal(
        s.pathFor('registry://ghcr.io/kubewarden/policies/pod-privileged:v0.2.2'),
        '/root/store/registry/ghcr.io/kubewarden/policies/pod-privileged:v0.2.2',
      );
      // policy-fetcher names the file after the URL as written: no implied `:latest` on it.
      assert.equal(s.pathFor('registry://localhost:5000/psp'), '/root/store/registry/localhost:5000/psp');
      assert.equal(
        s.pathFor('https://github.com/o/r/releases/download/v1/policy.wasm'),
        '/root/store/https/github.com/o/r/releases/download/v1/policy.wasm',
      );
      assert.equal(
        s.pathFor('http://host.example.com:1234/path/to/policy.wasm'),
        '/root/store/http/host.example.com:1234/path/to/policy.wasm',
      );
      const w = new Store('C:\\store', 'win32');
      const b = (x: string) => Buffer.from(x).toString('base64url');
      assert.equal(
        w.pathFor('registry://example.com:1234/some/path/to/policy:tag'),
        ['C:\\store', 'registry', b('example.com:1234'), b('some'), b('path'), b('to'), b('policy:tag')].join('\\'),
      );
    });
  });

  // crates/policy-fetcher src/store/mod.rs `policy_path` / `policy_prefix`: <scheme>/<host as written>/<path>, from
  // the URL the reference is (registry:// prepended), while pulling resolves Docker Hub names.
  describe('Docker Hub names in the store as policy-fetcher keeps them', () => {
    it('registry://kubewarden/x:v1 is stored under registry/kubewarden, index.docker.io is kept; both pull from Docker Hub', () => {
      const s = new Store('/root/store', 'linux');
      const short = parseSourceRef('registry://kubewarden/x:v1');
      assert.ok(short.kind === 'registry');
      assert.equal(short.uri, 'registry://docker.io/kubewarden/x:v1', 'pulled from Docker Hub');
      assert.equal(short.storeUri, 'registry://kubewarden/x:v1');
      assert.equal(s.pathFor(short.storeUri), '/root/store/registry/kubewarden/x:v1');
      const bare = parseSourceRef('kubewarden/x:v1');
      assert.ok(bare.kind === 'registry');
      assert.equal(
        s.pathFor(bare.storeUri),
        '/root/store/registry/kubewarden/x:v1',
        'registry:// is prepended, as policy-fetcher does',
      );
      const index = parseSourceRef('index.docker.io/org/x:v1');
      assert.ok(index.kind === 'registry');
      assert.equal(index.ref.registry, 'docker.io');
      assert.equal(s.pathFor(index.storeUri), '/root/store/registry/index.docker.io/org/x:v1');
      const ghcr = parseSourceRef('registry://ghcr.io/org/p:v1');
      assert.ok(ghcr.kind === 'registry');
      assert.equal(s.pathFor(ghcr.storeUri), '/root/store/registry/ghcr.io/org/p:v1', 'unchanged for other registries');
      const noSlash = parseSourceRef('busybox');
      assert.ok(noSlash.kind === 'registry');
      assert.equal(
        s.pathFor(noSlash.storeUri),
        '/root/store/registry/docker.io/library/busybox:latest',
        'not a URL policy-fetcher reads: normalised',
      );
    });

    it('a store written by an earlier release (normalised Docker Hub path) still serves the reference offline; new pulls go to the written path', async () => {
      const home = testHome();
      const store = new Store(path.join(home.dir, 'store'));
      const wasm = readFileSync(PSS);
      await store.write('registry://docker.io/kubewarden/x:v1', wasm);
      const { resolvePolicy } = await import('../../../lib/store/fetch');
      const r = await resolvePolicy('registry://kubewarden/x:v1', {
        storeRoot: store.root,
        pull: 'never',
        log: silentLogger,
      });
      assert.equal(r.fromCache, true);
      assert.equal(r.path, path.join(store.root, 'registry/docker.io/kubewarden/x:v1'));
      await assert.rejects(
        resolvePolicy('registry://kubewarden/y:v1', { storeRoot: store.root, pull: 'never', log: silentLogger }),
        (err: Error) => err.message.includes(path.join(store.root, 'registry/kubewarden/y:v1')),
      );
    });
  });

  describe('sources.yaml', () => {
    let home: ReturnType<typeof testHome>;
    let pki: ReturnType<typeof makePki>;
    before(() => {
      home = testHome();
      pki = makePki(home.dir);
    });

    it('reads insecure_sources and PEM/DER/Data authorities, YAML or JSON', async () => {
      const pem = readFileSync(pki.caPem, 'utf8');
      home.writeSources(
        `insecure_sources: ["a.local:5000"]\nsource_authorities:\n  "b.local:5443":\n    - type: Path\n      path: ${pki.caPem}\n    - type: Path\n      path: ${pki.caDer}\n    - type: Data\n      data: |\n${pem
          .trim()
          .split('\n')
          .map((l) => '        ' + l)
          .join('\n')}\n`,
      );
      const s = await readSources(home.sourcesPath, true);
      assert.deepEqual([...s.insecure], ['a.local:5000']);
      const cas = s.authorities.get('b.local:5443')!;
      assert.equal(cas.length, 3);
      assert.ok(
        cas.every((c) => c === cas[0] && c.startsWith('-----BEGIN CERTIFICATE-----')),
        'DER and PEM give the same certificate',
      );
      home.writeSources({ insecure_sources: ['x:1'] });
      assert.ok((await readSources(home.sourcesPath, true)).insecure.has('x:1'));
    });

    it('is optional at the default location, required when named, and explains bad content', async () => {
      assert.equal((await readSources(path.join(home.dir, 'none.yaml'), false)).insecure.size, 0);
      await assert.rejects(
        readSources(path.join(home.dir, 'none.yaml'), true),
        /none\.yaml: cannot read: no such file/,
      );
      const bad = path.join(home.dir, 'bad.yaml');
      writeFileSync(bad, 'source_authorities:\n  h: [{type: Data, data: "not a certificate"}]\n');
      await assert.rejects(
        readSources(bad, true),
        /source_authorities\.h\[0\]: certificate is not in PEM nor in DER encoding/,
      );
      writeFileSync(bad, 'insecure_sources: localhost\n');
      await assert.rejects(readSources(bad, true), /insecure_sources must be a list/);
    });
  });

  describe('docker credentials', () => {
    it('auths (base64 user:password, Docker Hub aliases), credHelpers before credsStore, helpers get the server', async () => {
      const home = testHome();
      const seen = path.join(home.dir, 'helper-input');
      home.writeCredentialHelper(
        'fake',
        `#!/bin/sh\ninput=$(cat)\nprintf '%s\\n' "$input" >> ${seen}\ncase "$input" in\n  helped.io) echo '{"ServerURL":"helped.io","Username":"hu","Secret":"hs"}' ;;\n  tok.io) echo '{"ServerURL":"tok.io","Username":"<token>","Secret":"refresh"}' ;;\n  *) echo "credentials not found in native keychain"; exit 1 ;;\nesac\n`,
      );
      home.writeDockerConfig({
        auths: {
          'https://index.docker.io/v1/': { auth: Buffer.from('hub:pw').toString('base64') },
          'plain.io:5000': { auth: Buffer.from('u:p:with:colons').toString('base64') },
          'helped.io': {},
        },
        credHelpers: { 'helped.io': 'fake', 'tok.io': 'fake', 'missing.io': 'nosuchhelper' },
      });
      const c = new Credentials({
        configPath: path.join(home.dockerConfigDir, 'config.json'),
        env: home.env,
        log: silentLogger,
      });
      assert.deepEqual(await c.get('docker.io'), {
        kind: 'basic',
        username: 'hub',
        password: 'pw',
        source: `${home.dockerConfigDir}/config.json (auths)`,
      });
      assert.equal(((await c.get('plain.io:5000')) as { password: string }).password, 'p:with:colons');
      assert.deepEqual(await c.get('helped.io'), {
        kind: 'basic',
        username: 'hu',
        password: 'hs',
        source: 'credential helper docker-credential-fake',
      });
      assert.deepEqual(await c.get('tok.io'), {
        kind: 'identity-token',
        token: 'refresh',
        source: 'credential helper docker-credential-fake',
      });
      assert.equal(await c.get('missing.io'), undefined, 'a missing helper falls back to anonymous');
      assert.equal(await c.get('other.io'), undefined);
      assert.deepEqual(readFileSync(seen, 'utf8').trim().split('\n').sort(), ['helped.io', 'tok.io']);
      // credsStore serves every host without a credHelpers entry.
      home.writeDockerConfig({ credsStore: 'fake', auths: { 'helped.io': {} } });
      const c2 = new Credentials({
        configPath: path.join(home.dockerConfigDir, 'config.json'),
        env: home.env,
        log: silentLogger,
      });
      assert.equal(((await c2.get('helped.io')) as { username: string }).username, 'hu');
    });
  });

  describe('protocol details', () => {
    it('parses WWW-Authenticate challenges', () => {
      assert.deepEqual(
        parseChallenge(
          'Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/busybox:pull"',
        ),
        {
          scheme: 'bearer',
          params: {
            realm: 'https://auth.docker.io/token',
            service: 'registry.docker.io',
            scope: 'repository:library/busybox:pull',
          },
        },
      );
      assert.deepEqual(parseChallenge('Basic realm="basic-realm"'), {
        scheme: 'basic',
        params: { realm: 'basic-realm' },
      });
    });

    it('picks proxies from the environment and honours NO_PROXY', () => {
      const env = {
        HTTPS_PROXY: 'http://user:secret@proxy:3128',
        HTTP_PROXY: 'proxy2:8080',
        NO_PROXY: 'internal.example.com,.corp,10.0.0.0/8,localhost:5000',
      };
      assert.equal(proxyFor(new URL('https://ghcr.io/v2/'), env)?.host, 'proxy:3128');
      assert.equal(proxyFor(new URL('http://ghcr.io/v2/'), env)?.host, 'proxy2:8080');
      for (const u of [
        'https://internal.example.com/',
        'https://a.internal.example.com/',
        'https://x.corp/',
        'https://10.1.2.3/',
        'http://localhost:5000/',
      ]) {
        assert.equal(proxyFor(new URL(u), env), undefined, u);
      }
      assert.ok(proxyFor(new URL('http://localhost:5001/'), env));
      assert.equal(proxyFor(new URL('https://ghcr.io/'), { ...env, NO_PROXY: '*' }), undefined);
      assert.equal(redactUrl('http://user:secret@proxy:3128/?token=x'), 'http://proxy:3128/');
    });

    it('builds the artifact kwctl pushes: {} config, one wasm layer, single-line annotations', () => {
      const wasm = readFileSync(PSS);
      const md = readModuleMetadata(wasm)!;
      const a = buildPolicyArtifact(wasm, md);
      assert.equal(a.parsed.mediaType, MEDIA_TYPE.ociManifest);
      assert.deepEqual(a.parsed.config, {
        mediaType: 'application/vnd.wasm.config.v1+json',
        digest: sha256Digest('{}'),
        size: 2,
      });
      assert.deepEqual(a.parsed.layers, [
        { mediaType: 'application/vnd.wasm.content.layer.v1+wasm', digest: sha256Digest(wasm), size: wasm.length },
      ]);
      const ann = a.parsed.annotations!;
      assert.equal(ann['io.kubewarden.policy.title'], 'pss-privileged');
      assert.equal(ann['org.opencontainers.image.source'], md.annotations['io.kubewarden.policy.source']);
      assert.equal(ann['io.kubewarden.policy.usage'], undefined, 'multi-line annotations stay out of the manifest');
      assert.equal(a.manifestDigest, sha256Digest(a.manifest));
      assert.deepEqual(manifestAnnotations({ ...md, annotations: { a: '  x  ', b: 'l1\nl2' } }), { a: 'x' });
    });
  });

  describe('archives', () => {
    it('tar round trip, with names longer than ustar allows', () => {
      const long = `registry/${'h'.repeat(60)}:5000/${'a/'.repeat(80)}policy:v1`;
      const entries = [
        { name: 'index.json', data: Buffer.from('{}') },
        { name: long, data: Buffer.from('\0asm\x01\0\0\0') },
        { name: 'registry/h/p:v1', data: Buffer.alloc(1025, 7) },
      ];
      const back = readTar(writeTar(entries));
      assert.deepEqual(
        back.map((e) => [e.name, Buffer.from(e.data).toString('hex')]),
        entries.map((e) => [e.name, Buffer.from(e.data).toString('hex')]),
      );
      const tar = writeTar(entries);
      tar[5] ^= 0xff;
      assert.throws(() => readTar(tar), /checksum|truncated/);
    });

    it('load refuses entries outside the store layout and files that are not wasm, writing nothing', async () => {
      const home = testHome();
      const opts = { env: home.env };
      const wasm = readFileSync(PSS);
      await assert.rejects(
        importArchive(gzipSync(writeTar([{ name: '../evil', data: wasm }])), opts),
        /unexpected entry/,
      );
      await assert.rejects(
        importArchive(gzipSync(writeTar([{ name: 'registry/h:1/../../x:v1', data: wasm }])), opts),
        /unexpected entry/,
      );
      await assert.rejects(
        importArchive(
          gzipSync(
            writeTar([
              { name: 'registry/h:1/ok:v1', data: wasm },
              { name: 'registry/h:1/bad:v1', data: Buffer.from('nope') },
            ]),
          ),
          opts,
        ),
        /bad:v1 is not a WebAssembly module/,
      );
      assert.deepEqual(await new Store(home.storeRoot).list(), []);
      const loaded = await importArchive(writeTar([{ name: 'registry/h:1/ok:v1', data: wasm }]), opts);
      assert.deepEqual(
        loaded.map((l) => l.uri),
        ['registry://h:1/ok:v1'],
      );
      assert.equal(loaded[0].path, path.join(home.storeRoot, 'registry/h:1/ok:v1'));
    });
  });
});
