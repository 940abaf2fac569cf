// A policy's ValidationResponse (lib/wasm/responses.ts): short answers are remembered, so a repeated text must
// give the same outcome as its first parse, as an object of the caller's own, and a bad text must fail every time.
import { strict as assert } from 'node:assert';
import { parseValidationResponse } from '../../../lib/wasm/responses';

describe('parseValidationResponse', () => {
  it('a repeated short answer gives equal outcomes that are not the same object', () => {
    const text = '{"accepted":false,"message":"no latest tag","code":400,"mutated_object":null,"warnings":null}';
    const first = parseValidationResponse(text);
    const second = parseValidationResponse(text);
    assert.deepEqual(first, {
      ok: true,
      response: { accepted: false, message: 'no latest tag', code: 400, mutated_object: null, warnings: null },
    });
    assert.deepEqual(second, first);
    assert.ok(first.ok && second.ok);
    assert.notEqual(second.response, first.response);
    second.response.message = 'changed by a caller';
    const third = parseValidationResponse(text);
    assert.ok(third.ok);
    assert.equal(third.response.message, 'no latest tag');
  });

  it('answers with warnings or an object are parsed each time (their arrays and objects are per caller)', () => {
    const text = '{"accepted":true,"warnings":["w"]}';
    const a = parseValidationResponse(text);
    const b = parseValidationResponse(text);
    assert.ok(a.ok && b.ok);
    assert.deepEqual(b.response.warnings, ['w']);
    assert.notEqual(a.response.warnings, b.response.warnings);
  });

  it('a bad answer fails on every call', () => {
    for (let i = 0; i < 2; i++) {
      const out = parseValidationResponse('{"accepted":"yes"}');
      assert.deepEqual(out, {
        ok: false,
        message: 'internal server error: invalid response from policy: `accepted` must be a boolean',
        code: 500,
        reason: 'error',
      });
    }
  });
});
