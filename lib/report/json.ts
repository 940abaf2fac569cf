import { documentResult, JSON_SCHEMA_VERSION } from './document';
import type { Reporter } from './reporter';

export { JSON_SCHEMA_VERSION } from './document';

/** JSON.stringify(value, null, 2) of a value nested `depth` levels deep. */
const nested = (value: unknown, depth: number): string =>
  JSON.stringify(value, null, 2).replaceAll('\n', `\n${'  '.repeat(depth)}`);

/** Results serialised together: enough to amortise a call, few enough to keep each piece small. */
const RESULTS_PER_PIECE = 256;
// JSON.stringify({ results }, null, 2) indents results as deep as the document does; these are its ends.
const WRAP_OPEN = '{\n  "results": [\n';
const WRAP_CLOSE = '\n  ]\n}';

/**
 * The report document (reportDocument) as JSON.stringify(document, null, 2) writes it, a few results at a
 * time: 50,000 objects make a document of some 400 MB, which neither the document nor its text should need at
 * once. Structural line breaks are the only raw ones in JSON text (a string's are escaped), so indenting the
 * small parts is a replace.
 */
export const jsonReporter: Reporter = {
  name: 'json',
  *render(report) {
    yield `{\n  "apiVersion": ${JSON.stringify(JSON_SCHEMA_VERSION)},\n  "kind": "CheckReport",\n  "results": [`;
    const { results } = report;
    for (let i = 0; i < results.length; i += RESULTS_PER_PIECE) {
      const text = JSON.stringify({ results: results.slice(i, i + RESULTS_PER_PIECE).map(documentResult) }, null, 2);
      yield `${i === 0 ? '\n' : ',\n'}${text.slice(WRAP_OPEN.length, text.length - WRAP_CLOSE.length)}`;
    }
    yield `${results.length === 0 ? '' : '\n  '}],\n  "policies": ${nested(report.policies, 1)},\n  "summary": ${nested(report.summary, 1)}\n}\n`;
  },
};
