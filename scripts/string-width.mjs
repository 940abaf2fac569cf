// Build-time replacement for the `string-width` package inside yargs/cliui. yargs renders its whole help text
// on every run (to have it ready for errors), and the real package segments graphemes with Intl.Segmenter,
// which costs ~35 ms per run. Our help text is plain ASCII, so: strip ANSI escapes, count code points, and
// count East Asian wide and fullwidth ones twice.
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const WIDE =
  /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

export default function stringWidth(text) {
  if (typeof text !== 'string' || text.length === 0) return 0;
  const plain = text.replace(ANSI, '');
  if (/^[\x20-\x7e]*$/.test(plain)) return plain.length;
  let width = 0;
  for (const ch of plain) {
    const code = ch.codePointAt(0);
    if (code < 0x20 || (code >= 0x7f && code < 0xa0) || (code >= 0x300 && code <= 0x36f) || code === 0x200b) continue;
    width += WIDE.test(ch) || code >= 0x1f300 ? 2 : 1;
  }
  return width;
}
