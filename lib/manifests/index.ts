import { DEFAULT_LIMITS, type InputLimits } from './limits';
import { splitList } from './list-items';
import { isKustomization } from './objects';
import { ManifestParser } from './parser';
import { documentChunks, type DocumentChunk } from './split';
import { expandInputs, readSource, sourceName } from './read';
import { renderManifests, type RenderSpec } from './render';
import type { ManifestEntry } from './types';

/** Inputs (or batches of a large one's documents) read ahead of the one being parsed on the parser thread. */
const PARSE_AHEAD = 4;

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
  /** Told when the manifest parser thread fails (parsing goes on on the main thread). */
  onParserFailure?: (message: string) => void;
  /** `-k` / `--helm`: rendered after the `-f` inputs, their entries appended in order. */
  render?: RenderSpec[];
  /** Size of the batches a large input is parsed in (BATCH_CHARS; smaller in tests). */
  batchChars?: number;
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
  const parsing: (ManifestEntry[] | Promise<ManifestEntry[]>)[] = [];
  try {
    for (const s of sources) {
      const name = sourceName(s);
      if (s.type === 'stdin') {
        if (stdinUsed) continue;
        stdinUsed = true;
      }
      let text: string | undefined;
      try {
        text = await readSource(s, limits, opts.stdin);
      } catch (err) {
        parsing.push([
          { kind: 'error', source: { file: name, line: 0, docIndex: 0 }, message: (err as Error).message },
        ]);
      }
      if (text !== undefined) {
        opts.onText?.(name, text, s.type === 'file' ? s.path : undefined);
        const batchChars = opts.batchChars ?? BATCH_CHARS;
        if (text.length <= 2 * batchChars || isKustomization(name)) {
          parsing.push(handled(parser.parse(name, text, limits)));
        } else {
          for (const [chunks, chars] of batches(text, batchChars, limits)) {
            parsing.push(handled(parser.parseChunks(name, chunks, chars, limits)));
            while (parsing.length > PARSE_AHEAD) yield await parsing.shift()!;
          }
        }
      }
      while (parsing.length > 0 && (Array.isArray(parsing[0]) || parsing.length > PARSE_AHEAD))
        yield await parsing.shift()!;
    }
    while (parsing.length > 0) yield await parsing.shift()!;
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
 * A large input's documents in batches of about `size` characters, with their sizes. A List document larger than
 * a batch is cut into its items (`splitList`) when it can be.
 */
function* batches(text: string, size: number, limits: InputLimits): Generator<[DocumentChunk[], number]> {
  let batch: DocumentChunk[] = [];
  let chars = 0;
  for (const document of documentChunks(text)) {
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
