import { strict as assert } from 'node:assert';
import { distribution } from '../../../lib/authoring/bench';

describe('bench: distribution', () => {
  it('nearest-rank median and p99', () => {
    const samples = Array.from({ length: 200 }, (_, i) => 200 - i); // 200..1, unsorted on purpose
    const d = distribution(samples);
    assert.deepEqual([d.count, d.min, d.median, d.p99, d.max], [200, 1, 100, 198, 200]);
    assert.equal(d.mean, 100.5);
  });

  it('one sample is every statistic', () => {
    assert.deepEqual(distribution([3]), { count: 1, min: 3, median: 3, p99: 3, max: 3, mean: 3 });
  });
});
