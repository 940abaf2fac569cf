import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { resolvePolicy } from '../../../lib/store/fetch';
import { pushPolicy } from '../../../lib/store/push';
import { fetchOpts, testHome, type TestHome } from '../../servers/registry/env';
import { rejectsWith } from '../../servers/registry/fetch-error';
import { makeTokenSigner } from '../../servers/registry/pki';
import { registryAvailable, startRegistry, type TestRegistry } from '../../servers/registry/registry';
import { startTokenServer, type TokenServer } from '../../servers/registry/token-server';
import { ROOT, runCli } from '../../support/cli';

const WASM = readFileSync(path.join(ROOT, 'dist/plugins/pss-privileged.wasm'));
const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const basic = (u: string, p: string) => Buffer.from(`${u}:${p}`).toString('base64');

/** Whatever the CLI printed must not contain a secret, in clear or encoded. */
function assertNoSecrets(output: string, secrets: string[]): void {
  for (const s of secrets) {
    assert.ok(!output.includes(s), `output contains a secret (${s.slice(0, 3)}...)`);
    assert.ok(!output.includes(Buffer.from(s).toString('base64')), 'output contains a base64-encoded secret');
  }
  assert.doesNotMatch(output, /Authorization|Bearer [\w.-]{8,}|eyJ[\w-]{10,}/);
}

