// The verification rules exercised in-process: kwctl's flag combinations (src/config/verification.rs
// build_verification_options_from_flags), the config's refusals (policy-fetcher src/verify/config.rs), the trust
// root files, the host capability's constraints (policy-evaluator's sigstore verification requests) and the
// constraint checks (policy-fetcher src/verify/mod.rs verify_signatures_against_config).
import { strict as assert } from 'node:assert';
import { generateKeyPairSync, sign, verify, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { configFromFlags, parseVerificationConfig } from '../../../lib/verification/config';
import { checkConfig } from '../../../lib/verification/constraints';
import { PolicyVerificationError } from '../../../lib/verification/errors';
import { constraintsOf } from '../../../lib/verification/host-request';
import type { TrustedSignature } from '../../../lib/verification/trust';
import { publicGoodTrustRoot, readTrustRoot, trustRootFor } from '../../../lib/verification/trust-root';
import { makeCa } from '../../support/sigstore';
import { evaluateSignatures } from '../../../lib/verification/trust';
import type { RawSignature } from '../../../lib/verification/signatures';
import { verifyArtifact } from '../../../lib/verification/verify';
import { PolicyFetchError } from '../../../lib/store/errors';
import { parseRegistryRef } from '../../../lib/store/ref';
import type { RegistryClient } from '../../../lib/store/registry';

const refused = (f: () => unknown, re: RegExp) =>
  assert.throws(f, (e: unknown) => e instanceof PolicyVerificationError && re.test(e.message));

describe('verification flags as kwctl combines them', () => {
  it('nothing asked: no config', () => {
    assert.equal(configFromFlags({ keys: [] }), undefined);
  });
  it('annotations alone, a repository without an owner, an email without an issuer (or the reverse) are refused', () => {
    refused(
      () => configFromFlags({ keys: [], annotations: { a: 'b' } }),
      /no verification keys, OIDC issuer or GitHub owner/,
    );
    refused(() => configFromFlags({ keys: [], githubRepo: 'r' }), /repository owner \(--github-owner\) is missing/);
    refused(() => configFromFlags({ keys: [], certEmail: 'a@b' }), /--cert-email and --cert-oidc-issuer together/);
    refused(
      () => configFromFlags({ keys: [], certOidcIssuer: 'https://i' }),
      /--cert-email and --cert-oidc-issuer together/,
    );
  });
  it('every flag becomes one allOf constraint, each with the annotations', () => {
    const a = { env: 'prod' };
    assert.deepEqual(
      configFromFlags({
        keys: [{ file: 'k.pub', pem: 'PEM' }],
        annotations: a,
        certEmail: 'a@b',
        certOidcIssuer: 'https://i',
        githubOwner: 'o',
        githubRepo: 'r',
      }),
      {
        allOf: [
          { kind: 'genericIssuer', issuer: 'https://i', subject: { equal: 'a@b' }, annotations: a },
          { kind: 'githubAction', owner: 'o', repo: 'r', annotations: a },
          { kind: 'pubKey', key: 'PEM', annotations: a },
        ],
      },
    );
  });
});

describe('verification config refusals', () => {
  const cases: [string, string, RegExp][] = [
    ['not a mapping', '- a\n', /the document: expected a mapping/],
    ['a YAML syntax error', 'apiVersion: [v1\n', /^c\.yml:\d+: not a valid verification config/],
    ['no apiVersion', 'allOf: []\n', /missing field `apiVersion`/],
    [
      'minimumMatches that is not a count',
      'apiVersion: v1\nanyOf:\n  minimumMatches: two\n  signatures: []\n',
      /minimumMatches: expected an integer from 0 to 255/,
    ],
    ['anyOf without signatures', 'apiVersion: v1\nanyOf:\n  minimumMatches: 1\n', /anyOf: missing field `signatures`/],
    ['signatures that are not a list', 'apiVersion: v1\nallOf: {}\n', /allOf: expected a list of signatures/],
    [
      'a subject with both forms',
      'apiVersion: v1\nallOf:\n  - kind: genericIssuer\n    issuer: i\n    subject: {equal: a, urlPrefix: https://x}\n',
      /expected exactly one of `equal`, `urlPrefix`/,
    ],
    [
      'a urlPrefix that is not a URL',
      'apiVersion: v1\nallOf:\n  - kind: genericIssuer\n    issuer: i\n    subject: {urlPrefix: not a url}\n',
      /"not a url" is not a URL/,
    ],
    [
      'a key that is not a string',
      'apiVersion: v1\nallOf:\n  - kind: pubKey\n    key: 1\n',
      /allOf\[0\]\.key: expected a string/,
    ],
    ['a non-string mapping key', 'apiVersion: v1\nallOf:\n  - {1: x, kind: pubKey}\n', /keys must be strings/],
  ];
  for (const [what, text, re] of cases) {
    it(`refuses ${what}`, () => refused(() => parseVerificationConfig(text, 'c.yml'), re));
  }
});

describe('Sigstore trust roots', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-trust-'));
  it('the public-good root is the default, read once', () => {
    assert.equal(trustRootFor(undefined), publicGoodTrustRoot());
    assert.ok(publicGoodTrustRoot().hasCtLogs, 'the public-good root lists CT logs, so SCTs are required');
  });
  it('refuses a missing file, a non-object, and JSON that is not a trusted root', () => {
    refused(() => readTrustRoot(path.join(dir, 'none.json')), /cannot read the Sigstore trust config: no such file/);
    const write = (name: string, text: string) => {
      writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    refused(() => readTrustRoot(write('n.json', '7')), /expected a JSON object/);
    refused(() => readTrustRoot(write('o.json', '{"mediaType":"x"}')), /no certificateAuthorities or tlogs/);
  });
});

describe('the verify host capability: its requests as constraints (all required)', () => {
  const now = new Date('2026-01-01T00:00:00Z');
  it('each request kind, annotations on every constraint', () => {
    const a = { annotations: { env: 'prod' } };
    assert.deepEqual(constraintsOf({ type: 'SigstorePubKeyVerify', pub_keys: ['A', 'B'], ...a }, now), [
      { kind: 'pubKey', key: 'A', ...a },
      { kind: 'pubKey', key: 'B', ...a },
    ]);
    assert.deepEqual(
      constraintsOf(
        { type: 'SigstoreKeylessVerify', keyless: [{ issuer: 'i', subject: 's' }], annotations: null },
        now,
      ),
      [{ kind: 'genericIssuer', issuer: 'i', subject: { equal: 's' } }],
    );
    assert.deepEqual(
      constraintsOf(
        {
          type: 'SigstoreKeylessPrefixVerify',
          keyless_prefix: [{ issuer: 'i', url_prefix: 'https://github.com/o' }],
          annotations: {},
        },
        now,
      ),
      [{ kind: 'genericIssuer', issuer: 'i', subject: { urlPrefix: 'https://github.com/o/' } }],
    );
    assert.deepEqual(
      constraintsOf({ type: 'SigstoreGithubActionsVerify', owner: 'o', repo: null, annotations: null }, now),
      [{ kind: 'githubAction', owner: 'o' }],
    );
  });
  it('a prefix that is not a URL and a certificate that is not one are refused', () => {
    refused(
      () =>
        constraintsOf(
          {
            type: 'SigstoreKeylessPrefixVerify',
            keyless_prefix: [{ issuer: 'i', url_prefix: 'nope' }],
            annotations: null,
          },
          now,
        ),
      /keyless_prefix: "nope" is not a URL/,
    );
    refused(
      () =>
        constraintsOf(
          {
            type: 'SigstoreCertificateVerify',
            certificate: new Uint8Array([1, 2, 3]),
            certificate_chain: null,
            require_rekor_bundle: false,
            annotations: null,
          },
          now,
        ),
      /certificate: not a PEM or DER certificate/,
    );
  });
});

describe('constraints against signatures', () => {
  const keys = (): { privateKey: KeyObject; publicPem: string } => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    return { privateKey, publicPem: publicKey.export({ type: 'spki', format: 'pem' }).toString() };
  };
  const a = keys();
  const b = keys();
  const payload = Buffer.from('payload');
  const signature = sign('sha256', payload, a.privateKey);
  const signed = (identity?: TrustedSignature['identity']): TrustedSignature => ({
    label: 'sig',
    annotations: { env: 'prod' },
    ...(identity ? { identity } : {}),
    signedBy: (key) => {
      try {
        return verify('sha256', payload, key, signature);
      } catch {
        return false;
      }
    },
  });

  it('pubKey: the key and the annotations must match', () => {
    assert.equal(
      checkConfig({ allOf: [{ kind: 'pubKey', key: a.publicPem, annotations: { env: 'prod' } }] }, [signed()]).ok,
      true,
    );
    assert.equal(
      checkConfig({ allOf: [{ kind: 'pubKey', key: a.publicPem, annotations: { env: 'dev' } }] }, [signed()]).ok,
      false,
    );
    assert.equal(checkConfig({ allOf: [{ kind: 'pubKey', key: b.publicPem }] }, [signed()]).ok, false);
  });
  it('keyless constraints need an identity the trust root vouched for', () => {
    const id = {
      issuer: 'https://token.actions.githubusercontent.com',
      subject: 'https://github.com/o/r/.github/workflows/w.yml@refs/heads/main',
    };
    assert.equal(checkConfig({ allOf: [{ kind: 'githubAction', owner: 'o', repo: 'r' }] }, [signed(id)]).ok, true);
    assert.equal(checkConfig({ allOf: [{ kind: 'githubAction', owner: 'o' }] }, [signed()]).ok, false);
    assert.equal(
      checkConfig({ allOf: [{ kind: 'githubAction', owner: 'o' }] }, [signed({ ...id, subject: 'mailto:a@b' })]).ok,
      false,
    );
    assert.equal(
      checkConfig(
        { allOf: [{ kind: 'genericIssuer', issuer: id.issuer, subject: { urlPrefix: 'https://github.com/o/' } }] },
        [signed(id)],
      ).ok,
      true,
    );
    assert.equal(
      checkConfig({ allOf: [{ kind: 'genericIssuer', issuer: 'https://other', subject: { equal: id.subject } }] }, [
        signed(id),
      ]).ok,
      false,
    );
  });
  it('anyOf counts satisfied constraints against minimumMatches, and lists the unsatisfied ones', () => {
    const list = [
      { kind: 'pubKey' as const, key: a.publicPem },
      { kind: 'pubKey' as const, key: b.publicPem },
    ];
    assert.equal(checkConfig({ anyOf: { minimumMatches: 1, signatures: list } }, [signed()]).ok, true);
    const r = checkConfig({ anyOf: { minimumMatches: 2, signatures: list } }, [signed()]);
    assert.equal(r.ok, false);
    assert.match(r.message ?? '', /needed 2, got 1\nThe following constraints were not satisfied:\n- kind: pubKey/);
  });

  it("certificate (SigstoreCertificateVerify): the certificate's key signed, its chain holds, valid now or when logged", () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-cert-'));
    const ca = makeCa(path.join(dir, 'ca'), 'ca');
    const other = makeCa(path.join(dir, 'other'), 'other');
    const leaf = ca.issue({ email: 'a@b', issuer: 'https://i' });
    const leafSig = sign('sha256', payload, leaf.key);
    const bySigner = (loggedAt?: Date): TrustedSignature => ({
      label: 'sig',
      annotations: {},
      ...(loggedAt ? { loggedAt } : {}),
      signedBy: (key) => verify('sha256', payload, key, leafSig),
    });
    const cert = new X509Certificate(leaf.certPem);
    const now = new Date();
    const constraint = (chain: X509Certificate[] | undefined, requireRekorBundle: boolean, at = now) => ({
      kind: 'certificate' as const,
      certificate: cert,
      chain,
      requireRekorBundle,
      now: at,
    });
    assert.equal(checkConfig({ allOf: [constraint(undefined, false)] }, [bySigner()]).ok, true);
    assert.equal(checkConfig({ allOf: [constraint([new X509Certificate(ca.certPem)], false)] }, [bySigner()]).ok, true);
    assert.equal(
      checkConfig({ allOf: [constraint([new X509Certificate(other.certPem)], false)] }, [bySigner()]).ok,
      false,
    );
    assert.equal(
      checkConfig({ allOf: [constraint(undefined, false, new Date(now.getTime() + 3 * 86_400_000))] }, [bySigner()]).ok,
      false,
    );
    assert.equal(checkConfig({ allOf: [constraint(undefined, true)] }, [bySigner()]).ok, false, 'no Rekor entry');
    assert.equal(checkConfig({ allOf: [constraint(undefined, true)] }, [bySigner(now)]).ok, true);
    assert.equal(checkConfig({ allOf: [constraint(undefined, false)] }, [signed()]).ok, false, 'another key signed');
    const r = checkConfig({ allOf: [constraint(undefined, true)] }, [bySigner()]);
    assert.match(r.message ?? '', /- kind: certificate\n {2}subject: O=sigstore\.test/);
  });
});

