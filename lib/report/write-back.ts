import { promises as fs } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import * as YAML from 'yaml';
import { editScript } from '../base/line-diff';
import { applyPatch } from '../kube/json-patch';
import type { JsonPatchOperation } from '../kube/admission-review';
import { readRegularFile } from '../base/bounded-read';
import { writeFileAtomic } from '../base/fs-atomic';
import { DEFAULT_LIMITS, entriesFromText, type InputLimits, type ManifestEntry } from '../manifests';
import { parseJsonPointer, toJsonPointer, type PathSegment } from '../manifests/locate';
import { DOC_END, DOC_START, hasContent } from '../manifests/split';
import type { Result } from '../evaluation/result';

/**
 * `check --write`: applies accepted mutations (results with verdict `pass` and a patch) to the files they were
 * read from, changing only the mutated fields.
 *
 * How: the document (`source.docIndex`) is cut out of the file by the same rules as the splitter, parsed with
 * `yaml`'s Document API (comments, key order and scalar styles kept), the JSON Patch operations are applied to
 * its nodes, and it is printed twice — unchanged (A) and patched (B). Only the lines where A and B differ are
 * taken from B; every other line is the file's own (matched A↔original line by line), so formatting the printer
 * would change (indentation, folding, number forms) stays as it was outside the mutated fields. JSON documents
 * are handled the same way with `JSON.stringify` at the file's indentation. The new file is then read again as
 * the check reads it and must give exactly the patched objects (and the other objects unchanged), else the
 * file is not written.
 */

export interface WriteBackFile {
  file: string;
  /** Mutations (policy results) applied. */
  applied: number;
  written: boolean;
  /** Mutations that did not apply on top of earlier ones (e.g. two policies adding the same field). */
  skipped: string[];
}

export class WriteBackError extends Error {
  override name = 'WriteBackError';
}

/** Results whose mutation is accepted: admitted with a non-empty patch. */
export function acceptedMutations(results: readonly Result[]): Result[] {
  return results.filter((r) => r.verdict === 'pass' && r.patch && r.patch.length > 0);
}

