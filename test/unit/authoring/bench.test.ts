import { strict as assert } from 'node:assert';
import { distribution } from '../../../lib/authoring/bench';
import { startDirect } from '../../../lib/authoring/direct';
import { silentLogger } from '../../../lib/base/log';
import { bundledPolicySet } from '../../../lib/policy/bundled';

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

describe('direct runs: where they evaluate', function () {
  this.timeout(60000);

  // `run` (one request) evaluates on the main thread; `bench` times worker round trips, so it asks for workers.
  for (const inline of [undefined, false] as const) {
    it(`a bundled policy ${inline === false ? 'in a worker when asked' : 'on the main thread by default'}`, async () => {
      const [spec] = bundledPolicySet().filter((s) => s.module === 'builtin://pss-privileged');
      const direct = await startDirect([spec], { log: silentLogger, ...(inline === false ? { inline } : {}) });
      try {
        const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] } };
        const answer = await direct.pool.evaluate(
          JSON.stringify({
            uid: 'u',
            kind: { group: '', version: 'v1', kind: 'Pod' },
            operation: 'CREATE',
            object: pod,
          }),
          [0],
        );
        assert.equal(answer[0].ok, true);
        assert.equal(direct.pool.workersStarted, inline === false ? 1 : 0);
      } finally {
        await direct.close();
      }
    });
  }
});
