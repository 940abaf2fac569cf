// Sigstore verification of policies (docs/verification.md), against a real registry (Debian docker-registry) with
// signatures written as cosign writes them, a test certificate authority and a test transparency-log key made in
// the test (test/support/sigstore.ts). Semantics follow Kubewarden's policy-fetcher (src/verify/config.rs,
// src/verify/mod.rs, src/verify/verification_constraints.rs) and kwctl (src/config/verification.rs).

import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { OCI_CACHE_MS, OciCapability } from '../../lib/capabilities/oci';
import { storeContext } from '../../lib/store/fetch';
import { pushPolicy } from '../../lib/store/push';
import { parseRegistryRef, type RegistryRef } from '../../lib/store/ref';
import type { RegistryClient } from '../../lib/store/registry';
import { DEFAULT_VERIFICATION_CONFIG, parseVerificationConfig } from '../../lib/verification/config';
import { fetchOpts, testHome, type TestHome } from '../servers/registry/env';
import { registryAvailable, startRegistry, type TestRegistry } from '../servers/registry/registry';
import { buildGuestFixtures } from '../fixtures/guests/build.mjs';
import { fixture, ROOT, runCli } from '../support/cli';
import { startApiServer } from '../servers/apiserver/index';
import { kubewardenCrds } from '../servers/apiserver/crds';
import {
  attachBundleReferrer,
  attachCosignSignatures,
  GITHUB_ISSUER,
  keyPair,
  makeCa,
  makeRekor,
  trustedRootJson,
  type KeyPair,
  type TestCa,
  type TestRekor,
} from '../support/sigstore';

const plugin = (name: string) => path.join(ROOT, 'dist/plugins', `${name}.wasm`);