/** Why `-f` arguments cannot be written back, or undefined when all can (stdin and URLs cannot). */
export function writeBackRefusal(args: readonly string[]): string | undefined {
  for (const a of args) {
    if (a === '-') return '--write cannot write back to stdin (-f -): give the files themselves';
    if (/^https?:\/\//i.test(a)) return `--write cannot write back to a URL (${a}): download the file and check it`;
  }
  return undefined;
}

/** Applies the accepted mutations of `results` to their files, in result order (input order, then policy order). */
export async function writeBack(
  results: readonly Result[],
  opts: { limits?: InputLimits } = {},
): Promise<WriteBackFile[]> {
  const byFile = new Map<string, Result[]>();
  for (const r of acceptedMutations(results)) {
    const list = byFile.get(r.source.file) ?? [];
    list.push(r);
    byFile.set(r.source.file, list);
  }
  const out: WriteBackFile[] = [];
  for (const [file, list] of byFile) {
    if (file === '-' || /^https?:\/\//i.test(file))
      throw new WriteBackError(`${file}: cannot write back to stdin or a URL`);
    let stat;
    try {
      stat = await fs.stat(file);
    } catch {
      throw new WriteBackError(`${file}: not a file on disk (rendered input?): cannot write back`);
    }
    if (!stat.isFile()) throw new WriteBackError(`${file}: not a regular file: cannot write back`);
    const limits = opts.limits ?? DEFAULT_LIMITS;
    let text: string;
    try {
      text = (await readRegularFile(file, limits.maxInputBytes)).toString('utf8');
    } catch (err) {
      throw new WriteBackError(`${file}: cannot read it again to write back: ${(err as Error).message}`);
    }
    const { text: next, applied, skipped } = rewriteText(file, text, list, limits);
    const written = next !== text;
    if (written) {
      try {
        await writeFileAtomic(file, next, stat.mode & 0o7777);
      } catch (err) {
        throw new WriteBackError(`${file}: cannot write back: ${(err as Error).message}`);
      }
    }
    out.push({ file, applied, written, skipped });
  }
  return out;
}

/** The new text of one file with the mutations of `results` (all from this file) applied. Throws WriteBackError. */
export function rewriteText(
  file: string,
  text: string,
  results: readonly Result[],
  limits: InputLimits = DEFAULT_LIMITS,
): { text: string; applied: number; skipped: string[] } {
  const entries = entriesFromText(file, text, limits);
  const skipped: string[] = [];
  // Patches per document, in order, with the List item they are under.
  const perDoc = new Map<number, { base: PathSegment[]; ops: JsonPatchOperation[]; what: string }[]>();
  // Expected objects after the patches, per entry key.
  const expected = new Map<string, unknown>();
  let applied = 0;
  for (const r of results) {
    const key = entryKey(r.source);
    const entry = entries.find((e) => e.kind === 'object' && entryKey(e.source) === key);
    if (!entry || entry.kind !== 'object')
      throw new WriteBackError(
        `${file}: the object at line ${r.source.line} is no longer there (file changed during the check?)`,
      );
    const what = `${r.object?.kind ?? 'object'} ${r.object?.name ?? ''} by ${r.policy ?? 'policy'}`.replace(
      /  +/g,
      ' ',
    );
    const before = expected.has(key) ? expected.get(key) : entry.object;
    let after: unknown;
    try {
      after = applyPatch(before, r.patch!);
    } catch (err) {
      skipped.push(`${what}: ${(err as Error).message}`);
      continue;
    }
    expected.set(key, after);
    const base: PathSegment[] = r.source.itemIndex !== undefined ? ['items', r.source.itemIndex] : [];
    const list = perDoc.get(r.source.docIndex) ?? [];
    list.push({ base, ops: r.patch!, what });
    perDoc.set(r.source.docIndex, list);
    applied++;
  }
  if (perDoc.size === 0) return { text, applied, skipped };

  const bom = text.charCodeAt(0) === 0xfeff ? '\ufeff' : '';
  const lines = splitLines(bom ? text.slice(1) : text);
  const eol = dominantEol(text);
  const regions = documentRegions(lines.map((l) => l.body));
  // Rewrite from the last document up, so earlier regions keep their line numbers.
  const docs = [...perDoc.keys()].sort((a, b) => b - a);
  for (const docIndex of docs) {
    const region = regions[docIndex];
    if (!region) throw new WriteBackError(`${file}: document ${docIndex + 1} not found`);
    if (region.markerContent)
      throw new WriteBackError(
        `${file}:${region.start + 1}: the document starts on its --- line: cannot write it back`,
      );
    const original = lines.slice(region.start, region.end);
    const bodies = original.map((l) => l.body);
    const ops = perDoc.get(docIndex)!;
    const isJson = /^\s*[{[]/.test(bodies.join('\n')) && isJsonText(bodies.join('\n'));
    const { a, b } = isJson ? printJson(bodies, ops) : printYaml(bodies, ops, file, region.start);
    const attempts = [mergeLines(bodies, a, b), mergeLines(bodies, a, b, false), b];
    let done = false;
    for (const attempt of attempts) {
      const replaced = withRegion(lines, region, original, attempt, eol);
      const candidate = bom + replaced.map((l) => l.body + l.end).join('');
      if (verify(file, candidate, entries, expected, docIndex, limits)) {
        lines.splice(0, lines.length, ...replaced);
        done = true;
        break;
      }
    }
    if (!done)
      throw new WriteBackError(
        `${file}: document ${docIndex + 1}: the patched document does not read back as the mutated object (aliases or merge keys on the path?): not written`,
      );
  }
  return { text: bom + lines.map((l) => l.body + l.end).join(''), applied, skipped };
}

function entryKey(s: { docIndex: number; itemIndex?: number }): string {
  return `${s.docIndex}/${s.itemIndex ?? ''}`;
}

interface Line {
  body: string;
  /** The line's own end: `\n`, `\r\n`, `\r` or '' (last line without one). */
  end: string;
}

function splitLines(text: string): Line[] {
  const out: Line[] = [];
  const re = /([^\r\n]*)(\r\n|\n|\r|$)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0] === '') break;
    out.push({ body: m[1], end: m[2] });
  }
  return out;
}

function dominantEol(text: string): string {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length - crlf;
  return crlf > lf ? '\r\n' : '\n';
}

interface Region {
  /** Line indices [start, end) of the document's lines (markers excluded). */
  start: number;
  end: number;
  /** The `---` line carries content (`--- {a: 1}`). */
  markerContent: boolean;
}

/** The line ranges of the documents, numbered exactly as `splitDocuments` numbers them. */
function documentRegions(lines: string[]): Region[] {
  const regions: Region[] = [];
  let start = 0;
  let count = 0;
  let markerContent = false;
  let ended = false;
  const flush = (end: number): void => {
    if (count > 0 && hasContent(lines.slice(start, end))) regions.push({ start, end, markerContent });
    count = 0;
    markerContent = false;
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (DOC_START.test(line)) {
      flush(i);
      ended = false;
      const rest = line.slice(3).trim();
      if (rest !== '' && !rest.startsWith('#')) {
        markerContent = true;
        start = i;
        count = 1;
      } else {
        // The splitter keeps the (blanked) marker line in the document: what follows belongs to it.
        start = i + 1;
        count = 1;
      }
      continue;
    }
    if (DOC_END.test(line)) {
      flush(i);
      ended = true;
      continue;
    }
    if (ended && count === 0 && !hasContent([line])) continue;
    if (count === 0) start = i;
    count++;
  }
  flush(lines.length);
  return regions;
}

function isJsonText(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

function toLines(text: string): string[] {
  const l = text.split('\n');
  if (l.length > 0 && l[l.length - 1] === '') l.pop();
  return l;
}

/** JSON document: printed at the file's indentation, before (A) and after (B) the patches. */
function printJson(
  bodies: string[],
  ops: { base: PathSegment[]; ops: JsonPatchOperation[] }[],
): { a: string[]; b: string[] } {
  const value = JSON.parse(bodies.join('\n')) as unknown;
  const indentLine = bodies.find((l) => /^[ \t]+\S/.test(l));
  const indent = indentLine ? indentLine.match(/^[ \t]+/)![0] : bodies.length > 1 ? 2 : 0;
  let after = value;
  for (const { base, ops: list } of ops) {
    const prefix = toJsonPointer(base);
    after = applyPatch(
      after,
      list.map((op) => ({
        ...op,
        path: prefix + op.path,
        ...(op.from !== undefined ? { from: prefix + op.from } : {}),
      })),
    );
  }
  return { a: toLines(JSON.stringify(value, null, indent)), b: toLines(JSON.stringify(after, null, indent)) };
}

/** YAML document: the Document printed before (A) and after (B) the patches, in the style closest to the file's. */
function printYaml(
  bodies: string[],
  ops: { base: PathSegment[]; ops: JsonPatchOperation[]; what: string }[],
  file: string,
  startLine: number,
): { a: string[]; b: string[] } {
  const text = bodies.join('\n') + '\n';
  // YAML 1.1, as kubectl reads it: new strings like `y`, `on` or `0644` are quoted.
  const doc = YAML.parseDocument(text, { version: '1.1', merge: true, uniqueKeys: false, strict: false });
  if (doc.errors.length > 0)
    throw new WriteBackError(
      `${file}:${startLine + 1}: cannot parse the document to write it back: ${doc.errors[0].message}`,
    );
  // The printing options under which the unchanged document comes out closest to the file's own text.
  const own = new Set(bodies);
  let best: { opts: YAML.ToStringOptions; score: number } | undefined;
  for (const indent of [2, 4, 3, 8]) {
    for (const indentSeq of [true, false]) {
      const opts: YAML.ToStringOptions = {
        indent,
        indentSeq,
        lineWidth: 0,
        minContentWidth: 0,
        flowCollectionPadding: /[{[] \S/.test(text) || !/[{[]\S/.test(text),
      };
      let printed: string;
      try {
        printed = doc.toString(opts);
      } catch {
        continue;
      }
      const score = toLines(printed).filter((l) => own.has(l)).length;
      if (!best || score > best.score) best = { opts, score };
    }
  }
  if (!best) throw new WriteBackError(`${file}:${startLine + 1}: cannot print the document`);
  const a = toLines(doc.toString(best.opts));
  for (const { base, ops: list, what } of ops) {
    for (const op of list) {
      try {
        applyToDocument(doc, base, op);
      } catch (err) {
        throw new WriteBackError(`${file}: ${what}: ${op.op} ${op.path}: ${(err as Error).message}`);
      }
    }
  }
  return { a, b: toLines(doc.toString(best.opts)) };
}

/** Applies one JSON Patch operation to the Document's nodes. */
function applyToDocument(doc: YAML.Document, base: PathSegment[], op: JsonPatchOperation): void {
  const at = (pointer: string): PathSegment[] => [...base, ...parseJsonPointer(pointer)];
  const parentOf = (path: PathSegment[]): YAML.YAMLMap | YAML.YAMLSeq => {
    const parent = path.length > 1 ? doc.getIn(path.slice(0, -1), true) : doc.contents;
    if (YAML.isMap(parent) || YAML.isSeq(parent)) return parent;
    throw new Error(`the parent of ${toJsonPointer(path) || '/'} is not a mapping or a list`);
  };
  const valueAt = (path: PathSegment[]): unknown => {
    const node = doc.getIn(path, true);
    return YAML.isNode(node) ? node.toJSON() : node;
  };
  const add = (path: PathSegment[], value: unknown, replace: boolean): void => {
    if (path.length === 0) throw new Error('cannot replace the whole object');
    const parent = parentOf(path);
    const last = path[path.length - 1];
    const node = doc.createNode(value);
    if (YAML.isSeq(parent)) {
      const idx = last === '-' ? parent.items.length : Number(last);
      if (!Number.isInteger(idx) || idx < 0 || idx > parent.items.length || (replace && idx === parent.items.length))
        throw new Error(`index ${String(last)} out of range`);
      if (replace) parent.items[idx] = node;
      else parent.items.splice(idx, 0, node);
    } else {
      parent.set(String(last), node);
    }
  };
  const remove = (path: PathSegment[]): void => {
    const parent = parentOf(path);
    const last = path[path.length - 1];
    if (YAML.isSeq(parent)) {
      const idx = Number(last);
      if (!Number.isInteger(idx) || idx < 0 || idx >= parent.items.length)
        throw new Error(`index ${String(last)} out of range`);
      parent.items.splice(idx, 1);
    } else if (!parent.delete(String(last))) {
      throw new Error('no such field');
    }
  };
  switch (op.op) {
    case 'add':
      return add(at(op.path), op.value, false);
    case 'replace':
      return add(at(op.path), op.value, true);
    case 'remove':
      return remove(at(op.path));
    case 'copy':
      return add(at(op.path), valueAt(at(op.from ?? '')), false);
    case 'move': {
      const v = valueAt(at(op.from ?? ''));
      remove(at(op.from ?? ''));
      return add(at(op.path), v, false);
    }
    case 'test':
      return;
  }
}

/**
 * The lines of the new document: the original's lines wherever the printed document did not change (A = B),
 * the printed patched lines (B) where it did. A is matched to the original and to B line by line (longest common
 * subsequence); lines matched in all three are anchors, and each stretch between two anchors is the original's
 * when A and B agree on it, B's otherwise.
 */
export function mergeLines(
  original: readonly string[],
  a: readonly string[],
  b: readonly string[],
  fine = true,
): string[] {
  const ao = matchLines(a, original);
  const ab = matchLines(a, b);
  const out: string[] = [];
  let pa = -1;
  let po = -1;
  let pb = -1;
  const stretch = (na: number, no: number, nb: number): void => {
    const sa = a.slice(pa + 1, na);
    const sb = b.slice(pb + 1, nb);
    const so = original.slice(po + 1, no);
    if (sa.length === sb.length && sa.every((l, i) => l === sb[i])) out.push(...so);
    else if (fine && so.length === sa.length) {
      // Line for line: B's lines that are A's unchanged are written as the original wrote them.
      const m = matchLines(sb, sa);
      for (let k = 0; k < sb.length; k++) out.push(m[k] >= 0 ? so[m[k]] : sb[k]);
    } else out.push(...sb);
  };
  for (let i = 0; i < a.length; i++) {
    const o = ao[i];
    const bb = ab[i];
    if (o < 0 || bb < 0 || o <= po || bb <= pb) continue;
    stretch(i, o, bb);
    out.push(original[o]);
    pa = i;
    po = o;
    pb = bb;
  }
  stretch(a.length, original.length, b.length);
  return out;
}

/**
 * For each line of `x`, the index of the line of `y` it is matched to (longest common subsequence, lines of `x`
 * left out first where two matchings are equally long), or -1. A middle too large to match is left unmatched.
 */
function matchLines(x: readonly string[], y: readonly string[]): Int32Array {
  const m = new Int32Array(x.length).fill(-1);
  // editScript prefers inserting its second argument's lines on ties: with x second, x's lines are left out first.
  for (const [kind, yi, xi] of editScript(y, x, 25_000_000)) if (kind === ' ') m[xi] = yi;
  return m;
}

/** The file's lines with the region's lines replaced by `bodies`: kept lines keep their own ends, new ones get `eol`. */
function withRegion(
  lines: readonly Line[],
  region: Region,
  original: readonly Line[],
  bodies: readonly string[],
  eol: string,
): Line[] {
  const byBody = new Map<string, string[]>();
  for (const l of original) {
    const list = byBody.get(l.body) ?? [];
    list.push(l.end);
    byBody.set(l.body, list);
  }
  const lastEnd = original.length > 0 ? original[original.length - 1].end : eol;
  const isLastOfFile = region.end === lines.length;
  const replaced: Line[] = bodies.map((body, i) => {
    const ends = byBody.get(body);
    let end = ends && ends.length > 0 ? ends.shift()! : eol;
    if (end === '') end = eol;
    if (i === bodies.length - 1) end = isLastOfFile ? lastEnd : end === '' ? eol : end;
    return { body, end };
  });
  return [...lines.slice(0, region.start), ...replaced, ...lines.slice(region.end)];
}

/** The new text must read as the patched object for every mutated entry of the document, and unchanged elsewhere. */
function verify(
  file: string,
  text: string,
  before: readonly ManifestEntry[],
  expected: ReadonlyMap<string, unknown>,
  docIndex: number,
  limits: InputLimits,
): boolean {
  let after: ManifestEntry[];
  try {
    after = entriesFromText(file, text, limits);
  } catch {
    return false;
  }
  if (after.length !== before.length) return false;
  const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v)) as unknown;
  for (let i = 0; i < after.length; i++) {
    const x = before[i];
    const y = after[i];
    if (x.kind !== y.kind || entryKey(x.source) !== entryKey(y.source)) return false;
    // Other documents are checked when they are rewritten (or are untouched).
    if (x.kind !== 'object' || y.kind !== 'object' || x.source.docIndex !== docIndex) continue;
    const key = entryKey(x.source);
    const want = expected.has(key) ? expected.get(key) : x.object;
    if (!isDeepStrictEqual(plain(y.object), plain(want))) return false;
  }
  return true;
}
