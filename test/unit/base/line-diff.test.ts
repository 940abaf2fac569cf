import { strict as assert } from 'node:assert';
import { editScript } from '../../../lib/base/line-diff';

/** The one line diff (lib/base/line-diff.ts) behind report diffs and `check --write`'s line matching. */
describe('line diff (lib/base/line-diff)', () => {
  const show = (a: string[], b: string[], max?: number): string =>
    editScript(a, b, max)
      .map(([k, i, j]) => (k === '+' ? `+${b[j]}` : `${k}${a[i]}`))
      .join(' ');

  it('keeps the common lines and, on a tie, inserts before it deletes', () => {
    assert.equal(show(['a', 'x', 'c'], ['a', 'y', 'c']), ' a +y -x  c');
    assert.equal(show(['p', 'q'], ['q', 'p']), '+q  p -q');
    assert.equal(show([], ['a']), '+a');
    assert.equal(show(['a'], []), '-a');
    assert.equal(show(['a', 'b'], ['a', 'b']), ' a  b');
  });

  it('indexes each step in both texts', () => {
    assert.deepEqual(editScript(['a', 'b', 'c'], ['a', 'c', 'd']), [
      [' ', 0, 0],
      ['-', 1, 1],
      [' ', 2, 1],
      ['+', 3, 2],
    ]);
  });

  it('leaves a middle larger than maxCells unmatched, the common prefix and suffix kept', () => {
    assert.equal(show(['s', 'a', 'b', 'e'], ['s', 'b', 'a', 'e'], 3), ' s +b +a -a -b  e');
    assert.equal(show(['s', 'a', 'b', 'e'], ['s', 'b', 'a', 'e'], 4), ' s +b  a -b  e');
  });
});
