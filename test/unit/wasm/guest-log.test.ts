import { strict as assert } from 'node:assert';
import { createLogger } from '../../../lib/base/log';
import { GuestLog } from '../../../lib/wasm/guest-log';

describe("a policy's own log output (lib/wasm/guest-log.ts)", () => {
  it('passes lines until the per-evaluation budget, then one truncation marker, and nothing until reset', () => {
    const lines: string[] = [];
    const log = new GuestLog(
      createLogger('debug', (l) => lines.push(l)),
      10,
      'p',
    );
    log.info('12345');
    log.debug('6789012345');
    log.warn('dropped');
    assert.deepEqual(lines, [
      '12345',
      'debug: 67890... [log output of policy p truncated: more than 10 characters in one evaluation (--max-output-size)]',
    ]);
    log.reset();
    log.error('again');
    assert.equal(lines.at(-1), 'error: again');
  });

  it('survives being copied with object spread, as runtimes copy a Logger', () => {
    const lines: string[] = [];
    const copy = {
      ...new GuestLog(
        createLogger('debug', (l) => lines.push(l)),
        100,
        'p',
      ),
    };
    copy.warn('w');
    copy.debug('d');
    assert.deepEqual(lines, ['warn: w', 'debug: d']);
  });
});
