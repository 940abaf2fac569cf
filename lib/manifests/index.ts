import { DEFAULT_LIMITS, type InputLimits } from './limits';
import { splitList } from './list-items';
import { isKustomization } from './objects';
import { ManifestParser } from './parser';
import { statSync } from 'node:fs';
import { BoundedReadError } from '../base/bounded-read';
import { FileText, scanFile, textPieces, type FileScan } from './file-text';
import { documentChunks, documentsOfLines, linesOfPieces, type DocumentChunk } from './split';
import { expandInputs, fileReadMessage, NOT_TEXT, readSource, sourceName } from './read';
import { renderManifests, type RenderSpec } from './render';
import type { ManifestEntry } from './types';

/** Inputs (or batches of a large one's documents) read ahead of the one being parsed on the parser thread. */
const PARSE_AHEAD = 4;
/**
 * Characters of text read ahead, past which only two inputs (or batches) wait: four files of 1.6 MB, their texts
 * and then their entries, were held while earlier objects were evaluated. With at least two, reading the next
 * still overlaps parsing.
 */
const PARSE_AHEAD_CHARS = 2 << 20;

/**
 * An input larger than this is parsed in batches of its documents of about this size, each yielded as it is
 * parsed: what is held at a time is bounded by the batches in flight, not by the size of the file (a 50,000-object
 * dump parsed whole held every object twice, here and on the parser thread).
 */
const BATCH_CHARS = 1 << 20;

export type { ManifestEntry, ManifestObject, ManifestError, ManifestSkip, KubeObject, SourceLocation } from './types';
export { DEFAULT_LIMITS, type InputLimits } from './limits';
export { entriesFromText } from './objects';
export { rereader } from './reread';
export { InputTexts, type TextLookup } from './input-texts';
export { checkRenderTools, MissingToolError, renderManifests, renderSourceName, type RenderSpec } from './render';

export interface ManifestReadOptions {
  recursive: boolean;
  limits?: InputLimits;
  stdin?: NodeJS.ReadableStream;
  /** Called with each input's text as read (reporters use it to locate fields), and the path of a file input. */
  onText?: (name: string, text: string, path?: string) => void;
  /**
   * Called instead of `onText` for a file large enough to be parsed in batches: it is read in pieces, its text
   * never held whole; `digest` (SHA-256 of its bytes, `FileText`) tells whether a later read sees the same file.
   */
  onFile?: (name: string, path: string, digest: string) => void;
  /** Told when the manifest parser thread fails (parsing goes on on the main thread). */
  onParserFailure?: (message: string) => void;
  /** `-k` / `--helm`: rendered after the `-f` inputs, their entries appended in order. */
  render?: RenderSpec[];
  /** Size of the batches a large input is parsed in (BATCH_CHARS; smaller in tests). */
  batchChars?: number;
  /** Bytes a large file is read at a time (`FileText`; smaller in tests). */
  pieceBytes?: number;
}

/** Reads every input named by `-f` and returns its entries in input order; unreadable inputs become errors. */
export async function readManifests(args: string[], opts: ManifestReadOptions): Promise<ManifestEntry[]> {
  const out: ManifestEntry[] = [];
  for await (const batch of streamManifests(args, opts)) out.push(...batch);
  return out;
}

/**
 * The entries of `readManifests`, in the same order, one batch per input as soon as it is read and parsed, so
 * that evaluating the first inputs can overlap reading the rest.
 */
