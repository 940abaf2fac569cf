/**
 * Go's encoding/json output for an unstructured value (map keys sorted, `<`, `>`, `&`, U+2028 and U+2029
 * escaped, float64 in Go's shortest form): the bytes of kubectl's last-applied-configuration annotation.
 */
import type { JsonValue } from './context';
import { goNumber } from './typed';

const ESCAPES: Record<string, string> = {
  '<': '\\u003c',
  '>': '\\u003e',
  '&': '\\u0026',
  '\u2028': '\\u2028',
  '\u2029': '\\u2029',
};

const HTML = /[<>&\u2028\u2029]/;
const HTML_ALL = /[<>&\u2028\u2029]/g;

export function goJson(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string')
    return HTML.test(v) ? JSON.stringify(v).replace(HTML_ALL, (c) => ESCAPES[c]) : JSON.stringify(v);
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  // UTF-16 order, which is UTF-8 byte order except between astral and U+E000-U+FFFF characters (not met in keys).
  const keys = Object.keys(v).sort();
  return `{${keys.map((k) => `${goJson(k)}:${goJson(v[k])}`).join(',')}}`;
}
