import { createHash } from 'node:crypto';
import { closeSync } from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import { openRegularFileSync, readPartSync, ReadBudget } from '../base/bounded-read';

/** Bytes read at a time. */
const PIECE_BYTES = 1 << 20;

/** What a first read of a large file found, without keeping its text. */
export interface FileScan {
  /** Length of its text (UTF-16 code units, as `string.length`). */
  chars: number;
  /** SHA-256 of its bytes (hex). */
  digest: string;
  /** Whether it holds a NUL byte (then it is not a text file: lib/manifests/read.ts). */
  nul: boolean;
}

/**
 * The text of a regular file read a piece at a time, decoded as `Buffer.toString('utf8')` decodes the whole
 * file (a character split between two pieces is decoded whole), with the digest of the bytes read. A 79 MB file
 * costs a megabyte of buffer instead of its bytes and its text at once. Throws BoundedReadError (open, read, past
 * `maxBytes`).
 */
export class FileText {
  private fd?: number;
  private readonly buffer: Buffer;
  private readonly hash = createHash('sha256');
  private readonly decoder = new StringDecoder('utf8');
  private readonly budget: ReadBudget;
  private ended = false;

  constructor(
    path: string,
    maxBytes: number,
    /** Bytes read at a time (PIECE_BYTES; smaller in tests). */
    pieceBytes: number = PIECE_BYTES,
  ) {
    const { fd, size } = openRegularFileSync(path, maxBytes);
    this.fd = fd;
    this.budget = new ReadBudget(maxBytes);
    this.buffer = Buffer.allocUnsafe(Math.min(pieceBytes, size + 1));
  }

  /** The next piece of text ('' when a piece ends inside a character), or undefined after the last. */
  next(): string | undefined {
    const bytes = this.nextBytes();
    if (bytes === undefined) {
      if (this.ended) return undefined;
      this.ended = true;
      return this.decoder.end();
    }
    return this.decoder.write(bytes);
  }

  /** The digest of the whole file: reads (without decoding) what `next` did not, then closes it. */
  digest(): string {
    while (this.nextBytes() !== undefined);
    return this.hash.digest('hex');
  }

  /** Closes the file (also when it was not read to the end). */
  close(): void {
    if (this.fd === undefined) return;
    closeSync(this.fd);
    this.fd = undefined;
  }

  private nextBytes(): Buffer | undefined {
    if (this.fd === undefined) return undefined;
    const n = readPartSync(this.fd, this.buffer, this.budget.room(this.buffer.length));
    if (n === 0) {
      this.close();
      return undefined;
    }
    try {
      this.budget.took(n);
    } catch (err) {
      this.close();
      throw err;
    }
    const part = this.buffer.subarray(0, n);
    this.hash.update(part);
    return part;
  }
}

/**
 * The pieces of a file's text. A loop that ends early leaves the file open, so that `digest` can still read the
 * rest: its owner closes it.
 */
export function* textPieces(file: FileText): Generator<string> {
  for (let piece = file.next(); piece !== undefined; piece = file.next()) yield piece;
}

/** Reads `path` once, keeping nothing of it: how long its text is, its digest, whether it holds NUL bytes. */
export function scanFile(path: string, maxBytes: number, pieceBytes?: number): FileScan {
  const file = new FileText(path, maxBytes, pieceBytes);
  let chars = 0;
  let nul = false;
  try {
    for (let piece = file.next(); piece !== undefined; piece = file.next()) {
      chars += piece.length;
      if (!nul && piece.includes('\0')) nul = true;
    }
    return { chars, digest: file.digest(), nul };
  } finally {
    file.close();
  }
}
