// The bundles' source maps as the coverage measurement needs them (docs/testing.md, "What the coverage figures
// count"). Two things esbuild writes are changed, neither of which a debugger relies on:
//
// - `sources` become absolute paths. c8 (v8-to-istanbul) matches a bundle's sources against .c8rc.json's include and
//   exclude before it resolves them: a relative `../lib/x.ts` matched nothing, so every range V8 reported for the
//   bundle was dropped and every line of every bundled file counted as covered.
// - The header line and closing line of esbuild's lazy module wrapper (`var init_x = __esm({ "lib/x.ts"() { ... } })`,
//   the module's top-level code, run on first import) lose their mappings. esbuild maps them to the first and the last
//   character of the module, so the wrapper's range covered the whole file, and v8-to-istanbul, which lets a later
//   range overwrite an earlier one, marked every function of an imported module as run, those never called included.
//   Without them the wrapper maps to nothing and is left out; the module's functions keep their own counts.
import { readFile, rename, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const DIGIT = new Map([...BASE64].map((c, i) => [c, i]));

/** Decodes one line's VLQ segments into value deltas (as stored). */
function decodeLine(text) {
  if (text === '') return [];
  return text.split(',').map((segment) => {
    const values = [];
    let value = 0;
    let shift = 0;
    for (const c of segment) {
      const digit = DIGIT.get(c);
      if (digit === undefined) throw new Error(`source map: bad VLQ character ${JSON.stringify(c)}`);
      value += (digit & 31) << shift;
      if (digit & 32) shift += 5;
      else {
        values.push(value & 1 ? -(value >>> 1) : value >>> 1);
        value = 0;
        shift = 0;
      }
    }
    return values;
  });
}

function encodeValue(v) {
  let n = v < 0 ? (-v << 1) | 1 : v << 1;
  let out = '';
  do {
    let digit = n & 31;
    n >>>= 5;
    if (n > 0) digit |= 32;
    out += BASE64[digit];
  } while (n > 0);
  return out;
}

/**
 * Segments as absolute values per generated line: [column, source, line, column, name?]. The source, original line,
 * original column and name fields are deltas across the whole map, the generated column within a line only.
 */
function decode(mappings) {
  const state = [0, 0, 0, 0];
  return mappings.split(';').map((line) => {
    let column = 0;
    return decodeLine(line).map((d) => {
      column += d[0];
      const seg = [column];
      for (let i = 1; i < d.length; i++) seg.push((state[i - 1] += d[i]));
      return seg;
    });
  });
}

function encode(lines) {
  const state = [0, 0, 0, 0];
  return lines
    .map((segs) => {
      let column = 0;
      return segs
        .map((seg) => {
          let out = encodeValue(seg[0] - column);
          column = seg[0];
          for (let i = 1; i < seg.length; i++) {
            out += encodeValue(seg[i] - state[i - 1]);
            state[i - 1] = seg[i];
          }
          return out;
        })
        .join(',');
    })
    .join(';');
}

/** 0-based generated lines of the header and closing line of every `__esm` wrapper in the bundle's code. */
export function wrapperLines(code) {
  const lines = code.split('\n');
  const found = [];
  for (let i = 0; i + 1 < lines.length; i++) {
    if (!/^var init_[\w$]+ = __esm\(\{$/.test(lines[i])) continue;
    if (!/^ {2}(async )?"[^"]+"\(\) \{$/.test(lines[i + 1]))
      throw new Error(`unexpected __esm wrapper at line ${i + 2}`);
    const end = lines.indexOf('});', i + 2);
    if (end === -1 || lines[end - 1] !== '  }') throw new Error(`unterminated __esm wrapper at line ${i + 2}`);
    found.push(i + 1, end - 1);
  }
  return found;
}

/** Rewrites `bundle`'s map (`bundle`.map) as described above; returns how many wrappers it unmapped. */
export async function mapForCoverage(bundle) {
  const mapFile = bundle + '.map';
  const map = JSON.parse(await readFile(mapFile, 'utf8'));
  map.sources = map.sources.map((s) => path.resolve(path.dirname(mapFile), s));
  const glue = wrapperLines(await readFile(bundle, 'utf8'));
  if (glue.length > 0) {
    const lines = decode(map.mappings);
    for (const l of glue) lines[l] = [];
    map.mappings = encode(lines);
  }
  await writeFile(mapFile + '.tmp', JSON.stringify(map));
  await rename(mapFile + '.tmp', mapFile);
  return glue.length / 2;
}
