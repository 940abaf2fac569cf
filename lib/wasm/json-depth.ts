/**
 * serde_json's default recursion limit: policy-evaluator deserialises a guest's response with serde_json
 * (src/runtimes/wapc and src/runtimes/wasi_cli of kubewarden/policy-evaluator), which refuses a document whose
 * arrays and objects nest deeper than this. A response that deep never reaches policy-server's callers, and
 * here it never crosses from the worker to the main thread (whose structured clone fails on ~3,500 levels).
 */
export const MAX_RESPONSE_DEPTH = 128;

/**
 * Where a JSON text first nests its arrays and objects more than `max` deep, as serde_json reports it (1-based
 * line and column of the opening bracket), or undefined. One pass over the text, no recursion, no allocation:
 * it runs before JSON.parse, so a hostile nesting is never built.
 */
export function nestingPastLimit(text: string, max: number): { line: number; column: number } | undefined {
  let depth = 0;
  let line = 1;
  let lineStart = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
      continue;
    }
    if (c === 0x22) inString = true;
    else if (c === 0x7b || c === 0x5b) {
      if (++depth > max) return { line, column: i - lineStart + 1 };
    } else if (c === 0x7d || c === 0x5d) depth--;
    else if (c === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return undefined;
}

/** serde_json's text for a document past its recursion limit. */
export function recursionLimitMessage(at: { line: number; column: number }): string {
  return `recursion limit exceeded at line ${at.line} column ${at.column}`;
}
