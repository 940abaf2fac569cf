import { strict as assert } from 'node:assert';
import { reportDocument, summarize, type Report, type Result } from '../../../lib/report';
import { jsonReporter } from '../../../lib/report/json';
import { inBlocks } from '../../../lib/report/output';

const OPTS = { color: false, verbose: false };

function report(results: Result[], policies: Report['policies']): Report {
  return { results, policies, summary: summarize(results, results.length, policies.length) };
}

const streamed = (r: Report): string => [...inBlocks(jsonReporter.render(r, OPTS))].join('');
const whole = (r: Report): string => JSON.stringify(reportDocument(r), null, 2) + '\n';

const POLICY = {
  id: 'p',
  module: 'builtin://p',
  mode: 'protect',
  mutating: true,
  sha256: 'ab',
  description: 'line one\nline "two"',
};

describe('-o json, written one result at a time', () => {
  it('is byte for byte the document JSON.stringify writes', () => {
    const results: Result[] = [
      {
        source: { file: 'a.yaml', line: 1, docIndex: 0 },
        object: { apiVersion: 'v1', kind: 'Pod', name: 'a', namespace: 'n' },
        policy: 'p',
        verdict: 'fail',
        message: 'multi\nline {"json": [1, 2]}\t\u2028 ünïcödé 😀',
        code: 400,
      },
      {
        source: { file: 'a.yaml', line: 9, column: 3, docIndex: 1, itemIndex: 2, origin: 'o.yaml' },
        object: { apiVersion: 'v1', kind: 'Pod' },
        policy: 'p',
        verdict: 'pass',
        patch: [{ op: 'add', path: '/metadata/labels', value: { a: [], b: {}, c: [{ d: null }] } }],
        warnings: ['w1', ''],
        location: { line: 12, column: 5, path: '/spec' },
      },
      { source: { file: '-', line: 0, docIndex: 0 }, verdict: 'error', message: '', causes: ['x', 'y'] },
    ];
    for (const r of [
      report(results, [POLICY]),
      report(results.slice(0, 1), [POLICY]),
      report([], [POLICY]),
      report([], []),
      report(results, []),
    ]) {
      assert.equal(streamed(r), whole(r));
    }
  });

  it('comes in blocks, not one string, when the report is large', () => {
    const results: Result[] = Array.from({ length: 2500 }, (_, i) => ({
      source: { file: 'big.yaml', line: i + 1, docIndex: i },
      object: { apiVersion: 'v1', kind: 'ConfigMap', name: `cm-${i}` },
      policy: 'p',
      verdict: 'skip',
    }));
    const r = report(results, [POLICY]);
    const blocks = [...inBlocks(jsonReporter.render(r, OPTS))];
    assert.ok(blocks.length > 4, `${blocks.length} blocks`);
    assert.ok(blocks.slice(0, -1).every((b) => b.length >= 1 << 16 && b.length < 1 << 18));
    assert.equal(blocks.join(''), whole(r));
    // Pieces of several results: their boundaries.
    for (const n of [255, 256, 257, 512, 513])
      assert.equal(
        streamed(report(results.slice(0, n), [POLICY])),
        whole(report(results.slice(0, n), [POLICY])),
        `${n} results`,
      );
  });
});
