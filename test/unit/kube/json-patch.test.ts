// JSON Patch as the API server applies a webhook's patch: RFC 6902 (its Appendix A examples and error cases, by
// section), and evanphx/json-patch v4 where that library, which k8s.io/apiserver's mutating dispatcher uses,
// differs from the RFC (lib/kube/json-patch.ts, docs/decisions.md "JSON Patch").
import { strict as assert } from 'node:assert';
import type { JsonPatchOperation } from '../../../lib/kube/admission-review';
import { applyPatch, diff, JsonPatchError } from '../../../lib/kube/json-patch';

type Case = [section: string, doc: unknown, patch: JsonPatchOperation[], expected: unknown | Error];
const err = (re: RegExp): Error => Object.assign(new Error(re.source), { re });

/** RFC 6902 Appendix A (A.13, a duplicate "op" member, cannot be written as a JavaScript object). */
const APPENDIX_A: Case[] = [
  [
    'A.1 adding an object member',
    { foo: 'bar' },
    [{ op: 'add', path: '/baz', value: 'qux' }],
    { baz: 'qux', foo: 'bar' },
  ],
  [
    'A.2 adding an array element',
    { foo: ['bar', 'baz'] },
    [{ op: 'add', path: '/foo/1', value: 'qux' }],
    { foo: ['bar', 'qux', 'baz'] },
  ],
  ['A.3 removing an object member', { baz: 'qux', foo: 'bar' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
  [
    'A.4 removing an array element',
    { foo: ['bar', 'qux', 'baz'] },
    [{ op: 'remove', path: '/foo/1' }],
    { foo: ['bar', 'baz'] },
  ],
  [
    'A.5 replacing a value',
    { baz: 'qux', foo: 'bar' },
    [{ op: 'replace', path: '/baz', value: 'boo' }],
    { baz: 'boo', foo: 'bar' },
  ],
  [
    'A.6 moving a value',
    { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
    [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }],
    { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } },
  ],
  [
    'A.7 moving an array element',
    { foo: ['all', 'grass', 'cows', 'eat'] },
    [{ op: 'move', from: '/foo/1', path: '/foo/3' }],
    { foo: ['all', 'cows', 'eat', 'grass'] },
  ],
  [
    'A.8 testing a value: success',
    { baz: 'qux', foo: ['a', 2, 'c'] },
    [
      { op: 'test', path: '/baz', value: 'qux' },
      { op: 'test', path: '/foo/1', value: 2 },
    ],
    { baz: 'qux', foo: ['a', 2, 'c'] },
  ],
  [
    'A.9 testing a value: error',
    { baz: 'qux' },
    [{ op: 'test', path: '/baz', value: 'bar' }],
    err(/test: the value at "\/baz" differs/),
  ],
  [
    'A.10 adding a nested member object',
    { foo: 'bar' },
    [{ op: 'add', path: '/child', value: { grandchild: {} } }],
    { foo: 'bar', child: { grandchild: {} } },
  ],
  [
    'A.11 ignoring unrecognized elements',
    { foo: 'bar' },
    [{ op: 'add', path: '/baz', value: 'qux', xyz: 123 } as JsonPatchOperation],
    { foo: 'bar', baz: 'qux' },
  ],
  [
    'A.12 adding to a nonexistent target',
    { foo: 'bar' },
    [{ op: 'add', path: '/baz/bat', value: 'qux' }],
    err(/no parent of path "\/baz\/bat"/),
  ],
  ['A.14 ~ escape ordering', { '/': 9, '~1': 10 }, [{ op: 'test', path: '/~01', value: 10 }], { '/': 9, '~1': 10 }],
  [
    'A.15 comparing strings and numbers',
    { '/': 9, '~1': 10 },
    [{ op: 'test', path: '/~01', value: '10' }],
    err(/differs/),
  ],
  [
    'A.16 adding an array value',
    { foo: ['bar'] },
    [{ op: 'add', path: '/foo/-', value: ['abc', 'def'] }],
    { foo: ['bar', ['abc', 'def']] },
  ],
];

/** The error cases of RFC 6902 §4 and §5, and the array semantics a mutation diff relies on. */
const RFC_RULES: Case[] = [
  ['§4.1 add at the end index appends', { a: [1, 2] }, [{ op: 'add', path: '/a/2', value: 3 }], { a: [1, 2, 3] }],
  [
    '§4.1 add past the end is an error',
    { a: [1, 2] },
    [{ op: 'add', path: '/a/3', value: 3 }],
    err(/index "3" is out of range for add/),
  ],
  ['§4.1 add to an existing member replaces it', { a: 1 }, [{ op: 'add', path: '/a', value: 2 }], { a: 2 }],
  [
    '§4.1 add with a non-numeric array index is an error',
    { a: [1] },
    [{ op: 'add', path: '/a/x', value: 3 }],
    err(/index "x"/),
  ],
  ['§4.2 remove of a missing member is an error', { a: 1 }, [{ op: 'remove', path: '/b' }], err(/no member "b"/)],
  [
    '§4.2 remove /a/- is an error (RFC 6901 §4: "-" names no element)',
    { a: [1, 2] },
    [{ op: 'remove', path: '/a/-' }],
    err(/index "-" is out of range/),
  ],
  [
    '§4.2 remove of an out-of-range index is an error',
    { a: [1, 2] },
    [{ op: 'remove', path: '/a/2' }],
    err(/index "2" is out of range/),
  ],
  [
    '§4.2 remove of trailing elements, last first',
    { a: [1, 2, 3, 4] },
    [
      { op: 'remove', path: '/a/3' },
      { op: 'remove', path: '/a/2' },
    ],
    { a: [1, 2] },
  ],
  ['§4.2 remove under a missing parent is an error', { a: {} }, [{ op: 'remove', path: '/a/b/c' }], err(/no parent/)],
  [
    '§4.3 replace of an array element replaces, not inserts',
    { a: [1, 2, 3] },
    [{ op: 'replace', path: '/a/1', value: 9 }],
    { a: [1, 9, 3] },
  ],
  [
    '§4.3 replace of an out-of-range index is an error',
    { a: [1, 2] },
    [{ op: 'replace', path: '/a/2', value: 9 }],
    err(/index "2" is out of range/),
  ],
  ['§4.3 replace of "-" is an error', { a: [1, 2] }, [{ op: 'replace', path: '/a/-', value: 9 }], err(/index "-"/)],
  [
    '§4.3 replace under a missing parent is an error',
    { a: 1 },
    [{ op: 'replace', path: '/b/c', value: 9 }],
    err(/no parent/),
  ],
  [
    '§4.4 move from a missing member is an error',
    { a: 1 },
    [{ op: 'move', from: '/b', path: '/c' }],
    err(/no member "b"/),
  ],
  [
    '§4.4 move of a member into itself is an error',
    { a: { b: 1 } },
    [{ op: 'move', from: '/a', path: '/a/b' }],
    err(/no parent of path "\/a\/b"/),
  ],
  [
    '§4.4 move within an array, later index',
    { a: [1, 2, 3] },
    [{ op: 'move', from: '/a/0', path: '/a/2' }],
    { a: [2, 3, 1] },
  ],
  [
    '§4.5 copy copies, later changes do not alias',
    { a: { x: 1 } },
    [
      { op: 'copy', from: '/a', path: '/b' },
      { op: 'replace', path: '/b/x', value: 2 },
    ],
    { a: { x: 1 }, b: { x: 2 } },
  ],
  [
    '§4.5 copy from an out-of-range index is an error',
    { a: [1] },
    [{ op: 'copy', from: '/a/1', path: '/b' }],
    err(/index "1" is out of range/),
  ],
  [
    '§4.6 test compares arrays element by element',
    { a: [1, [2]] },
    [{ op: 'test', path: '/a', value: [1, [3]] }],
    err(/differs/),
  ],
  [
    '§4.6 test of a missing array index is an error',
    { a: [] },
    [{ op: 'test', path: '/a/0', value: 1 }],
    err(/out of range/),
  ],
  [
    '§4.1 add through an out-of-range index is an error',
    { a: [{}] },
    [{ op: 'add', path: '/a/5/b', value: 1 }],
    err(/no parent of path "\/a\/5\/b"/),
  ],
  [
    '§4.1 add through a scalar is an error',
    { a: 1 },
    [{ op: 'add', path: '/a/b', value: 1 }],
    err(/no parent of path "\/a\/b"/),
  ],
  [
    '§4.1 add through null is an error',
    { a: null },
    [{ op: 'add', path: '/a/b', value: 1 }],
    err(/no parent of path "\/a\/b"/),
  ],
  [
    '§4.1 add through an array element that is a scalar is an error',
    { a: [1] },
    [{ op: 'add', path: '/a/0/b', value: 1 }],
    err(/no parent/),
  ],
  [
    '§4.2 an index with trailing characters is an error',
    { a: [1, 2] },
    [{ op: 'remove', path: '/a/1x' }],
    err(/index "1x"/),
  ],
  [
    '§4.2 an index with leading characters is an error',
    { a: [1, 2] },
    [{ op: 'remove', path: '/a/x1' }],
    err(/index "x1"/),
  ],
  [
    '§4.4 move without from is an error',
    { a: 1 },
    [{ op: 'move', path: '/b' } as JsonPatchOperation],
    err(/move: the document has no parent of from ""/),
  ],
  [
    '§4.5 copy without from is an error',
    { a: 1 },
    [{ op: 'copy', path: '/b' } as JsonPatchOperation],
    err(/copy: the document has no parent of from ""/),
  ],
  [
    '§4.6 test: arrays of other lengths differ',
    { a: [1, 2] },
    [{ op: 'test', path: '/a', value: [1, 2, 3] }],
    err(/differs/),
  ],
  [
    '§4.6 test: an array and an object differ',
    { a: [1] },
    [{ op: 'test', path: '/a', value: { 0: 1 } }],
    err(/differs/),
  ],
  ['§4.6 test: a scalar and an array differ', { a: 1 }, [{ op: 'test', path: '/a', value: [1] }], err(/differs/)],
  ['§4.6 test: a scalar and an object differ', { a: 1 }, [{ op: 'test', path: '/a', value: { a: 1 } }], err(/differs/)],
  [
    '§4.6 test: member values are compared',
    { a: { x: 1 } },
    [{ op: 'test', path: '/a', value: { x: 2 } }],
    err(/differs/),
  ],
  [
    '§4.6 test: nulls inside arrays and objects are equal',
    { a: [null, { x: null }] },
    [{ op: 'test', path: '/a', value: [null, { x: null }] }],
    { a: [null, { x: null }] },
  ],
  [
    '§5 a failing operation fails the whole patch',
    { a: 1 },
    [
      { op: 'add', path: '/b', value: 2 },
      { op: 'remove', path: '/zz' },
    ],
    err(/^JSON patch operation 1: /),
  ],
  [
    'unknown operation',
    { a: 1 },
    [{ op: 'frobnicate', path: '/a' } as unknown as JsonPatchOperation],
    err(/unknown operation "frobnicate"/),
  ],
];

/** Where evanphx/json-patch v4, and so the API server, differs from RFC 6902. */
const EVANPHX_V4: Case[] = [
  ['negative index counts from the end (remove)', { a: [1, 2, 3] }, [{ op: 'remove', path: '/a/-1' }], { a: [1, 2] }],
  [
    'negative index counts from the end (replace)',
    { a: [1, 2, 3] },
    [{ op: 'replace', path: '/a/-3', value: 0 }],
    { a: [0, 2, 3] },
  ],
  [
    'negative index beyond the start is an error',
    { a: [1, 2] },
    [{ op: 'remove', path: '/a/-3' }],
    err(/index "-3" is out of range/),
  ],
  ['add at -1 appends', { a: [1, 2] }, [{ op: 'add', path: '/a/-1', value: 3 }], { a: [1, 2, 3] }],
  ['a leading zero reads as decimal', { a: [1, 2] }, [{ op: 'replace', path: '/a/01', value: 9 }], { a: [1, 9] }],
  [
    'the root path names no parent: replace "" is an error',
    { a: 1 },
    [{ op: 'replace', path: '', value: { b: 2 } }],
    err(/no parent of path ""/),
  ],
  ['replace of a missing object member sets it', { a: 1 }, [{ op: 'replace', path: '/b', value: 2 }], { a: 1, b: 2 }],
  [
    'copy from a missing object member writes null',
    { a: 1 },
    [{ op: 'copy', from: '/b', path: '/c' }],
    { a: 1, c: null },
  ],
  ['test of a missing member passes against null', { a: 1 }, [{ op: 'test', path: '/b', value: null }], { a: 1 }],
  [
    'test of an object passes against a value with more members',
    { a: { x: 1 } },
    [{ op: 'test', path: '/a', value: { x: 1, y: 2 } }],
    { a: { x: 1 } },
  ],
  [
    'test of an object fails against a value with fewer members',
    { a: { x: 1, y: 2 } },
    [{ op: 'test', path: '/a', value: { x: 1 } }],
    err(/differs/),
  ],
];

function check([name, doc, patch, expected]: Case): void {
  const before = structuredClone(doc);
  if (expected instanceof Error) {
    assert.throws(
      () => applyPatch(doc, patch),
      (e: unknown) => e instanceof JsonPatchError && (expected as Error & { re: RegExp }).re.test(e.message),
      name,
    );
  } else {
    assert.deepEqual(applyPatch(doc, patch), expected, name);
  }
  assert.deepEqual(doc, before, `${name}: the input is not changed`);
}

describe('JSON Patch (lib/kube/json-patch.ts)', () => {
  describe('RFC 6902 Appendix A', () => {
    for (const c of APPENDIX_A) it(c[0], () => check(c));
  });
  describe('RFC 6902 §4 and §5 rules', () => {
    for (const c of RFC_RULES) it(c[0], () => check(c));
  });
  describe('evanphx/json-patch v4, as the API server applies a patch', () => {
    for (const c of EVANPHX_V4) it(c[0], () => check(c));
  });

  describe('diff (the patch policy-server computes from a mutated object)', () => {
    it('removes trailing array elements from the end, last first', () => {
      assert.deepEqual(diff({ a: [1, 2, 3, 4] }, { a: [1, 2] }), [
        { op: 'remove', path: '/a/3' },
        { op: 'remove', path: '/a/2' },
      ]);
    });
    it('replaces changed elements in place and adds new ones at the end', () => {
      assert.deepEqual(diff({ a: [1, 2] }, { a: [1, 5, 6] }), [
        { op: 'replace', path: '/a/1', value: 5 },
        { op: 'add', path: '/a/2', value: 6 },
      ]);
    });
    it('escapes ~ and / in member names, removes before it adds', () => {
      assert.deepEqual(diff({ 'a/b': 1, 'c~d': 2 }, { 'a/b': 3, e: 4 }), [
        { op: 'remove', path: '/c~0d' },
        { op: 'replace', path: '/a~1b', value: 3 },
        { op: 'add', path: '/e', value: 4 },
      ]);
    });
    it('replaces a value whose JSON type changes, and gives no operation for equal documents', () => {
      assert.deepEqual(diff({ a: [1] }, { a: { 0: 1 } }), [{ op: 'replace', path: '/a', value: { 0: 1 } }]);
      assert.deepEqual(diff({ a: null }, { a: 0 }), [{ op: 'replace', path: '/a', value: 0 }]);
      assert.deepEqual(diff({ a: [{ b: 1 }] }, { a: [{ b: 1 }] }), []);
    });
    it('applying the diff gives the target', () => {
      const pairs: [unknown, unknown][] = [
        [
          { spec: { containers: [{ name: 'a', securityContext: {} }, { name: 'b' }] } },
          {
            spec: {
              containers: [{ name: 'a', securityContext: { runAsNonRoot: true, capabilities: { drop: ['ALL'] } } }],
            },
          },
        ],
        [{ a: [1, 2, 3, 4, 5] }, { a: [5, 4] }],
        [{ a: { b: [null, { c: 1 }] } }, { a: { b: [{ c: 1 }, null, 3] }, d: 'x' }],
      ];
      for (const [from, to] of pairs) assert.deepEqual(applyPatch(from, diff(from, to)), to);
    });
  });
});
