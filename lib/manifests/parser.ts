import type { Worker } from 'node:worker_threads';
import { startThread } from '../base/thread-script';
import type { InputLimits } from './limits';
import { entriesFromChunks, entriesFromText } from './objects';
import type { DocumentChunk } from './split';
import type { ManifestEntry } from './types';

declare const __MANIFEST_PARSER_SOURCE__: string | undefined;

export const PARSER_BUNDLE = 'manifest-parser.cjs';

/**
 * Input parsed on the main thread before the parser thread starts: a small input (the pre-commit case) never
 * pays a thread's start-up (~30-50 ms), a large one moves its parsing (~150 ms of CPU per MB of YAML, most of
 * the main thread's work) off the thread that builds requests and reports.
 */
const THREAD_AFTER_CHARS = 1 << 18;

/**
 * The parser thread's young generation, in MB (two semi-spaces of 4 MB and the young large objects). V8 let it
 * grow to 48 MB (16 MB semi-spaces) on large inputs, all of it resident: what a batch of documents allocates
 * survives until its entries are cloned out, which is what V8 grows the young generation for. 50 files of 1,000
 * objects: the thread's heap 49 → 29 MB, the process's peak 20-25 MB lower, CPU time within the noise
 * (docs/performance.md, round 4, memory).
 */
const PARSER_HEAP = { maxYoungGenerationSizeMb: 12 };

/** A text to parse, or some of its documents, posted to the parser thread. */
export interface ParseRequest {
  id: number;
  file: string;
  input: { text: string } | { chunks: DocumentChunk[] };
  limits: InputLimits;
}

/** The entries a request asks for (on whichever thread parses it). */
export function parseRequest(r: Omit<ParseRequest, 'id'>): ManifestEntry[] {
  return 'text' in r.input
    ? entriesFromText(r.file, r.input.text, r.limits)
    : entriesFromChunks(r.file, r.input.chunks, r.limits);
}

export type ParseReply = { id: number; entries: ManifestEntry[] } | { id: number; failure: string };

interface Waiting {
  request: ParseRequest;
  resolve: (entries: ManifestEntry[]) => void;
  reject: (err: Error) => void;
}

/**
 * Turns inputs' texts into entries (entriesFromText), on a thread of its own once the input is large. Entries
 * come back by structured clone, which costs the main thread about a tenth of parsing them. A thread that
 * cannot start or dies leaves its texts to be parsed here: the run never depends on it.
 */
export class ManifestParser {
  private thread?: Worker;
  private failed = false;
  private chars = 0;
  private nextId = 0;
  private readonly waiting = new Map<number, Waiting>();
  private onThread = 0;

  private closing = false;

  constructor(
    private readonly threadAfterChars: number = THREAD_AFTER_CHARS,
    /** Told when the thread could not start or died: the run goes on, slower. */
    private readonly onThreadFailure?: (message: string) => void,
  ) {}

  /** How many texts went to the thread. */
  get parsedOnThread(): number {
    return this.onThread;
  }

  /** The entries of `text`: at once while the input is small, later (in any order of calls) on the thread. */
  parse(file: string, text: string, limits: InputLimits): ManifestEntry[] | Promise<ManifestEntry[]> {
    return this.post({ file, input: { text }, limits }, text.length);
  }

  /** The entries of some documents of a large input, as `parse` gives them. */
  parseChunks(
    file: string,
    chunks: DocumentChunk[],
    chars: number,
    limits: InputLimits,
  ): ManifestEntry[] | Promise<ManifestEntry[]> {
    return this.post({ file, input: { chunks }, limits }, chars);
  }

  private post(r: Omit<ParseRequest, 'id'>, chars: number): ManifestEntry[] | Promise<ManifestEntry[]> {
    this.chars += chars;
    const thread =
      this.failed || this.closing || this.chars < this.threadAfterChars ? undefined : (this.thread ??= this.start());
    if (!thread) return parseRequest(r);
    const request: ParseRequest = { id: this.nextId++, ...r };
    this.onThread++;
    return new Promise((resolve, reject) => {
      this.waiting.set(request.id, { request, resolve, reject });
      thread.postMessage(request);
    });
  }

  /** Stops the thread; texts still waiting are parsed here. */
  async close(): Promise<void> {
    this.closing = true;
    const t = this.thread;
    this.thread = undefined;
    if (t) await t.terminate();
  }

  private start(): Worker {
    const t = startThread(
      PARSER_BUNDLE,
      typeof __MANIFEST_PARSER_SOURCE__ !== 'undefined' ? __MANIFEST_PARSER_SOURCE__ : undefined,
      PARSER_HEAP,
    );
    // Its work is always awaited by the reader; an idle parser must not keep the process alive.
    t.unref();
    t.on('message', (reply: ParseReply) => {
      const w = this.waiting.get(reply.id);
      if (!w) return;
      this.waiting.delete(reply.id);
      if ('entries' in reply) w.resolve(reply.entries);
      else w.reject(new Error(`parsing ${w.request.file} failed: ${reply.failure}`));
    });
    const fallBack = (why: string): void => {
      if (!this.closing && !this.failed)
        this.onThreadFailure?.(`the manifest parser thread ${why}: parsing on the main thread`);
      this.failed = true;
      this.thread = undefined;
      for (const [id, w] of this.waiting) {
        this.waiting.delete(id);
        try {
          w.resolve(parseRequest(w.request));
        } catch (err) {
          w.reject(err as Error);
        }
      }
    };
    t.on('error', (err) => fallBack(`failed (${err.message})`));
    t.on('exit', (code) => fallBack(`exited (code ${code})`));
    return t;
  }
}
