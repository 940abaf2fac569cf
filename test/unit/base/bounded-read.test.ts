// Bounded reads of user-named files (lib/base/bounded-read.ts): the sync and async readers refuse the same things
// with the same errors, and read a regular file whole whatever its size up to the limit.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { BoundedReadError, readRegularFile, readRegularFileSync } from '../../../lib/base/bounded-read';

type Reader = (file: string, maxBytes: number) => Promise<Buffer>;
const READERS: [string, Reader][] = [
  ['readRegularFileSync', (f, m) => Promise.resolve().then(() => readRegularFileSync(f, m))],
  ['readRegularFile', readRegularFile],
];

async function failure(read: Reader, file: string, maxBytes: number): Promise<BoundedReadError> {
  try {
    await read(file, maxBytes);
  } catch (err) {
    assert.ok(err instanceof BoundedReadError, String(err));
    return err;
  }
  assert.fail(`${file} was read`);
}

describe('bounded reads', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'bounded-read-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  for (const [name, read] of READERS) {
    describe(name, () => {
      it('reads a file of several chunks whole, and one of exactly the limit', async () => {
        const big = Buffer.alloc((1 << 20) * 2 + 123, 7);
        big[big.length - 1] = 9;
        writeFileSync(path.join(dir, 'big'), big);
        assert.ok((await read(path.join(dir, 'big'), big.length)).equals(big));
        writeFileSync(path.join(dir, 'empty'), '');
        assert.equal((await read(path.join(dir, 'empty'), 10)).length, 0);
      });

      it('refuses a file larger than the limit by its size, with both sizes', async () => {
        writeFileSync(path.join(dir, 'eleven'), 'x'.repeat(11));
        const e = await failure(read, path.join(dir, 'eleven'), 10);
        assert.equal(e.reason, 'too-large');
        assert.equal(e.message, '11 bytes, larger than the limit of 10 bytes');
      });

      it('refuses a device, a FIFO (without waiting for a writer), a directory and a missing path', async () => {
        const zero = await failure(read, '/dev/zero', 10);
        assert.deepEqual([zero.reason, zero.message], ['not-regular', 'not a regular file (a character device)']);
        const fifo = path.join(dir, `fifo-${name}`);
        execFileSync('mkfifo', [fifo]);
        const f = await failure(read, fifo, 10);
        assert.deepEqual([f.reason, f.message], ['not-regular', 'not a regular file (a FIFO)']);
        const d = await failure(read, dir, 10);
        assert.equal(d.reason, 'not-regular');
        assert.equal(d.message, 'is a directory');
        const missing = await failure(read, path.join(dir, 'missing'), 10);
        assert.deepEqual([missing.reason, missing.message], ['not-found', 'no such file or directory']);
      });
    });
  }
});
