/** One YAML document cut out of a stream, with the 1-based line where its content starts. */
export interface DocumentChunk {
  text: string;
  /** Line of the first line of `text` in the whole file. */
  firstLine: number;
  docIndex: number;
}

/** Document markers, as kubectl's YAML reader recognises them (shared with the write-back). */
export const DOC_START = /^---(?:[ \t]|$)/;
export const DOC_END = /^\.\.\.(?:[ \t]|$)/;

/**
 * Splits a YAML stream on document markers line by line, as kubectl's YAML reader does, so that one broken
 * document cannot hide the others. A `--- ` line may carry content (`--- !tag` or `--- {a: 1}`), which stays in
 * the new document. CRLF and lone CR line ends are accepted.
 */
export function splitDocuments(text: string): DocumentChunk[] {
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const lines = text.split(/\r\n|\n|\r/);
  // A final line end does not start another line.
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  const chunks: DocumentChunk[] = [];
  let current: string[] = [];
  let firstLine = 1;
  let ended = false;
  const flush = (): void => {
    if (current.length > 0 && hasContent(current)) {
      chunks.push({ text: current.join('\n') + '\n', firstLine, docIndex: chunks.length });
    }
    current = [];
  };
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i];
    if (DOC_START.test(line)) {
      flush();
      ended = false;
      const rest = line.slice(3);
      // Keep the line (blanked marker) so that column numbers in errors stay right.
      current = [rest.trim() === '' || rest.trim().startsWith('#') ? '' : '   ' + rest];
      firstLine = i + 1;
      continue;
    }
    if (DOC_END.test(line)) {
      flush();
      ended = true;
      firstLine = i + 2;
      continue;
    }
    if (ended && current.length === 0 && !hasContent([line])) {
      firstLine = i + 2;
      continue;
    }
    if (current.length === 0) firstLine = i + 1;
    current.push(line);
  }
  flush();
  return chunks;
}

/** Whether any line holds YAML content (not blank, a comment or a directive). */
export function hasContent(lines: string[]): boolean {
  for (const l of lines) {
    const t = l.trim();
    if (t !== '' && !t.startsWith('#') && !t.startsWith('%')) return true;
  }
  return false;
}

/**
 * Lines (1-based) of offsets in `text`. Offsets asked in increasing order (a List's items) are counted on from
 * the previous one: counting from the start each time made a List of n items cost n times its text.
 */
export function lineCounter(text: string): (offset: number) => number {
  let at = 0;
  let line = 1;
  return (offset) => {
    if (offset < at) {
      at = 0;
      line = 1;
    }
    for (let i = text.indexOf('\n', at); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) line++;
    at = Math.max(at, Math.min(offset, text.length));
    return line;
  };
}