export async function* streamManifests(args: string[], opts: ManifestReadOptions): AsyncGenerator<ManifestEntry[]> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const { sources, errors } = await expandInputs(args, opts.recursive);
  if (errors.length > 0) {
    yield errors.map((e) => ({
      kind: 'error' as const,
      source: { file: e.name, line: 0, docIndex: 0 },
      message: e.message,
    }));
  }
  let stdinUsed = false;
  const parser = new ManifestParser(undefined, opts.onParserFailure);
  // Inputs read and being parsed, in input order: reading the next ones overlaps parsing on the parser thread.
  const parsing: { entries: ManifestEntry[] | Promise<ManifestEntry[]>; chars: number }[] = [];
  let parsingChars = 0;
  const push = (entries: ManifestEntry[] | Promise<ManifestEntry[]>, chars = 0): void => {
    parsing.push({ entries: handled(entries), chars });
    parsingChars += chars;
  };
  const full = (): boolean => parsing.length > PARSE_AHEAD || (parsing.length > 2 && parsingChars > PARSE_AHEAD_CHARS);
  const next = (): ManifestEntry[] | Promise<ManifestEntry[]> => {
    const head = parsing.shift()!;
    parsingChars -= head.chars;
    return head.entries;
  };
  try {
    for (const s of sources) {
      const name = sourceName(s);
      if (s.type === 'stdin') {
        if (stdinUsed) continue;
        stdinUsed = true;
      }
      const batchChars = opts.batchChars ?? BATCH_CHARS;
      const large =
        s.type === 'file' && !isKustomization(name)
          ? largeFile(s.path, limits, batchChars, opts.pieceBytes)
          : undefined;
      if (typeof large === 'string') {
        push([{ kind: 'error', source: { file: name, line: 0, docIndex: 0 }, message: large }]);
        continue;
      }
      if (large && s.type === 'file') {
        opts.onFile?.(name, s.path, large.digest);
        // Its documents are cut and parsed as the file is read: neither its bytes nor its text are held whole.
        let file: FileText | undefined;
        try {
          file = new FileText(s.path, limits.maxInputBytes, opts.pieceBytes);
          for (const [chunks, chars] of batches(
            documentsOfLines(linesOfPieces(textPieces(file))),
            batchChars,
            limits,
          )) {
            push(parser.parseChunks(name, chunks, chars, limits), chars);
            while (full()) yield await next();
          }
          if (file.digest() !== large.digest) push([changedWhileRead(name)]);
        } catch (err) {
          if (!(err instanceof BoundedReadError)) throw err;
          push([{ kind: 'error', source: { file: name, line: 0, docIndex: 0 }, message: fileReadMessage(err) }]);
        } finally {
          file?.close();
        }
      } else {
        let text: string | undefined;
        try {
          text = await readSource(s, limits, opts.stdin);
        } catch (err) {
          push([{ kind: 'error', source: { file: name, line: 0, docIndex: 0 }, message: (err as Error).message }]);
        }
        if (text !== undefined) {
          opts.onText?.(name, text, s.type === 'file' ? s.path : undefined);
          if (text.length <= 2 * batchChars || isKustomization(name)) {
            push(parser.parse(name, text, limits), text.length);
          } else {
            for (const [chunks, chars] of batches(documentChunks(text), batchChars, limits)) {
              push(parser.parseChunks(name, chunks, chars, limits), chars);
              while (full()) yield await next();
            }
          }
        }
      }
      while (parsing.length > 0 && (Array.isArray(parsing[0].entries) || full())) yield await next();
    }
    while (parsing.length > 0) yield await next();
  } finally {
    await parser.close();
  }
  if (opts.render?.length) yield await renderManifests(opts.render, { limits, onText: opts.onText });
}

/** Entries awaited in order later: a failure must not surface as unhandled meanwhile. */
function handled<T>(entries: T | Promise<T>): T | Promise<T> {
  if (entries instanceof Promise) entries.catch(() => undefined);
  return entries;
}

/**
 * A file whose text is longer than two batches (the inputs parsed in batches), scanned once without keeping it;
 * undefined for a smaller one (and one that cannot be read: `readSource` says why), the error entry's message for
 * a large one that is not text or cannot be read.
 */
function largeFile(
  path: string,
  limits: InputLimits,
  batchChars: number,
  pieceBytes: number | undefined,
): FileScan | string | undefined {
  let bytes: number;
  try {
    bytes = statSync(path).size;
  } catch {
    return undefined;
  }
  // A character is at least one byte: a file of fewer bytes is never parsed in batches.
  if (bytes <= 2 * batchChars) return undefined;
  let scan: FileScan;
  try {
    scan = scanFile(path, limits.maxInputBytes, pieceBytes);
  } catch (err) {
    if (!(err instanceof BoundedReadError)) throw err;
    return fileReadMessage(err);
  }
  if (scan.nul) return NOT_TEXT;
  return scan.chars > 2 * batchChars ? scan : undefined;
}

function changedWhileRead(name: string): ManifestEntry {
  return {
    kind: 'error',
    source: { file: name, line: 0, docIndex: 0 },
    message: 'the file changed while it was being read: its entries above may come from two versions of it',
  };
}

/**
 * A large input's documents in batches of about `size` characters, with their sizes. A List document larger than
 * a batch is cut into its items (`splitList`) when it can be.
 */
function* batches(
  documents: Iterable<DocumentChunk>,
  size: number,
  limits: InputLimits,
): Generator<[DocumentChunk[], number]> {
  let batch: DocumentChunk[] = [];
  let chars = 0;
  for (const document of documents) {
    const parts = (document.text.length > size && splitList(document, limits)) || [document];
    for (const chunk of parts) {
      batch.push(chunk);
      chars += chunk.text.length;
      if (chars >= size) {
        yield [batch, chars];
        batch = [];
        chars = 0;
      }
    }
  }
  if (batch.length > 0) yield [batch, chars];
}
