import { createHash } from 'node:crypto';
import { readRegularFileSync } from '../base/bounded-read';
import { FileText, textPieces } from './file-text';
import { documentChunks, documentsOfLines, linesOfPieces, type DocumentChunk } from './split';

/** Each input's documents by the name results give it (`SourceLocation.file`). */
export interface TextLookup {
  /** The input's documents, undefined when its text cannot be had (or is no longer the text that was checked). */
  documents(name: string): InputDocuments | undefined;
}

/** An input's documents, cut as `documentChunks` cuts its text. */
export interface InputDocuments {
  /** The documents from the first, at each call. */
  chunks(): Generator<DocumentChunk>;
  /**
   * Whether the documents the last `chunks()` gave are those of the text that was checked. A file read again in
   * pieces can only tell once it is read to the end: this reads what is left of it.
   */
  intact(): boolean;
}

/**
 * Characters of file texts kept in memory; past them, files are read again from disk when a reporter asks.
 * Keeping every text held the whole input to the end of the run (79 MB for 50,000 objects), for the results whose
 * field is located; 16 MB of them were still most of the main thread's large objects at the peak of 50 files of
 * 1,000 objects. Reading a file again costs about 5 ms of CPU per MB (its digest and decoding).
 */
const KEEP_CHARS = 4 << 20;

/**
 * The inputs' texts, kept for the reporters to locate fields in and for objects to be read again. Past a budget,
 * a file is kept as its path and digest, and read again on demand: a file that changed since it was checked gives
 * nothing (its results are not located, and its objects cannot be read again), never positions in other text.
 * A large file read in pieces (`addFile`) is read again in pieces. Texts that are not files (stdin, URLs,
 * rendered charts) are always kept.
 */
export class InputTexts implements TextLookup {
  private readonly kept = new Map<string, string>();
  private readonly onDisk = new Map<string, { path: string; digest: string; pieces: boolean }>();
  private last?: { name: string; text: string | undefined };
  private keptChars = 0;

  constructor(
    /** The input size limit the file was read with. */
    private readonly maxBytes: number,
    private readonly keepChars: number = KEEP_CHARS,
  ) {}

  /** An input's text as read; `path` when it is a file that can be read again. */
  add(name: string, text: string, path?: string): void {
    if (path === undefined || this.keptChars + text.length <= this.keepChars) {
      this.kept.set(name, text);
      if (path !== undefined) this.keptChars += text.length;
    } else {
      this.onDisk.set(name, { path, digest: digestOf(text), pieces: false });
    }
  }

  /** A file that was read in pieces (its text never held whole), with the digest of its bytes (`FileText`). */
  addFile(name: string, path: string, digest: string): void {
    this.onDisk.set(name, { path, digest, pieces: true });
  }

  /** An input's whole text, when it is kept or read whole (not for files read in pieces). */
  get(name: string): string | undefined {
    const kept = this.kept.get(name);
    if (kept !== undefined) return kept;
    const file = this.onDisk.get(name);
    if (!file || file.pieces) return undefined;
    // Callers go file by file: the last one read is kept.
    if (this.last?.name !== name) this.last = { name, text: this.reread(file.path, file.digest) };
    return this.last.text;
  }

  documents(name: string): InputDocuments | undefined {
    const file = this.onDisk.get(name);
    if (file?.pieces) return new FileDocuments(file.path, this.maxBytes, file.digest);
    const text = this.get(name);
    return text === undefined ? undefined : textDocuments(text);
  }

  private reread(path: string, digest: string): string | undefined {
    let text: string;
    try {
      text = readRegularFileSync(path, this.maxBytes).toString('utf8');
    } catch {
      return undefined;
    }
    return digestOf(text) === digest ? text : undefined;
  }
}

/** The documents of a text held in memory. */
export function textDocuments(text: string): InputDocuments {
  return { chunks: () => documentChunks(text), intact: () => true };
}

/** The documents of a file read again in pieces, checked against the digest taken when it was first read. */
class FileDocuments implements InputDocuments {
  private file?: FileText;
  private failed = false;

  constructor(
    private readonly path: string,
    private readonly maxBytes: number,
    private readonly digest: string,
  ) {}

  *chunks(): Generator<DocumentChunk> {
    this.file?.close();
    this.failed = false;
    let file: FileText;
    try {
      file = new FileText(this.path, this.maxBytes);
    } catch {
      this.failed = true;
      return;
    }
    this.file = file;
    try {
      yield* documentsOfLines(linesOfPieces(textPieces(file)));
    } catch {
      // Unreadable now (removed, grown past the limit): what was given is not known to be the checked text.
      this.failed = true;
    }
  }

  intact(): boolean {
    if (this.failed || !this.file) return false;
    try {
      return this.file.digest() === this.digest;
    } catch {
      return false;
    } finally {
      this.file.close();
      this.file = undefined;
    }
  }
}

function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
