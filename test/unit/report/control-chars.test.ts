import { strict as assert } from 'node:assert';
import { escapeControl, escapeControlButNewlines } from '../../../lib/base/control-chars';
import { createLogger } from '../../../lib/base/log';
import { REPORTERS, summarize, type Report, type Result } from '../../../lib/report';
import { AUDIT_REPORTERS, type AuditReport } from '../../../lib/report/audit';

/**
 * Text from a policy or a cluster cannot forge lines or redraw the terminal in any human or CI format (issue 16,
 * item 5): ESC sequences, OSC 8 links, CR, NUL, LF and bidi controls are shown escaped.
 */

// What a hostile policy answers: erase the line, print a fake pass on a line of its own, a hidden link, a NUL.
const FORGED =
  'denied\r\x1b[2K\x1b]8;;https://evil.example/\x07click\x1b]8;;\x07\npod.yaml:1: passed: Pod default/x by p\u0000\u202egnp.exe';
const RAW = /[\x00-\x08\x0b-\x1f\x7f\u202e]/;

function render(format: string, report: Report = hostileReport(), reporters = REPORTERS): string {
  const out = reporters[format].render(report, { color: false, verbose: false });
  return typeof out === 'string' ? out : [...out].join('');
}

function hostileReport(): Report {
  const results: Result[] = [
    {
      source: { file: 'pod.yaml', line: 3, docIndex: 0 },
      object: { apiVersion: 'v1', kind: 'Pod', name: 'x\x1b[31m', namespace: 'default' },
      policy: 'p',
      verdict: 'fail',
      message: FORGED,
      warnings: ['w\rpod.yaml:9: passed'],
      causes: ['c\n::error file=a::forged'],
    },
    {
      source: { file: 'gone.yaml', line: 0, docIndex: 0 },
      verdict: 'error',
      message: 'cannot read: no such file or directory',
    },
  ];
  return {
    results,
    policies: [{ id: 'p', module: 'builtin://p', mode: 'protect', mutating: false, sha256: '00' }],
    summary: summarize(results, 1, 1),
  };
}

describe('control characters in human and CI formats', () => {
  it('escapeControl writes every control visibly and keeps tab and ordinary text', () => {
    assert.equal(escapeControl('a\tb'), 'a\tb');
    assert.equal(escapeControl('ünïcødé ✓'), 'ünïcødé ✓');
    assert.equal(escapeControl('a\r\n\x1b[0m\x00\x7f\x9b\u2028\u202e'), 'a\\r\\n\\x1b[0m\\x00\\x7f\\x9b\\u2028\\u202e');
    assert.equal(escapeControlButNewlines('a\nb\rc'), 'a\nb\\rc');
  });

  it('text: the forged pass is not a line of its own, no raw control reaches the output; line 0 is not printed', () => {
    const out = render('text');
    assert.doesNotMatch(out, RAW);
    const lines = out.split('\n');
    assert.ok(!lines.some((l) => l.startsWith('pod.yaml:1: passed')), out);
    assert.match(
      lines[0],
      /^pod\.yaml:3: rejected: Pod default\/x\\x1b\[31m by p: denied\\r\\x1b\[2K\\x1b\]8;;https:\/\/evil\.example\/\\x07click\\x1b\]8;;\\x07\\npod\.yaml:1: passed: Pod default\/x by p\\x00\\u202egnp\.exe$/,
    );
    assert.ok(lines.includes('    cause: c\\n::error file=a::forged'), out);
    assert.ok(lines.includes('gone.yaml: error: cannot read: no such file or directory'), out);
  });

  it('github: one workflow command per result, no command forged from a message, no raw control', () => {
    const out = render('github');
    assert.doesNotMatch(out, RAW);
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.filter((l) => l.startsWith('::')).length, 2, out);
    assert.equal(lines.length, 3);
    // The policy's own LF is shown as \n; our joins of message and causes stay %0A.
    assert.match(
      lines[0],
      /denied\\r\\x1b\[2K.*\\npod\.yaml:1: passed.*%0Acause: c\\n::error file=a::forged%0Awarning: w\\rpod\.yaml:9: passed$/,
    );
  });

  it('junit and sarif: escaped the same way (no U+FFFD, no raw control)', () => {
    for (const format of ['junit', 'sarif']) {
      const out = render(format);
      assert.doesNotMatch(out, RAW, format);
      assert.doesNotMatch(out, /\uFFFD/, format);
      assert.ok(out.includes('denied\\\\r\\\\x1b[2K') || out.includes('denied\\r\\x1b[2K'), format);
    }
  });

  it('json keeps the exact text (JSON escapes it already)', () => {
    const out = render('json');
    const doc = JSON.parse(out) as { results: { message: string }[] };
    assert.equal(doc.results[0].message, FORGED);
  });

  it('audit table: names and messages from the cluster are escaped', () => {
    const report: AuditReport = {
      ...hostileReport(),
      notAudited: [{ id: 'evil\x1b[2J', reason: 'r\rx' }],
      scanned: { resources: 1, namespaces: 1, lists: 1 },
    };
    const out = render('text', report, AUDIT_REPORTERS);
    assert.doesNotMatch(out, RAW);
    assert.ok(out.includes('not audited: evil\\x1b[2J: r\\rx'), out);
  });

  it('stderr diagnostics: escaped, lines kept', () => {
    const lines: string[] = [];
    createLogger('warn', (l) => lines.push(l)).warn('server said: \x1b[2Kok\r\nnext');
    assert.deepEqual(lines, ['warn: server said: \\x1b[2Kok\\r\nnext']);
  });
});
