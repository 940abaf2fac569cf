// Label selectors (lib/kube/label-selector.ts) as k8s.io/apimachinery/pkg/labels evaluates them
// (selector.go Requirement.Matches: a label is present by key, whatever its value, the empty string included) and as
// apimachinery's LabelSelectorAsSelector validates them (In/NotIn need values, Exists/DoesNotExist take none).
import { strict as assert } from 'node:assert';
import { parseLabelSelector, selectorMatches, type LabelSelector } from '../../../lib/kube/label-selector';
import { EquivalentIndex } from '../../../lib/admission/match';

const sel = (s: unknown): LabelSelector => {
  const { selector, problems } = parseLabelSelector(s);
  assert.deepEqual(problems, []);
  return selector!;
};

describe('label selectors (lib/kube/label-selector.ts)', () => {
  const table: [string, unknown, Record<string, string>, boolean][] = [
    [
      'Exists matches a label that is present',
      { matchExpressions: [{ key: 'team', operator: 'Exists' }] },
      { team: 'a' },
      true,
    ],
    [
      'Exists matches a label whose value is empty',
      { matchExpressions: [{ key: 'team', operator: 'Exists' }] },
      { team: '' },
      true,
    ],
    [
      'Exists does not match a missing label',
      { matchExpressions: [{ key: 'team', operator: 'Exists' }] },
      { other: 'x' },
      false,
    ],
    [
      'DoesNotExist does not match an empty-valued label',
      { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] },
      { team: '' },
      false,
    ],
    [
      'DoesNotExist matches a missing label',
      { matchExpressions: [{ key: 'team', operator: 'DoesNotExist' }] },
      {},
      true,
    ],
    [
      'In matches the empty value when it is listed',
      { matchExpressions: [{ key: 'tier', operator: 'In', values: [''] }] },
      { tier: '' },
      true,
    ],
    [
      'In does not match a missing label, even with "" listed',
      { matchExpressions: [{ key: 'tier', operator: 'In', values: [''] }] },
      {},
      false,
    ],
    [
      'NotIn excludes an empty-valued label when "" is listed',
      { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: [''] }] },
      { tier: '' },
      false,
    ],
    [
      'NotIn matches a missing label',
      { matchExpressions: [{ key: 'tier', operator: 'NotIn', values: ['a'] }] },
      {},
      true,
    ],
    ['matchLabels with an empty value matches that empty value', { matchLabels: { tier: '' } }, { tier: '' }, true],
    ['matchLabels with an empty value does not match a missing label', { matchLabels: { tier: '' } }, {}, false],
    [
      'requirements are ANDed',
      { matchLabels: { a: '1' }, matchExpressions: [{ key: 'b', operator: 'Exists' }] },
      { a: '1' },
      false,
    ],
    ['an empty selector matches everything', {}, {}, true],
  ];
  for (const [name, s, labels, expected] of table)
    it(name, () => assert.equal(selectorMatches(sel(s), labels), expected));

  it('In and NotIn without values are refused, as LabelSelectorAsSelector does', () => {
    for (const operator of ['In', 'NotIn']) {
      for (const values of [undefined, []]) {
        const { problems } = parseLabelSelector({
          matchExpressions: [{ key: 'a', operator, ...(values ? { values } : {}) }],
        });
        assert.deepEqual(problems, [
          { field: 'matchExpressions[0].values', message: `must be specified when operator is ${operator}` },
        ]);
      }
    }
  });

  it('an In requirement with no values matches nothing, should one be built by hand', () => {
    const s: LabelSelector = { matchExpressions: [{ key: 'a', operator: 'In', values: [] }] };
    assert.equal(selectorMatches(s, { a: '' }), false);
    assert.equal(selectorMatches(s, { a: 'x' }), false);
  });

  it('Exists and DoesNotExist with values are refused', () => {
    const { problems } = parseLabelSelector({ matchExpressions: [{ key: 'a', operator: 'Exists', values: ['x'] }] });
    assert.deepEqual(problems, [
      { field: 'matchExpressions[0].values', message: 'may not be specified when operator is Exists' },
    ]);
  });
});

describe('equivalent resources of a CRD (lib/admission/match.ts EquivalentIndex)', () => {
  it('lists only the served versions: a version with served: false is not equivalent', () => {
    const crd = {
      apiVersion: 'apiextensions.k8s.io/v1',
      kind: 'CustomResourceDefinition',
      spec: {
        group: 'example.com',
        scope: 'Namespaced',
        names: { kind: 'Thing', plural: 'things' },
        versions: [
          { name: 'v1', served: true },
          { name: 'v2', served: false },
          { name: 'v3', served: true },
        ],
      },
    };
    const index = new EquivalentIndex([], [crd]);
    assert.deepEqual(
      index.equivalents('example.com', 'things').map((e) => e.version),
      ['v1', 'v3'],
    );
  });
});
