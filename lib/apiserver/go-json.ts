/**
 * Go's encoding/json output for an unstructured value (map keys sorted, `<`, `>`, `&`, U+2028 and U+2029
 * escaped, float64 in Go's shortest form): the bytes of kubectl's last-applied-configuration annotation.
 */
import type { JsonValue } from './context';
import { goNumber } from './typed';

const ESCAPES: Record<string, string> = { '<': '\\u003c', '>': '\\u003e', '&': '\\u0026', '\u2028': '\\u2028', '\u2029': '\\u2029' };

export function goJson(v: JsonValue): string {
  if (v === null) return 'null';
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  if (typeof v === 'string') return JSON.stringify(v).replace(/[<>&\u2028\u2029]/g, (c) => ESCAPES[c]);
  if (Array.isArray(v)) return `[${v.map(goJson).join(',')}]`;
  const keys = Object.keys(v).sort((a, b) => (Buffer.compare(Buffer.from(a), Buffer.from(b))));
  return `{${keys.map((k) => `${goJson(k)}:${goJson(v[k])}`).join(',')}}`;
}
