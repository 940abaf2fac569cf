import { writeFileAtomic } from '../base/fs-atomic';
import type { Reporter, ReporterOptions, ReportText } from './reporter';
import type { Report } from '../evaluation/result';
import { UserError } from '../base/user-error';

/** An `-o FORMAT=FILE` that could not be written (a missing directory, no permission, a link to nothing). */
export class OutputFileError extends UserError<'output'> {
  override name = 'OutputFileError';
  constructor(message: string) {
    super(message, 'output');
  }
}

/** One `-o` value: `FORMAT` (stdout) or `FORMAT=FILE`. */
export interface OutputSpec {
  format: string;
  file?: string;
}

/** Parses `-o` values; throws an Error with a user-facing message on unknown formats or conflicts. */
export function parseOutputs(values: readonly string[], known: readonly string[]): OutputSpec[] {
  const specs: OutputSpec[] = [];
  for (const v of values.length > 0 ? values : ['text']) {
    const eq = v.indexOf('=');
    const format = (eq < 0 ? v : v.slice(0, eq)).trim();
    const file = eq < 0 ? undefined : v.slice(eq + 1);
    if (!known.includes(format))
      throw new Error(`-o ${v}: unknown format "${format}" (one of ${known.join(', ')}; add =FILE to write a file)`);
    if (file === '') throw new Error(`-o ${v}: give a file name after =`);
    specs.push(file === undefined || file === '-' ? { format } : { format, file });
  }
  const toStdout = specs.filter((s) => s.file === undefined);
  if (toStdout.length > 1)
    throw new Error(
      `-o: at most one format can go to stdout (${toStdout.map((s) => s.format).join(', ')}); write the others to files with -o FORMAT=FILE`,
    );
  const files = new Set<string>();
  for (const s of specs) {
    if (s.file === undefined) continue;
    if (files.has(s.file)) throw new Error(`-o: ${s.file} is named twice`);
    files.add(s.file);
  }
  return specs;
}

/**
 * Renders every output: files are written atomically (a reader never sees half a report) before stdout is
 * written, so a failure to write a file is reported before anything else is printed.
 */
export async function writeOutputs(
  report: Report,
  specs: readonly OutputSpec[],
  reporters: Readonly<Record<string, Reporter>>,
  opts: ReporterOptions,
  stdout: (text: string) => void,
): Promise<void> {
  for (const s of specs) {
    if (s.file === undefined) continue;
    try {
      await writeFileAtomic(s.file, inBlocks(reporters[s.format].render(report, { ...opts, color: false })));
    } catch (err) {
      if (!(err as NodeJS.ErrnoException).code) throw err;
      throw new OutputFileError(`-o ${s.format}=${s.file}: cannot write: ${(err as Error).message}`);
    }
  }
  for (const s of specs)
    if (s.file === undefined) for (const block of inBlocks(reporters[s.format].render(report, opts))) stdout(block);
}

/** Writes of about this many characters: a streamed report comes in pieces far smaller than a write is worth. */
const BLOCK_CHARS = 1 << 16;

/** A rendered report as blocks of at least BLOCK_CHARS (the last one excepted). */
export function* inBlocks(text: ReportText): Generator<string> {
  if (typeof text === 'string') {
    yield text;
    return;
  }
  let block: string[] = [];
  let size = 0;
  for (const piece of text) {
    block.push(piece);
    size += piece.length;
    if (size >= BLOCK_CHARS) {
      yield block.join('');
      block = [];
      size = 0;
    }
  }
  if (size > 0) yield block.join('');
}
