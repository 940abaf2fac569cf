/** RFC 6901 JSON Pointers: the one place their tokens are escaped and unescaped. */

/** One step of a path into a JSON value: a mapping key or a sequence index. */
export type PathSegment = string | number;

/** A reference token as written in a pointer (`~` → `~0`, `/` → `~1`). */
export function escapePointerToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** A reference token as meant (`~1` → `/`, then `~0` → `~`: in that order, so `~01` stays `~1`). */
export function unescapePointerToken(token: string): string {
  return token.replace(/~1/g, '/').replace(/~0/g, '~');
}

/** The tokens of a pointer (`''` is the whole document), or undefined when it does not start with `/`. */
export function pointerTokens(pointer: string): string[] | undefined {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) return undefined;
  return pointer.slice(1).split('/').map(unescapePointerToken);
}

/** The pointer of a path of tokens. */
export function toPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((t) => '/' + escapePointerToken(String(t))).join('');
}