describe('store: registries that need credentials', function () {
  before(function () {
    if (!registryAvailable())
      throw new Error(
        'these tests need the Debian docker-registry package: apt-get install -y docker-registry apache2-utils',
      );
  });

  describe('htpasswd Basic auth', () => {
    let reg: TestRegistry;
    const PASSWORD = 'S3cret-Pa55word';
    before(async () => {
      reg = await startRegistry({ htpasswd: { alice: PASSWORD } });
    });
    after(async () => reg?.stop());

    const home = (): TestHome => {
      const h = testHome();
      h.writeSources({ insecure_sources: [reg.host] });
      return h;
    };

    it('anonymous access is "unauthorized", naming the realm and where credentials are read', async () => {
      const h = home();
      await rejectsWith(
        resolvePolicy(`registry://${reg.host}/p/x:v1`, fetchOpts(h)),
        'unauthorized',
        new RegExp(
          `unauthorized \\(realm "test-basic-realm"\\): UNAUTHORIZED: authentication required\\. No credentials for 127\\.0\\.0\\.1:\\d+ were found in ${h.dockerConfigDir.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/config\\.json: run \`docker login 127\\.0\\.0\\.1:\\d+\``,
        ),
      );
    });

    it('uses auths from the docker config for push and pull, and says when they are rejected', async () => {
      const h = home();
      h.writeDockerConfig({ auths: { [reg.host]: { auth: basic('alice', PASSWORD) } } });
      const pushed = await pushPolicy(WASM, `registry://${reg.host}/p/x:v1`, fetchOpts(h));
      assert.match(pushed.pinned, /@sha256:[0-9a-f]{64}$/);
      assert.equal(sha((await resolvePolicy(`registry://${reg.host}/p/x:v1`, fetchOpts(h))).bytes), sha(WASM));
      h.writeDockerConfig({ auths: { [`https://${reg.host}`]: { auth: basic('alice', 'wrong') } } });
      await rejectsWith(
        resolvePolicy(`registry://${reg.host}/p/x:v1`, { ...fetchOpts(h), pull: 'always' }),
        'unauthorized',
        /unauthorized \(realm "test-basic-realm"\).*The credentials for 127\.0\.0\.1:\d+ from .*config\.json \(auths\) were rejected/,
      );
    });

    it('asks a docker-credential helper (credsStore)', async () => {
      const h = home();
      const log = path.join(h.dir, 'asked');
      h.writeCredentialHelper(
        'teststore',
        `#!/bin/sh\nread -r server || true\necho "$server" > ${log}\nprintf '{"ServerURL":"%s","Username":"alice","Secret":"${PASSWORD}"}' "$server"\n`,
      );
      h.writeDockerConfig({ credsStore: 'teststore', auths: { [reg.host]: {} } });
      assert.equal(
        sha((await resolvePolicy(`registry://${reg.host}/p/x:v1`, { ...fetchOpts(h), pull: 'always' })).bytes),
        sha(WASM),
      );
      assert.equal(readFileSync(log, 'utf8').trim(), reg.host);
    });

    it('never prints credentials, even at -vv and on failure (--docker-config elsewhere)', async () => {
      const h = home();
      const elsewhere = path.join(h.dir, 'ci-docker');
      const { mkdirSync, writeFileSync } = await import('node:fs');
      mkdirSync(elsewhere);
      writeFileSync(
        path.join(elsewhere, 'config.json'),
        JSON.stringify({ auths: { [reg.host]: { auth: basic('alice', PASSWORD) } } }),
      );
      const ok = await runCli(
        [
          '-vv',
          'check',
          '-f',
          'manifests/examples',
          '-p',
          `registry://${reg.host}/p/x:v1`,
          '--docker-config',
          elsewhere,
        ],
        { env: h.env },
      );
      assert.equal(ok.code, 1, ok.stderr);
      assert.match(ok.stderr, /Basic authentication with credentials from .*ci-docker\/config\.json \(auths\)/);
      assertNoSecrets(ok.stdout + ok.stderr, [PASSWORD, `alice:${PASSWORD}`]);
      writeFileSync(
        path.join(elsewhere, 'config.json'),
        JSON.stringify({ auths: { [reg.host]: { auth: basic('alice', 'Wr0ng-Pa55word') } } }),
      );
      const bad = await runCli(['-vv', 'pull', `registry://${reg.host}/p/x:v1`, '--docker-config', elsewhere], {
        env: h.env,
      });
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /unauthorized \(realm "test-basic-realm"\)/);
      assertNoSecrets(bad.stdout + bad.stderr, ['Wr0ng-Pa55word']);
    });
  });

  describe('token auth (Bearer challenge, distribution `auth: token` with a test token service)', () => {
    let reg: TestRegistry;
    let ts: TokenServer;
    const PASSWORD = 'T0ken-Pa55word';
    before(async () => {
      const signerHome = testHome('wasmpolicy-token-');
      const signer = makeTokenSigner(signerHome.dir);
      ts = await startTokenServer({
        certPem: signer.certPem,
        keyPem: signer.keyPem,
        users: { bob: PASSWORD },
        refreshTokens: { 'refresh-for-bob': 'bob' },
      });
      reg = await startRegistry({
        token: { realm: ts.realm, service: ts.service, issuer: ts.issuer, rootCertBundle: signer.cert },
      });
    });
    after(async () => {
      await reg?.stop();
      await ts?.stop();
    });

    const home = (docker?: unknown): TestHome => {
      const h = testHome();
      h.writeSources({ insecure_sources: [reg.host] });
      if (docker) h.writeDockerConfig(docker);
      return h;
    };

    it('anonymous tokens do not open a private repository: "unauthorized" with the token realm', async () => {
      await rejectsWith(
        pushPolicy(WASM, `registry://${reg.host}/team/p:v1`, fetchOpts(home())),
        'unauthorized',
        new RegExp(
          `unauthorized \\(realm "${ts.realm.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}", service "${ts.service}"\\)`,
        ),
      );
    });

    it('gets a token with the docker config credentials, for push (pull,push) and pull', async () => {
      ts.requests.length = 0;
      const h = home({ auths: { [reg.host]: { auth: basic('bob', PASSWORD) } } });
      const pushed = await pushPolicy(WASM, `registry://${reg.host}/team/p:v1`, fetchOpts(h));
      const pulled = await resolvePolicy(`registry://${reg.host}/team/p:v1`, fetchOpts(h));
      assert.equal(sha(pulled.bytes), sha(WASM));
      assert.equal(pulled.manifestDigest, pushed.manifestDigest);
      assert.ok(
        ts.requests.some((r) => r.user === 'bob' && r.scopes.includes('repository:team/p:pull,push')),
        JSON.stringify(ts.requests),
      );
      assert.ok(ts.requests.some((r) => r.user === 'bob' && r.scopes.includes('repository:team/p:pull')));
    });

    it('exchanges an identity token (OAuth2 refresh_token grant)', async () => {
      ts.requests.length = 0;
      const h = home({ auths: { [reg.host]: { identitytoken: 'refresh-for-bob' } } });
      assert.equal(sha((await resolvePolicy(`registry://${reg.host}/team/p:v1`, fetchOpts(h))).bytes), sha(WASM));
      assert.deepEqual(
        ts.requests.map((r) => [r.method, r.grant, r.user]),
        [['POST', 'refresh_token', 'bob']],
      );
    });

    it('does not send credentials in clear to a token service on another host, unless that host is an insecure source', async () => {
      // The same token service, named "localhost" by a second registry: another host as far as the client can tell.
      const signerHome = testHome('wasmpolicy-token-');
      const signer = makeTokenSigner(signerHome.dir);
      const ts2 = await startTokenServer({ certPem: signer.certPem, keyPem: signer.keyPem, users: { bob: PASSWORD } });
      const realm = ts2.realm.replace('127.0.0.1', 'localhost');
      const reg2 = await startRegistry({
        token: { realm, service: ts2.service, issuer: ts2.issuer, rootCertBundle: signer.cert },
      });
      try {
        const h = testHome();
        h.writeSources({ insecure_sources: [reg2.host] });
        h.writeDockerConfig({ auths: { [reg2.host]: { auth: basic('bob', PASSWORD) } } });
        const r = await runCli(['pull', `${reg2.host}/team/p:v1`], { env: h.env });
        assert.equal(r.code, 2);
        assert.match(
          r.stderr,
          /the registry asks for the credentials from .*config\.json \(auths\) to be sent over plain HTTP to another host \(token service http:\/\/localhost:\d+\/token\): not sent\. If that host is trusted, add "localhost:\d+" to insecure_sources/,
        );
        assert.equal(ts2.requests.length, 0, 'nothing reached the token service');
        h.writeSources({ insecure_sources: [reg2.host, new URL(realm).host] });
        await pushPolicy(WASM, `registry://${reg2.host}/team/p:v1`, fetchOpts(h));
        assert.ok(
          ts2.requests.some((q) => q.user === 'bob'),
          JSON.stringify(ts2.requests),
        );
      } finally {
        await reg2.stop();
        await ts2.stop();
      }
    });

    it('reports credentials the token service refuses, without printing them (CLI, -vv)', async () => {
      const h = home({ auths: { [reg.host]: { auth: basic('bob', 'N0t-The-Pa55word') } } });
      const r = await runCli(['-vv', 'pull', `${reg.host}/team/p:v1`], { env: h.env });
      assert.equal(r.code, 2);
      assert.match(
        r.stderr,
        /unauthorized \(realm "http:\/\/127\.0\.0\.1:\d+\/token", service "wasmpolicy-test-registry"\): the token service refused the credentials for 127\.0\.0\.1:\d+ from .*config\.json \(auths\)/,
      );
      assertNoSecrets(r.stdout + r.stderr, ['N0t-The-Pa55word']);
      const ok = await runCli(['-vv', 'pull', `${reg.host}/team/p:v1`], {
        env: home({ auths: { [reg.host]: { auth: basic('bob', PASSWORD) } } }).env,
      });
      assert.equal(ok.code, 0, ok.stderr);
      assertNoSecrets(ok.stdout + ok.stderr, [PASSWORD]);
    });
  });
});
