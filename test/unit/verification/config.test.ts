// kwctl's verification config as Kubewarden's policy-fetcher reads it (src/verify/config.rs).
import { strict as assert } from 'node:assert';
import { parseVerificationConfig } from '../../../lib/verification/config';
import { PolicyVerificationError } from '../../../lib/verification/errors';

describe('verification config (policy-fetcher src/verify/config.rs)', () => {
  it('reads allOf and anyOf with every kind, minimumMatches defaulting to 1', () => {
    const c = parseVerificationConfig(
      [
        'apiVersion: v1',
        'allOf:',
        '  - kind: githubAction',
        '    owner: kubewarden',
        '    annotations: {env: prod}',
        'anyOf:',
        '  signatures:',
        '    - kind: pubKey',
        '      owner: flavio',
        '      key: KEY',
        '    - kind: genericIssuer',
        '      issuer: https://github.com/login/oauth',
        '      subject: {equal: alice@example.com}',
        '',
      ].join('\n'),
      'c.yml',
    );
    assert.deepEqual(c, {
      allOf: [{ kind: 'githubAction', owner: 'kubewarden', annotations: { env: 'prod' } }],
      anyOf: {
        minimumMatches: 1,
        signatures: [
          { kind: 'pubKey', owner: 'flavio', key: 'KEY' },
          { kind: 'genericIssuer', issuer: 'https://github.com/login/oauth', subject: { equal: 'alice@example.com' } },
        ],
      },
    });
  });

  it('gives urlPrefix subjects a trailing slash (kubewarden must not match kubewarden-malicious)', () => {
    const c = parseVerificationConfig(
      'apiVersion: v1\nallOf:\n  - kind: genericIssuer\n    issuer: i\n    subject:\n      urlPrefix: https://github.com/kubewarden\n',
      'c.yml',
    );
    assert.deepEqual(c.allOf?.[0], {
      kind: 'genericIssuer',
      issuer: 'i',
      subject: { urlPrefix: 'https://github.com/kubewarden/' },
    });
  });

  const refused: [string, string, RegExp][] = [
    ['no lists', 'apiVersion: v1\n', /^c\.yml:1: .*missing signatures in both allOf and anyOf/],
    ['an unknown version', 'apiVersion: v2\nallOf: []\n', /^c\.yml:1: .*not a supported configuration version: "v2"/],
    [
      'a missing subject',
      'apiVersion: v1\nallOf:\n  - kind: genericIssuer\n    issuer: i\n',
      /^c\.yml:3: .*allOf\[0\]: missing field `subject`/,
    ],
    [
      'an unknown field',
      'apiVersion: v1\nallOf:\n  - kind: pubKey\n    key: k\n    colour: red\n',
      /^c\.yml:5: .*unknown field `colour`/,
    ],
    ['an unknown kind', 'apiVersion: v1\nallOf:\n  - kind: notary\n', /^c\.yml:3: .*unknown variant `notary`/],
    [
      'a non-string annotation',
      'apiVersion: v1\nallOf:\n  - kind: pubKey\n    key: k\n    annotations: {n: 1}\n',
      /^c\.yml:5: .*annotations\.n: expected a string value/,
    ],
  ];
  for (const [what, text, re] of refused) {
    it(`refuses ${what}, naming the file and line`, () => {
      assert.throws(
        () => parseVerificationConfig(text, 'c.yml'),
        (e: unknown) => e instanceof PolicyVerificationError && re.test(e.message),
      );
    });
  }
});
