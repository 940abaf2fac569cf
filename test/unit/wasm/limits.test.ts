// Evaluation limits (lib/wasm/limits.ts) and the flags that set them (cmd/evaluation-options.ts): exact values,
// so that a unit read as another or a default off by a factor fails here instead of passing a loose timing check.
import { strict as assert } from 'node:assert';
import { EVALUATION_OPTIONS, evaluationLimitsFromArgs, type EvaluationArgs } from '../../../cmd/evaluation-options';
import { DEFAULT_EVALUATION_LIMITS, parseDuration, parseMemory } from '../../../lib/wasm/limits';

const defaults = (): EvaluationArgs => ({
  workers: 1,
  timeout: EVALUATION_OPTIONS.timeout.default,
  'memory-limit': EVALUATION_OPTIONS['memory-limit'].default,
  'max-output-size': EVALUATION_OPTIONS['max-output-size'].default,
});

describe('evaluation limits and their flags', () => {
  it('defaults: 2 s deadline (policy-server --policy-timeout), 512 MiB memory, 64 MiB output', () => {
    assert.deepEqual(DEFAULT_EVALUATION_LIMITS, {
      timeoutMs: 2000,
      memoryLimitBytes: 536_870_912,
      maxOutputBytes: 67_108_864,
    });
    assert.equal(EVALUATION_OPTIONS.timeout.default, '2s');
    assert.equal(EVALUATION_OPTIONS['memory-limit'].default, '512Mi');
    assert.deepEqual(evaluationLimitsFromArgs(defaults()), {
      timeoutMs: 2000,
      memoryLimitBytes: 536_870_912,
      maxOutputBytes: 67_108_864,
    });
  });

  it('--memory-limit units: B, Ki, Mi, Gi are powers of 1024; a bare number is MiB', () => {
    const table: [string, number][] = [
      ['1Gi', 1_073_741_824],
      ['2Gi', 2_147_483_648],
      ['1.5Gi', 1_610_612_736],
      ['256Mi', 268_435_456],
      ['64Ki', 65_536],
      ['1048576B', 1_048_576],
      ['256', 268_435_456],
      [' 8Mi ', 8_388_608],
    ];
    for (const [text, bytes] of table) assert.equal(parseMemory(text), bytes, text);
    assert.equal(evaluationLimitsFromArgs({ ...defaults(), 'memory-limit': '1Gi' }).memoryLimitBytes, 1_073_741_824);
    for (const bad of ['1G', '1GB', 'Mi', '-1Mi', ''])
      assert.throws(() => parseMemory(bad), /invalid memory size/, bad);
    assert.throws(
      () => evaluationLimitsFromArgs({ ...defaults(), 'memory-limit': '32Ki' }),
      /--memory-limit must be at least 64Ki/,
    );
  });

  it('--timeout: ms, s, m and bare seconds; 0 disables the deadline', () => {
    const table: [string, number][] = [
      ['2s', 2000],
      ['500ms', 500],
      ['1m', 60_000],
      ['3', 3000],
      ['0.25s', 250],
      ['0', 0],
      ['0s', 0],
    ];
    for (const [text, ms] of table) assert.equal(parseDuration(text), ms, text);
    assert.equal(evaluationLimitsFromArgs({ ...defaults(), timeout: '0' }).timeoutMs, 0);
    for (const bad of ['2h', '-1s', 'soon', '']) assert.throws(() => parseDuration(bad), /invalid duration/, bad);
  });

  it('--max-output-size and --workers must be positive', () => {
    assert.equal(evaluationLimitsFromArgs({ ...defaults(), 'max-output-size': 1234 }).maxOutputBytes, 1234);
    assert.throws(
      () => evaluationLimitsFromArgs({ ...defaults(), 'max-output-size': 0 }),
      /--max-output-size must be positive/,
    );
    assert.throws(
      () => evaluationLimitsFromArgs({ ...defaults(), workers: 0 }),
      /--workers must be a whole number of at least 1, got 0/,
    );
  });
});

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
    for (const tiny of ['0.4ms', '0.0001s'])
      assert.throws(() => parseDuration(tiny), /is below 1ms, the smallest deadline/, tiny);
  });
});
