import { createHash } from 'node:crypto';
import { readRegularFileSync } from '../base/bounded-read';

/** Each input's text by the name results give it (`SourceLocation.file`). */
export interface TextLookup {
  get(name: string): string | undefined;
}

/**
 * Characters of file texts kept in memory; past them, files are read again from disk when a reporter asks.
 * Keeping every text held the whole input to the end of the run (79 MB for 50,000 objects), for the results whose
 * field is located.
 */
const KEEP_CHARS = 16 << 20;

/**
 * The inputs' texts, kept for the reporters to locate fields in and for objects to be read again. Past a budget,
 * a file is kept as its path and digest, and read again on demand: a file that changed since it was checked gives
 * nothing (its results are not located, and its objects cannot be read again), never positions in other text.
 * Texts that are not files (stdin, URLs, rendered charts) are always kept.
 */
export class InputTexts implements TextLookup {
  private readonly kept = new Map<string, string>();
  private readonly onDisk = new Map<string, { path: string; digest: string }>();
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
      this.onDisk.set(name, { path, digest: digestOf(text) });
    }
  }

  get(name: string): string | undefined {
    const kept = this.kept.get(name);
    if (kept !== undefined) return kept;
    const file = this.onDisk.get(name);
    if (!file) return undefined;
    // Callers go file by file: the last one read is kept.
    if (this.last?.name !== name) this.last = { name, text: this.reread(file.path, file.digest) };
    return this.last.text;
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

function digestOf(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}
