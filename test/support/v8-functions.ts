// What V8 itself recorded about the functions of the built bundles in a coverage run (NODE_V8_COVERAGE), mapped to
// the sources with Node's own source-map reader (node:module SourceMap), not with c8's mapping, which is what
// test/e2e/coverage.test.ts checks against this.
import { readdirSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface V8Range {
  startOffset: number;
  endOffset: number;
  count: number;
}

interface V8Script {
  url: string;
  functions: { functionName: string; ranges: V8Range[] }[];
}

/** A function of the sources as V8 counted it in one bundle: where it is (1-based lines) and how often it ran. */
export interface SourceFunction {
  bundle: string;
  name: string;
  file: string;
  line: number;
  endLine: number;
  count: number;
}

/** Offsets of the starts of a text's lines. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

/** 0-based line and column of an offset. */
function position(starts: number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid] <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo, column: offset - starts[lo] };
}

interface Bundle {
  starts: number[];
  map: SourceMap;
}

function loadBundle(file: string): Bundle {
  return {
    starts: lineStarts(readFileSync(file, 'utf8')),
    map: new SourceMap(JSON.parse(readFileSync(file + '.map', 'utf8'))),
  };
}

/** The source file and 1-based line an offset of a bundle comes from, if its map says. */
function original(b: Bundle, offset: number): { file: string; line: number } | undefined {
  const p = position(b.starts, offset);
  const e = b.map.findEntry(p.line, p.column) as { originalSource?: string; originalLine?: number };
  if (e.originalSource === undefined || e.originalLine === undefined) return undefined;
  const file = e.originalSource.startsWith('file:') ? fileURLToPath(e.originalSource) : e.originalSource;
  return { file, line: e.originalLine + 1 };
}

/**
 * Every function of the named bundles (absolute paths) in the coverage files of `dir` whose first and last
 * characters map to the same source file, with V8's count for it (a function reported twice, by two threads, twice).
 */
export function bundleFunctions(dir: string, bundles: string[]): SourceFunction[] {
  const loaded = new Map<string, Bundle>();
  const out: SourceFunction[] = [];
  for (const name of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const report = JSON.parse(readFileSync(`${dir}/${name}`, 'utf8')) as { result: V8Script[] };
    for (const script of report.result) {
      if (!script.url.startsWith('file:')) continue;
      const bundle = fileURLToPath(script.url);
      if (!bundles.includes(bundle)) continue;
      if (!loaded.has(bundle)) loaded.set(bundle, loadBundle(bundle));
      const b = loaded.get(bundle)!;
      for (const fn of script.functions) {
        const whole = fn.ranges[0];
        // The script's own top level spans every source of the bundle.
        if (whole.startOffset === 0) continue;
        const start = original(b, whole.startOffset);
        const end = original(b, whole.endOffset - 1);
        if (!start || !end || start.file !== end.file) continue;
        out.push({
          bundle,
          name: fn.functionName,
          file: start.file,
          line: start.line,
          endLine: end.line,
          count: whole.count,
        });
      }
    }
  }
  return out;
}