describe('verification against a registry (cosign signatures, Sigstore bundles)', function () {
  this.timeout(120_000);
  let reg: TestRegistry;
  let home: TestHome;
  let dir: string;
  let client: RegistryClient;
  let keyA: KeyPair;
  let keyB: KeyPair;
  let ca: TestCa;
  let otherCa: TestCa;
  let rekor: TestRekor;
  let rootFile: string;
  let otherRootFile: string;
  const now = () => Math.floor(Date.now() / 1000);
  const digests: Record<string, string> = {};

  /** Pushes a bundled policy under repo:v1 and returns its reference and manifest digest. */
  async function publish(
    repo: string,
    policy = 'pss-privileged',
  ): Promise<{ ref: RegistryRef; uri: string; digest: string }> {
    const uri = `registry://${reg.host}/signed/${repo}:v1`;
    const r = await pushPolicy(readFileSync(plugin(policy)), uri, fetchOpts(home));
    digests[repo] = r.manifestDigest;
    return { ref: parseRegistryRef(uri), uri, digest: r.manifestDigest };
  }

  const verify = (uri: string, ...flags: string[]) => runCli(['verify', uri, ...flags], { env: home.env });

  before(async function () {
    if (!registryAvailable())
      throw new Error(
        'these tests need the Debian docker-registry package: apt-get install -y docker-registry apache2-utils',
      );
    reg = await startRegistry();
    home = testHome();
    home.writeSources({ insecure_sources: [reg.host] });
    dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-sigstore-'));
    client = await storeContext(fetchOpts(home)).client();
    keyA = keyPair(dir, 'a');
    keyB = keyPair(dir, 'b');
    ca = makeCa(path.join(dir, 'ca'), 'test-fulcio');
    otherCa = makeCa(path.join(dir, 'other-ca'), 'other-fulcio');
    rekor = makeRekor();
    rootFile = path.join(dir, 'trusted_root.json');
    writeFileSync(rootFile, JSON.stringify(trustedRootJson([ca], rekor)));
    otherRootFile = path.join(dir, 'other_root.json');
    writeFileSync(
      otherRootFile,
      JSON.stringify({
        mediaType: 'application/vnd.dev.sigstore.clienttrustconfig.v0.1+json',
        trustedRoot: trustedRootJson([otherCa], rekor),
      }),
    );
  });
  after(async () => {
    await reg?.stop();
  });

  describe('public keys (kind pubKey, -k)', () => {
    let p: { ref: RegistryRef; uri: string; digest: string };
    before(async () => {
      p = await publish('pubkey');
      await attachCosignSignatures(client, p.ref, p.digest, [
        { key: keyA.privateKey, annotations: { env: 'prod', team: 'platform' } },
      ]);
    });

    it('verifies a policy signed by the key, printing the verified manifest digest', async () => {
      const r = await verify(p.uri, '-k', keyA.publicFile);
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, new RegExp(`manifest: ${p.digest}`));
      assert.match(r.stdout, /1 found, 1 usable; 1 constraint\(s\) satisfied/);
    });

    it('refuses another key with exit 1, naming the reference, the digest and the unsatisfied constraint', async () => {
      const r = await verify(p.uri, '-k', keyB.publicFile);
      assert.equal(r.code, 1, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `policy ${reg.host.replace(/\./g, '\\.')}/signed/pubkey:v1 \\(${p.digest}\\): verification failed: missing signatures`,
        ),
      );
      assert.match(
        r.stderr,
        /The following constraints were not satisfied:\n- kind: pubKey\n {2}key: \|\n {4}-----BEGIN PUBLIC KEY-----/,
      );
    });

    it('requires every key given (allOf)', async () => {
      const r = await verify(p.uri, '-k', keyA.publicFile, '-k', keyB.publicFile);
      assert.equal(r.code, 1);
    });

    it('checks signed annotations (-a) and refuses a missing or different one', async () => {
      assert.equal((await verify(p.uri, '-k', keyA.publicFile, '-a', 'env=prod', '-a', 'team=platform')).code, 0);
      assert.equal((await verify(p.uri, '-k', keyA.publicFile, '-a', 'env=dev')).code, 1);
      assert.equal((await verify(p.uri, '-k', keyA.publicFile, '-a', 'owner=me')).code, 1);
    });

    it('refuses annotations without a key or identity, as kwctl does (exit 2)', async () => {
      const r = await verify(p.uri, '-a', 'env=prod');
      assert.equal(r.code, 2);
      assert.match(r.stderr, /intending to verify annotations, but no verification keys/);
    });

    it('refuses flags together with --verification-config-path (exit 2)', async () => {
      const cfg = path.join(dir, 'cfg-pub.yml');
      writeFileSync(
        cfg,
        `apiVersion: v1\nallOf:\n  - kind: pubKey\n    key: |\n${keyA.publicPem.replace(/^/gm, '      ')}\n`,
      );
      assert.equal((await verify(p.uri, '--verification-config-path', cfg)).code, 0);
      const r = await verify(p.uri, '--verification-config-path', cfg, '-k', keyA.publicFile);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /cannot be used together/);
    });
  });

  it('refuses a tampered payload (the signature was made over another payload)', async () => {
    const p = await publish('tampered');
    await attachCosignSignatures(client, p.ref, p.digest, [{ key: keyA.privateKey, tamper: true }]);
    const r = await verify(p.uri, '-k', keyA.publicFile);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /missing signatures/);
  });

  it('ignores a signature of another digest (copied from another artifact)', async () => {
    const p = await publish('mismatch');
    const other = 'sha256:' + '1'.repeat(64);
    await attachCosignSignatures(client, p.ref, p.digest, [{ key: keyA.privateKey, signedDigest: other }]);
    const r = await verify(p.uri, '-k', keyA.publicFile);
    assert.equal(r.code, 1);
    assert.match(r.stderr, new RegExp(`signs ${other}, not ${p.digest}`));
  });

  it('says when there is no signature at all', async () => {
    const p = await publish('unsigned');
    const r = await verify(p.uri, '-k', keyA.publicFile);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /verification failed: no signatures found/);
  });

  describe('keyless (certificate, chain to the trust root, Rekor entry)', () => {
    const issuer = 'https://accounts.sigstore.test';
    /** verify, asking for alice@example.com's keyless signature under `root`. */
    const asAlice = (uri: string, root = rootFile) =>
      verify(uri, '--cert-email', 'alice@example.com', '--cert-oidc-issuer', issuer, '--sigstore-trust-config', root);
    let ok: { uri: string };
    before(async () => {
      const p = await publish('keyless');
      const leaf = ca.issue({ email: 'alice@example.com', issuer });
      await attachCosignSignatures(client, p.ref, p.digest, [
        { key: leaf.key, leaf, rekor: { log: rekor, integratedTime: now() } },
      ]);
      ok = p;
    });

    it('verifies the identity (--cert-email, --cert-oidc-issuer) against --sigstore-trust-config', async () => {
      const r = await asAlice(ok.uri);
      assert.equal(r.code, 0, r.stderr);
    });

    it('refuses a wrong identity or issuer', async () => {
      assert.equal(
        (
          await verify(
            ok.uri,
            '--cert-email',
            'mallory@example.com',
            '--cert-oidc-issuer',
            issuer,
            '--sigstore-trust-config',
            rootFile,
          )
        ).code,
        1,
      );
      assert.equal(
        (
          await verify(
            ok.uri,
            '--cert-email',
            'alice@example.com',
            '--cert-oidc-issuer',
            'https://other',
            '--sigstore-trust-config',
            rootFile,
          )
        ).code,
        1,
      );
    });

    it('refuses a certificate from a CA the trust root does not know', async () => {
      const r = await asAlice(ok.uri, otherRootFile);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /the certificate is not trusted/);
    });

    it('requires a signed certificate timestamp when the trust root lists CT logs', async () => {
      const withCt = trustedRootJson([ca], rekor) as { ctlogs: unknown[]; tlogs: unknown[] };
      withCt.ctlogs = withCt.tlogs;
      const file = path.join(dir, 'root-with-ct.json');
      writeFileSync(file, JSON.stringify(withCt));
      const r = await asAlice(ok.uri, file);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /expected 1 SCTs, got 0/);
    });

    it('refuses keyless signatures with the public-good root (this test CA is not Sigstore)', async () => {
      assert.equal((await verify(ok.uri, '--cert-email', 'alice@example.com', '--cert-oidc-issuer', issuer)).code, 1);
    });

    it('refuses a certificate that had expired when the signature was logged', async () => {
      const p = await publish('expired');
      const leaf = ca.issue({ email: 'alice@example.com', issuer }, 1);
      await attachCosignSignatures(client, p.ref, p.digest, [
        {
          key: leaf.key,
          leaf,
          rekor: { log: rekor, integratedTime: Math.floor(leaf.notAfter.getTime() / 1000) + 3600 },
        },
      ]);
      const r = await asAlice(p.uri);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /not valid or expired/);
    });

    it('refuses a certificate without a Rekor bundle', async () => {
      const p = await publish('nobundle');
      const leaf = ca.issue({ email: 'alice@example.com', issuer });
      await attachCosignSignatures(client, p.ref, p.digest, [{ key: leaf.key, leaf }]);
      const r = await asAlice(p.uri);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /the Rekor bundle is missing/);
    });

    it('verifies GitHub Actions signatures by owner and repository (kind githubAction)', async () => {
      const p = await publish('github');
      const leaf = ca.issue({
        uri: 'https://github.com/kubewarden/policies/.github/workflows/release.yml@refs/heads/main',
        issuer: GITHUB_ISSUER,
      });
      await attachCosignSignatures(client, p.ref, p.digest, [
        { key: leaf.key, leaf, rekor: { log: rekor, integratedTime: now() } },
      ]);
      assert.equal((await verify(p.uri, '--github-owner', 'kubewarden', '--sigstore-trust-config', rootFile)).code, 0);
      assert.equal(
        (
          await verify(
            p.uri,
            '--github-owner',
            'kubewarden',
            '--github-repo',
            'policies',
            '--sigstore-trust-config',
            rootFile,
          )
        ).code,
        0,
      );
      assert.equal(
        (
          await verify(
            p.uri,
            '--github-owner',
            'kubewarden',
            '--github-repo',
            'other',
            '--sigstore-trust-config',
            rootFile,
          )
        ).code,
        1,
      );
      assert.equal(
        (await verify(p.uri, '--github-owner', 'kubewarden-malicious', '--sigstore-trust-config', rootFile)).code,
        1,
      );
      // A URL-prefix subject matches the workflow URI, and is cut at a path boundary.
      const cfg = path.join(dir, 'prefix.yml');
      writeFileSync(
        cfg,
        `apiVersion: v1\nallOf:\n  - kind: genericIssuer\n    issuer: ${GITHUB_ISSUER}\n    subject:\n      urlPrefix: https://github.com/kubewarden\n`,
      );
      assert.equal(
        (await verify(p.uri, '--verification-config-path', cfg, '--sigstore-trust-config', rootFile)).code,
        0,
      );
      writeFileSync(
        cfg,
        `apiVersion: v1\nallOf:\n  - kind: genericIssuer\n    issuer: ${GITHUB_ISSUER}\n    subject:\n      urlPrefix: https://github.com/kube\n`,
      );
      assert.equal(
        (await verify(p.uri, '--verification-config-path', cfg, '--sigstore-trust-config', rootFile)).code,
        1,
      );
    });

    it('verifies a Sigstore bundle attached as a referrer (the referrers tag), and refuses one about another artifact', async () => {
      const p = await publish('bundle');
      const leaf = ca.issue({ email: 'bob@example.com', issuer });
      await attachBundleReferrer(client, p.ref, p.digest, leaf, rekor, now());
      assert.equal(
        (
          await verify(
            p.uri,
            '--cert-email',
            'bob@example.com',
            '--cert-oidc-issuer',
            issuer,
            '--sigstore-trust-config',
            rootFile,
          )
        ).code,
        0,
      );
      const q = await publish('bundle-other');
      await attachBundleReferrer(client, q.ref, q.digest, leaf, rekor, now(), 'sha256:' + '2'.repeat(64));
      const r = await verify(
        q.uri,
        '--cert-email',
        'bob@example.com',
        '--cert-oidc-issuer',
        issuer,
        '--sigstore-trust-config',
        rootFile,
      );
      assert.equal(r.code, 1);
      assert.match(r.stderr, /its subject is not sha256:/);
    });
  });

  describe('anyOf with minimumMatches', () => {
    let uri: string;
    before(async () => {
      const p = await publish('anyof');
      await attachCosignSignatures(client, p.ref, p.digest, [{ key: keyA.privateKey }]);
      uri = p.uri;
    });
    const config = (min: number) => {
      const file = path.join(dir, `anyof-${min}.yml`);
      const key = (k: KeyPair) =>
        `      - kind: pubKey\n        key: |\n${k.publicPem.replace(/^(?=.)/gm, '          ')}`;
      writeFileSync(file, `apiVersion: v1\nanyOf:\n  minimumMatches: ${min}\n  signatures:\n${key(keyA)}${key(keyB)}`);
      return file;
    };
    it('passes with enough matches', async () => {
      assert.equal((await verify(uri, '--verification-config-path', config(1))).code, 0);
    });
    it('fails with too few, saying how many were needed and found', async () => {
      const r = await verify(uri, '--verification-config-path', config(2));
      assert.equal(r.code, 1);
      assert.match(r.stderr, /minimum number of signatures not reached: needed 2, got 1/);
    });
  });

  describe('verification before use', () => {
    let p: { ref: RegistryRef; uri: string; digest: string };
    const pod = fixture('guests', 'manifests', 'pods.yaml');
    before(async () => {
      p = await publish('use');
      await attachCosignSignatures(client, p.ref, p.digest, [{ key: keyA.privateKey }]);
    });

    it('check -p runs a verified policy, and refuses one that does not verify (exit 2, naming policy, reference, digest, constraint)', async () => {
      const good = await runCli(
        ['check', '-f', pod, '-p', p.uri, '--verification-key', keyA.publicFile, '-o', 'json'],
        { env: home.env },
      );
      assert.ok(good.code === 0 || good.code === 1, good.stderr);
      const report = JSON.parse(good.stdout) as { policies: { module: string }[]; results: unknown[] };
      assert.ok(report.results.length > 0);
      const bad = await runCli(['check', '-f', pod, '-p', p.uri, '--verification-key', keyB.publicFile], {
        env: home.env,
      });
      assert.equal(bad.code, 2);
      assert.match(
        bad.stderr,
        new RegExp(
          `policy ${reg.host.replace(/\./g, '\\.')}/signed/use:v1 \\(${p.digest}\\): verification failed: missing signatures[\\s\\S]*kind: pubKey`,
        ),
      );
    });

    it("run (kwctl run) verifies before running, with kwctl's -k", async () => {
      const request = fixture('kwctl-run', 'test_data', 'privileged-pod.json');
      const good = await runCli(['run', p.uri, '-r', request, '-k', keyA.publicFile], { env: home.env });
      assert.equal(good.code, 0, good.stderr);
      assert.equal((JSON.parse(good.stdout) as { allowed: boolean }).allowed, false);
      const bad = await runCli(['run', p.uri, '-r', request, '-k', keyB.publicFile], { env: home.env });
      assert.equal(bad.code, 1);
      assert.match(bad.stderr, /^Error: .*verification failed: missing signatures/m);
    });

    it('check refuses verification flags for a local module (only registry policies carry signatures)', async () => {
      const r = await runCli(
        ['check', '-f', pod, '-p', plugin('pss-privileged'), '--verification-key', keyA.publicFile],
        { env: home.env },
      );
      assert.equal(r.code, 2);
      assert.match(r.stderr, /cannot verify the signatures of a local file/);
    });

    it('pull stores the verified digest; a tag moved to unsigned content is refused, not re-resolved', async () => {
      const first = await runCli(['pull', p.uri, '-k', keyA.publicFile], { env: home.env });
      assert.equal(first.code, 0, first.stderr);
      assert.match(first.stdout, new RegExp(`manifest: ${p.digest}`));
      // Someone moves the tag to another module without signing it.
      await pushPolicy(readFileSync(plugin('pss-host-ports')), p.uri, fetchOpts(home));
      const second = await runCli(['pull', p.uri, '-k', keyA.publicFile], { env: home.env });
      assert.equal(second.code, 2);
      assert.match(second.stderr, /no signatures found/);
    });

    it("kwctl's default config file is honoured when present (scaffold verification-config writes it)", async () => {
      const h = testHome();
      h.writeSources({ insecure_sources: [reg.host] });
      const scaffold = await runCli(['scaffold', 'verification-config'], { env: h.env });
      assert.equal(scaffold.code, 0);
      assert.deepEqual(parseVerificationConfig(scaffold.stdout, 'stdout'), DEFAULT_VERIFICATION_CONFIG);
      const cfgDir = path.join(h.env.XDG_CONFIG_HOME!, 'kubewarden');
      writeFileSync(path.join(cfgDir, 'verification-config.yml'), scaffold.stdout);
      // Signed with a key, not by Kubewarden's GitHub workflows: the default config refuses it.
      const r = await runCli(['pull', p.uri.replace(':v1', `@${digests.pubkey}`).replace('/use@', '/pubkey@')], {
        env: h.env,
      });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /kind: githubAction/);
    });
  });

  it("--from-cluster honours a PolicyServer's spec.verificationConfig (its ConfigMap), as policy-server does", async () => {
    const p = await publish('cluster');
    await attachCosignSignatures(client, p.ref, p.digest, [{ key: keyA.privateKey }]);
    const config = (k: KeyPair) =>
      `apiVersion: v1\nallOf:\n  - kind: pubKey\n    key: |\n${k.publicPem.replace(/^(?=.)/gm, '      ')}`;
    const policy = {
      apiVersion: 'policies.kubewarden.io/v1',
      kind: 'ClusterAdmissionPolicy',
      metadata: { name: 'privileged' },
      spec: {
        module: p.uri,
        policyServer: 'signed',
        rules: [{ apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'] }],
      },
      status: { policyStatus: 'active' },
    };
    const server = {
      apiVersion: 'policies.kubewarden.io/v1',
      kind: 'PolicyServer',
      metadata: { name: 'signed' },
      spec: { image: 'ghcr.io/kubewarden/policy-server:v1.20.0', replicas: 1, verificationConfig: 'verify-policies' },
    };
    const configMap = (k: KeyPair) => ({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: { name: 'verify-policies', namespace: 'kubewarden' },
      data: { 'verification-config': config(k) },
    });
    const run = async (k: KeyPair) => {
      const api = await startApiServer({ crds: kubewardenCrds(), objects: [policy, server, configMap(k)] });
      try {
        const kc = api.kubeconfig(mkdtempSync(path.join(dir, 'kc-')));
        return await runCli(
          [
            'check',
            '-f',
            fixture('guests', 'manifests', 'pods.yaml'),
            '--from-cluster',
            '--kubeconfig',
            kc,
            '-o',
            'json',
          ],
          { env: home.env },
        );
      } finally {
        await api.close();
      }
    };
    const ok = await run(keyA);
    assert.ok(ok.code === 0 || ok.code === 1, ok.stderr);
    const refused = await run(keyB);
    assert.equal(refused.code, 2);
    assert.match(
      refused.stderr,
      /PolicyServer signed, ConfigMap kubewarden\/verify-policies\).*verification failed: missing signatures/,
    );
  });

  it('the verify capability answers a repeated request from its cache for OCI_CACHE_MS, then asks the registry again', async () => {
    // A registry of its own, stopped after the first answer: the second answer can only come from the cache.
    const own = await startRegistry();
    const ownHome = testHome();
    ownHome.writeSources({ insecure_sources: [own.host] });
    const uri = `registry://${own.host}/signed/cached:v1`;
    const pushed = await pushPolicy(readFileSync(plugin('pss-privileged')), uri, fetchOpts(ownHome));
    const ownClient = await storeContext(fetchOpts(ownHome)).client();
    await attachCosignSignatures(ownClient, parseRegistryRef(uri), pushed.manifestDigest, [{ key: keyA.privateKey }]);
    let now = Date.now();
    const oci = new OciCapability(fetchOpts(ownHome), () => now);
    const req = {
      type: 'SigstorePubKeyVerify' as const,
      image: `${own.host}/signed/cached:v1`,
      pub_keys: [keyA.publicPem],
      annotations: null,
    };
    const answer = { is_trusted: true, digest: pushed.manifestDigest };
    assert.deepEqual(await oci.verify(req), answer);
    await own.stop();
    assert.deepEqual(await oci.verify(req), answer);
    now += OCI_CACHE_MS;
    await assert.rejects(oci.verify(req), /cannot read its signatures/);
  });

  describe('the verify host capability (oci/v1/verify, oci/v2/verify)', () => {
    let guest: string;
    let image: { uri: string; name: string; digest: string };
    const pod = fixture('guests', 'manifests', 'pods.yaml');
    before(async function () {
      const built = await buildGuestFixtures(path.join(dir, 'guests'), { names: ['wapc-rust-context'] });
      guest = built[0].path;
      const p = await publish('image');
      await attachCosignSignatures(client, p.ref, p.digest, [{ key: keyA.privateKey, annotations: { env: 'prod' } }]);
      image = { uri: p.uri, name: `${reg.host}/signed/image:v1`, digest: p.digest };
    });
    const probe = (operation: string, payload: unknown) =>
      JSON.stringify({
        probe: { binding: 'kubewarden', namespace: 'oci', operation, payload: JSON.stringify(payload) },
      });
    async function messages(settings: string, ...extra: string[]): Promise<string[]> {
      // oci/* leaves the machine: it needs the grant (docs/host-capabilities.md).
      const r = await runCli(
        [
          'check',
          '-f',
          pod,
          '-p',
          guest,
          '--settings-json',
          settings,
          '-o',
          'json',
          '--allowed-host-capabilities',
          'oci/*',
          ...extra,
        ],
        { env: home.env },
      );
      assert.ok(r.code === 0 || r.code === 1, r.stderr);
      const rows = (JSON.parse(r.stdout) as { results: { verdict: string; message?: string }[] }).results.filter((x) =>
        x.message?.startsWith('probe'),
      );
      assert.ok(rows.length > 0, r.stdout);
      return [...new Set(rows.map((x) => x.message!))];
    }

    it('v2 SigstorePubKeyVerify answers is_trusted and the digest; a wrong key is a host error', async () => {
      assert.deepEqual(
        await messages(
          probe('v2/verify', {
            type: 'SigstorePubKeyVerify',
            image: image.name,
            pub_keys: [keyA.publicPem],
            annotations: { env: 'prod' },
          }),
        ),
        [`probe ok: {"is_trusted":true,"digest":"${image.digest}"}`],
      );
      const [m] = await messages(
        probe('v2/verify', {
          type: 'SigstorePubKeyVerify',
          image: image.name,
          pub_keys: [keyB.publicPem],
          annotations: null,
        }),
      );
      assert.match(m, /^probe error: image .*verification failed: missing signatures/);
    });

    it('v1 takes the externally tagged payload', async () => {
      assert.deepEqual(
        await messages(
          probe('v1/verify', {
            SigstorePubKeyVerify: { image: image.name, pub_keys: [keyA.publicPem], annotations: null },
          }),
        ),
        [`probe ok: {"is_trusted":true,"digest":"${image.digest}"}`],
      );
    });

    it('an empty key list is an error, as in policy-evaluator', async () => {
      const [m] = await messages(
        probe('v2/verify', { type: 'SigstorePubKeyVerify', image: image.name, pub_keys: [], annotations: null }),
      );
      assert.match(m, /^probe error: .*`pub_keys` must not be empty/);
    });

    it('answers from a recorded session offline (record, then replay with --pull never)', async () => {
      const session = path.join(dir, 'verify-session.yml');
      const settings = probe('v2/verify', {
        type: 'SigstorePubKeyVerify',
        image: image.name,
        pub_keys: [keyA.publicPem],
        annotations: null,
      });
      const live = await messages(settings, '--record-host-capabilities-interactions', session);
      assert.match(readFileSync(session, 'utf8'), /!SigstorePubKeyVerify/);
      // What the registry answered is the owner's only (issue 16: recordings were written 0644).
      assert.equal(statSync(session).mode & 0o777, 0o600);
      const replayed = await messages(settings, '--replay-host-capabilities-interactions', session, '--pull', 'never');
      assert.deepEqual(replayed, live);
    });
  });
});
