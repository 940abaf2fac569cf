/**
 * Go's encoding/json output for an unstructured value (map keys sorted, `<`, `>`, `&`, U+2028 and U+2029
 * escaped, float64 in Go's shortest form): the bytes of kubectl's last-applied-configuration annotation.
 */
import type { JsonObject, JsonValue } from './context';
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
  const s = sortedJson(v);
  // These characters occur in JSON text only inside strings (keys included), so the whole text is escaped at once.
  return HTML.test(s) ? s.replace(HTML_ALL, (c) => ESCAPES[c]) : s;
}

/** JSON with map keys in UTF-16 order (UTF-8 byte order except between astral and U+E000-U+FFFF characters, not met in keys). */
function sortedJson(v: JsonValue): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'string':
      return JSON.stringify(v);
    case 'number':
      return goNumber(v);
    case 'boolean':
      return v ? 'true' : 'false';
  }
  if (Array.isArray(v)) {
    let s = '[';
    for (let i = 0; i < v.length; i++) s += (i > 0 ? ',' : '') + sortedJson(v[i]);
    return s + ']';
  }
  const keys = Object.keys(v).sort();
  let s = '{';
  for (let i = 0; i < keys.length; i++)
    s += (i > 0 ? ',' : '') + JSON.stringify(keys[i]) + ':' + sortedJson((v as JsonObject)[keys[i]]);
  return s + '}';
}
