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
  return [...documentChunks(text)];
}

/**
 * The chunks of `splitDocuments`, one at a time: a stream of many documents (a 50,000-object file) is cut as
 * its documents are parsed, never held as an array of lines or of chunks.
 */
export function documentChunks(text: string): Generator<DocumentChunk> {
  return documentsOfLines(linesOfPieces([text]));
}

/**
 * The documents of a stream given as its lines (`linesOfPieces` of a text or of a file read in pieces),
 * cut as `splitDocuments` cuts them.
 */
export function* documentsOfLines(lines: Iterable<string>): Generator<DocumentChunk> {
  let current: string[] = [];
  let firstLine = 1;
  let ended = false;
  let docIndex = 0;
  let i = 0;
  for (const line of lines) {
    if (DOC_START.test(line)) {
      if (current.length > 0 && hasContent(current)) yield chunk(current, firstLine, docIndex++);
      ended = false;
      const rest = line.slice(3);
      // Keep the line (blanked marker) so that column numbers in errors stay right.
      current = [rest.trim() === '' || rest.trim().startsWith('#') ? '' : '   ' + rest];
      firstLine = i + 1;
    } else if (DOC_END.test(line)) {
      if (current.length > 0 && hasContent(current)) yield chunk(current, firstLine, docIndex++);
      current = [];
      ended = true;
      firstLine = i + 2;
    } else if (ended && current.length === 0 && !hasContent([line])) {
      firstLine = i + 2;
    } else {
      if (current.length === 0) firstLine = i + 1;
      current.push(line);
    }
    i++;
  }
  if (current.length > 0 && hasContent(current)) yield chunk(current, firstLine, docIndex);
}

function chunk(lines: string[], firstLine: number, docIndex: number): DocumentChunk {
  return { text: lines.join('\n') + '\n', firstLine, docIndex };
}

/**
 * The lines of a text given in pieces (a file read a megabyte at a time; a whole text is one piece), as
 * `text.split(/\r\n|\n|\r/)` gives them for the whole text, without a leading byte order mark and without the
 * empty line after a final line end: a line end split between two pieces (`\r` then `\n`) is one line end, a
 * byte order mark only counts at the start.
 */
export function* linesOfPieces(pieces: Iterable<string>): Generator<string> {
  let carry = '';
  let first = true;
  for (const piece of pieces) {
    if (piece === '') continue;
    let text = carry + piece;
    if (first) {
      first = false;
      if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
    }
    let at = 0;
    // The next CR, looked up again only once passed: most texts have none.
    let cr = text.indexOf('\r');
    for (;;) {
      const nl = text.indexOf('\n', at);
      if (cr >= 0 && cr < at) cr = text.indexOf('\r', at);
      const end = cr >= 0 && (nl < 0 || cr < nl) ? cr : nl;
      if (end < 0) break;
      // A CR at the end of a piece may be the first half of a CRLF: decided with the next piece.
      if (end === cr && end === text.length - 1) break;
      yield text.slice(at, end);
      at = end === cr && text.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
    }
    carry = text.slice(at);
  }
  if (carry.endsWith('\r')) {
    yield carry.slice(0, -1);
  } else if (carry !== '') yield carry;
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
