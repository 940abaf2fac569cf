import { strict as assert } from 'node:assert';
import { PolicyFetchError } from '../../../lib/store/errors';

/** Rejects with a PolicyFetchError of `kind` whose message matches `re`. */
export async function rejectsWith(p: Promise<unknown>, kind: string, re: RegExp): Promise<PolicyFetchError> {
  let caught: unknown;
  try {
    await p;
  } catch (err) {
    caught = err;
  }
  assert.ok(caught instanceof PolicyFetchError, `expected a PolicyFetchError, got ${String(caught)}`);
  assert.equal(caught.kind, kind, caught.message);
  assert.match(caught.message, re);
  return caught;
}
