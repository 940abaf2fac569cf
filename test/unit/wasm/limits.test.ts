import { strict as assert } from 'node:assert';
import { parseDuration, parseMemory } from '../../../lib/wasm/limits';

describe('sandbox flag values (lib/wasm/limits.ts)', () => {
  it('--memory-limit: Gi, Mi and Ki are binary units, a plain number is MiB', () => {
    assert.equal(parseMemory('1Gi'), 1024 ** 3);
    assert.equal(parseMemory('1.5Gi'), 1.5 * 1024 ** 3);
    assert.equal(parseMemory('16Mi'), 16 * 1024 ** 2);
    assert.equal(parseMemory('64Ki'), 65536);
    assert.equal(parseMemory('256'), 256 * 1024 ** 2);
    assert.equal(parseMemory('1048576B'), 1048576);
    assert.throws(() => parseMemory('1G'), /invalid memory size "1G"/);
  });

  it('--timeout: whole milliseconds rounded up, 0 in any unit disables, below 1ms is refused', () => {
    assert.equal(parseDuration('2s'), 2000);
    assert.equal(parseDuration('1.5ms'), 2);
    assert.equal(parseDuration('1m'), 60_000);
    for (const zero of ['0', '0s', '0ms', '0m']) assert.equal(parseDuration(zero), 0, zero);
    for (const tiny of ['0.4ms', '0.0001s']) assert.throws(() => parseDuration(tiny), /is below 1ms, the smallest deadline/, tiny);
  });
});
