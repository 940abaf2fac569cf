// Which policies `check` runs (lib/check/policies.ts): -p, --policies and --from-cluster together, else the
// bundled set; the errors are user errors naming what was given.
import { strict as assert } from 'node:assert';
import { isUserError } from '../../../lib/base/user-error';
import { checkPolicySet } from '../../../lib/check/policies';
import type { PolicySpec } from '../../../lib/policy/spec';

const spec = (id: string, origin: string): PolicySpec => ({
  id,
  module: `builtin://${id}`,
  settings: {},
  mode: 'protect',
  origin,
});
const bundled = (): PolicySpec[] => [spec('b1', 'bundled set'), spec('b2', 'bundled set')];

describe('check: the policies of a run', () => {
  it('runs the bundled set when no policy is given', () => {
    assert.deepEqual(
      checkPolicySet({ flags: [] }, bundled).map((p) => p.id),
      ['b1', 'b2'],
    );
  });

  it('runs everything given, the cluster first, then --policies, then -p, and never the bundled set', () => {
    const got = checkPolicySet(
      {
        flags: [spec('f', '-p')],
        config: { files: ['p.yml'], entries: [spec('c', 'p.yml')] },
        cluster: [spec('k', 'cluster')],
      },
      bundled,
    );
    assert.deepEqual(
      got.map((p) => p.id),
      ['k', 'c', 'f'],
    );
    assert.deepEqual(
      checkPolicySet({ flags: [spec('f', '-p')] }, bundled).map((p) => p.id),
      ['f'],
    );
  });

  it('refuses an empty set, saying where it came from', () => {
    const refusal = (given: Parameters<typeof checkPolicySet>[0], empty = false): string => {
      try {
        checkPolicySet(given, empty ? () => [] : bundled);
      } catch (err) {
        assert.ok(isUserError(err), 'a user error, printed without a stack');
        return (err as Error).message;
      }
      assert.fail('no error');
    };
    assert.equal(refusal({ flags: [], cluster: [] }), '--from-cluster: the cluster has no active Kubewarden policies');
    assert.equal(
      refusal({ flags: [], config: { files: ['a.yml', 'b.yml'], entries: [] } }),
      'no policies to run: --policies a.yml b.yml defines none',
    );
    assert.equal(
      refusal({ flags: [] }, true),
      'no policies to run: the bundled set is missing (run npm run build) and no -p was given',
    );
  });

  it('refuses two policies with one id', () => {
    assert.throws(
      () =>
        checkPolicySet(
          { flags: [spec('x', '-p')], config: { files: ['p.yml'], entries: [spec('x', 'p.yml')] } },
          bundled,
        ),
      (err: unknown) =>
        isUserError(err) &&
        err.kind === 'duplicate-id' &&
        err.message === 'two policies are named x (from -p and --policies); rename one',
    );
  });
});
