// lib/base/json-pointer.ts: RFC 6901 (sections 3 and 4), the one implementation that JSON Patch, field location
// and OPA's json builtins use.
import { strict as assert } from 'node:assert';
import { escapePointerToken, pointerTokens, toPointer, unescapePointerToken } from '../../../lib/base/json-pointer';

describe('JSON Pointer (RFC 6901)', () => {
  it('splits a pointer into unescaped tokens; the empty pointer is the whole document', () => {
    assert.deepEqual(pointerTokens(''), []);
    assert.deepEqual(pointerTokens('/'), ['']);
    assert.deepEqual(pointerTokens('/metadata/labels/app.kubernetes.io~1name'), [
      'metadata',
      'labels',
      'app.kubernetes.io/name',
    ]);
    assert.deepEqual(pointerTokens('/a~0b/c%d/ /0'), ['a~b', 'c%d', ' ', '0']);
  });

  it('refuses a pointer that does not start with /', () => {
    assert.equal(pointerTokens('metadata/name'), undefined);
    assert.equal(pointerTokens('#/metadata'), undefined);
  });

  it('unescapes ~1 before ~0, so ~01 is the token ~1 (RFC 6901 section 4)', () => {
    assert.equal(unescapePointerToken('~01'), '~1');
    assert.equal(unescapePointerToken('~10'), '/0');
    assert.equal(escapePointerToken('~1'), '~01');
    assert.equal(escapePointerToken('a/b~c'), 'a~1b~0c');
  });

  it('writes a path back as the pointer it came from', () => {
    for (const p of ['', '/', '/spec/containers/0/image', '/metadata/annotations/a~1b~0c', '/~01']) {
      assert.equal(toPointer(pointerTokens(p)!), p);
    }
    assert.equal(toPointer(['spec', 'containers', 1]), '/spec/containers/1');
  });
});
