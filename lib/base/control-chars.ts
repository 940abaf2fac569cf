/**
 * Text that comes from outside (a policy's message and warnings, object names, file names, a server's error) is
 * shown to people and to CI systems that parse lines. Control characters in it would let its author redraw the
 * terminal (ESC sequences: colours, cursor moves, line erase), plant links (OSC 8), overwrite a line (CR), cut a
 * string (NUL), forge a line of our own output (LF: `pod.yaml:1: passed: ...`) or reorder what is displayed
 * (Unicode bidirectional controls). Every human and CI format shows them escaped, visibly, instead.
 */

/** C0 controls but tab, DEL, C1 controls, the Unicode line and paragraph separators, and bidi controls. */
const CONTROL = /[\u0000-\u0008\u000A-\u001F\u007F-\u009F\u2028\u2029\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;
const CONTROL_BUT_LF = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u2028\u2029\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

function escapeOne(c: string): string {
  if (c === '\n') return '\\n';
  if (c === '\r') return '\\r';
  const code = c.charCodeAt(0);
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `s` with every control character written as an escape (`\x1b`, `\r`, `\n`, `\u202e`); tab is kept. */
export function escapeControl(s: string): string {
  CONTROL.lastIndex = 0;
  return CONTROL.test(s) ? s.replace(CONTROL, escapeOne) : s;
}

/** escapeControl keeping line feeds: for diagnostics of our own that span lines (stderr). */
export function escapeControlButNewlines(s: string): string {
  CONTROL_BUT_LF.lastIndex = 0;
  return CONTROL_BUT_LF.test(s) ? s.replace(CONTROL_BUT_LF, escapeOne) : s;
}
