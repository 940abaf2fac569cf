import { closeSync, constants, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { open } from 'node:fs/promises';

/**
 * Reading a file named by a user, a repository or a cluster object, bounded. `stat().size` is 0 for devices and
 * FIFOs (`/dev/zero` has no end; a FIFO blocks until someone writes), so a size check before reading holds for
 * regular files only: these functions open the path (following links), refuse what is not a regular file on the
 * opened descriptor (no window between the check and the read), and stop reading past the limit whatever the
 * size claimed. O_NONBLOCK lets the open of a FIFO return at once instead of waiting for a writer.
 */

export type BoundedReadFailure = 'not-found' | 'not-regular' | 'too-large' | 'io';

export class BoundedReadError extends Error {
  override name = 'BoundedReadError';
  constructor(
    message: string,
    readonly reason: BoundedReadFailure,
  ) {
    super(message);
  }
}

const OPEN_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0);
const CHUNK = 1 << 20;

/** What a file that is not a regular one is, for messages: `a FIFO`, `a character device`, ... */
export function fileTypeOf(st: Stats): string {
  if (st.isDirectory()) return 'a directory';
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice()) return 'a character device';
  if (st.isBlockDevice()) return 'a block device';
  if (st.isSocket()) return 'a socket';
  return 'not a regular file';
}

function notRegular(st: Stats): BoundedReadError {
  const type = fileTypeOf(st);
  return new BoundedReadError(st.isDirectory() ? 'is a directory' : `not a regular file (${type})`, 'not-regular');
}

export function tooLargeMessage(size: number, maxBytes: number, exact: boolean): string {
  return `${exact ? '' : 'more than '}${size} bytes, larger than the limit of ${maxBytes} bytes`;
}

function systemError(err: unknown): BoundedReadError {
  const e = err as NodeJS.ErrnoException;
  if (e.code === 'ENOENT') return new BoundedReadError('no such file or directory', 'not-found');
  if (e.code === 'ENOTDIR') return new BoundedReadError('a component of the path is not a directory', 'not-found');
  if (e.code === 'EACCES') return new BoundedReadError('permission denied', 'io');
  if (e.code === 'EISDIR') return new BoundedReadError('is a directory', 'not-regular');
  if (e.code === 'ELOOP') return new BoundedReadError('too many levels of symbolic links', 'io');
  return new BoundedReadError(e.message, 'io');
}

/** Refuses what is not a regular file, or one larger than `maxBytes` by its size. */
function checkRegular(st: Stats, maxBytes: number): void {
  if (!st.isFile()) throw notRegular(st);
  if (st.size > maxBytes) throw new BoundedReadError(tooLargeMessage(st.size, maxBytes, true), 'too-large');
}

/**
 * What a bounded read may still take, counted as it reads: a file that grows while it is read still stops at the
 * limit (one byte past it tells). Every reader of this file and lib/manifests/file-text.ts counts with it.
 */
export class ReadBudget {
  private total = 0;
  constructor(private readonly maxBytes: number) {}

  /** Bytes read so far. */
  get bytes(): number {
    return this.total;
  }

  /** How much the next read may ask for: at most `size`, and at most one byte past the limit. */
  room(size: number): number {
    return Math.min(size, this.maxBytes + 1 - this.total);
  }

  /** Counts `n` bytes read. Throws past the limit. */
  took(n: number): void {
    this.total += n;
    if (this.total > this.maxBytes)
      throw new BoundedReadError(tooLargeMessage(this.maxBytes, this.maxBytes, false), 'too-large');
  }
}

/** The parts of a bounded read, and the buffer for the next one: the sync and async readers share it. */
class BoundedParts {
  private readonly parts: Buffer[] = [];
  private readonly budget: ReadBudget;
  constructor(maxBytes: number) {
    this.budget = new ReadBudget(maxBytes);
  }

  /** Room for the next read. */
  next(): Buffer {
    return Buffer.allocUnsafe(this.budget.room(CHUNK));
  }

  /** Keeps the `n` bytes read into `buf`; false at the end of the file. Throws past the limit. */
  took(buf: Buffer, n: number): boolean {
    if (n === 0) return false;
    this.parts.push(n === buf.length ? buf : buf.subarray(0, n));
    this.budget.took(n);
    return true;
  }

  bytes(): Buffer {
    return this.parts.length === 1 ? this.parts[0] : Buffer.concat(this.parts, this.budget.bytes);
  }
}

/**
 * Opens regular file `file` (links followed) for reading in parts, refusing what readRegularFileSync refuses
 * before reading (not a regular file, larger than `maxBytes`); the caller reads, stops past `maxBytes` and closes.
 * Throws BoundedReadError.
 */
export function openRegularFileSync(file: string, maxBytes: number): { fd: number; size: number } {
  let fd: number;
  try {
    fd = openSync(file, OPEN_FLAGS);
  } catch (err) {
    throw systemError(err);
  }
  try {
    const st = fstatSync(fd);
    checkRegular(st, maxBytes);
    return { fd, size: st.size };
  } catch (err) {
    closeSync(fd);
    if (err instanceof BoundedReadError) throw err;
    throw systemError(err);
  }
}

/** A read of a file opened by openRegularFileSync, its failure as a BoundedReadError. */
export function readPartSync(fd: number, buf: Buffer, length: number): number {
  try {
    return readSync(fd, buf, 0, length, null);
  } catch (err) {
    throw systemError(err);
  }
}

/** The bytes of regular file `file` (links followed), at most `maxBytes` of them. Throws BoundedReadError. */
export function readRegularFileSync(file: string, maxBytes: number): Buffer {
  const { fd } = openRegularFileSync(file, maxBytes);
  try {
    const parts = new BoundedParts(maxBytes);
    for (let buf = parts.next(); parts.took(buf, readPartSync(fd, buf, buf.length)); buf = parts.next());
    return parts.bytes();
  } finally {
    closeSync(fd);
  }
}

/** readRegularFileSync without blocking the event loop. */
export async function readRegularFile(file: string, maxBytes: number): Promise<Buffer> {
  let fh;
  try {
    fh = await open(file, OPEN_FLAGS);
  } catch (err) {
    throw systemError(err);
  }
  try {
    checkRegular(await fh.stat(), maxBytes);
    const parts = new BoundedParts(maxBytes);
    for (;;) {
      const buf = parts.next();
      if (!parts.took(buf, (await fh.read(buf, 0, buf.length, null)).bytesRead)) break;
    }
    return parts.bytes();
  } catch (err) {
    if (err instanceof BoundedReadError) throw err;
    throw systemError(err);
  } finally {
    await fh.close();
  }
}