describe('signatures that prove nothing are left out, saying why (sigstore-rs keeps only matching simple-signing layers)', () => {
  const digest = 'sha256:' + 'a'.repeat(64);
  const root = publicGoodTrustRoot();
  const cosign = (payload: string): RawSignature => ({
    format: 'cosign',
    layerDigest: 'sha256:layer',
    payload: Buffer.from(payload),
    signature: 'c2ln',
  });
  const bundle = (json: unknown): RawSignature => ({
    format: 'bundle',
    manifestDigest: 'sha256:ref',
    bundleJson: json,
  });
  it('payloads that are not a cosign image signature of this digest', () => {
    const e = evaluateSignatures(
      [
        cosign('not json'),
        cosign(JSON.stringify({ critical: { type: 'something else' } })),
        cosign(
          JSON.stringify({
            critical: { type: 'cosign container image signature', image: { 'docker-manifest-digest': 'sha256:other' } },
          }),
        ),
      ],
      digest,
      root,
    );
    assert.equal(e.trusted.length, 0);
    assert.deepEqual(e.ignored, [
      'cosign signature sha256:layer: the payload is not a simple-signing JSON document',
      'cosign signature sha256:layer: not a cosign container image signature (type "something else")',
      `cosign signature sha256:layer: signs sha256:other, not ${digest}`,
    ]);
  });
  it('a kept signature without a Rekor bundle proves no identity, and its annotations are the string ones', () => {
    const e = evaluateSignatures(
      [
        {
          ...(cosign(
            JSON.stringify({
              critical: { type: 'cosign container image signature', image: { 'docker-manifest-digest': digest } },
              optional: { env: 'prod', n: 1 },
            }),
          ) as Extract<RawSignature, { format: 'cosign' }>),
          certificatePem: 'PEM',
        },
      ],
      digest,
      root,
    );
    assert.equal(e.trusted.length, 1);
    assert.deepEqual(e.trusted[0].annotations, { env: 'prod' });
    assert.equal(e.trusted[0].identity, undefined);
    assert.match(e.trusted[0].identityProblem ?? '', /the Rekor bundle is missing/);
  });
  it('bundles that are not valid, not DSSE, or not an in-toto statement', () => {
    const e = evaluateSignatures([bundle({ nope: true }), bundle(7)], digest, root);
    assert.equal(e.trusted.length, 0);
    assert.equal(e.ignored.length, 2);
    for (const m of e.ignored) assert.match(m, /^Sigstore bundle sha256:ref: not a valid Sigstore bundle/);
  });
});

describe('verifyArtifact: registry failures and no signatures', () => {
  const ref = parseRegistryRef('registry://registry.test/p:v1');
  it('a registry error is a "cannot read its signatures" verification error', async () => {
    const client = {
      manifestDigest: async () => Promise.reject(new PolicyFetchError('registry.test: not found', 'not-found')),
    } as unknown as RegistryClient;
    await assert.rejects(
      verifyArtifact({ client, ref, config: { allOf: [] }, trustRoot: publicGoodTrustRoot(), subject: 'policy' }),
      (e: unknown) =>
        e instanceof PolicyVerificationError &&
        e.kind === 'registry' &&
        /cannot read its signatures: registry\.test: not found/.test(e.message),
    );
  });
  it('other errors are not dressed up', async () => {
    const client = {
      manifestDigest: async () => Promise.reject(new TypeError('a defect')),
    } as unknown as RegistryClient;
    await assert.rejects(
      verifyArtifact({ client, ref, config: { allOf: [] }, trustRoot: publicGoodTrustRoot(), subject: 'policy' }),
      TypeError,
    );
  });
});
