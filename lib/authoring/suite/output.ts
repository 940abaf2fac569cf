import { actualOf, objectKey } from './compare';
import type { CaseOutcome } from './execute';
import type { SuiteOutcome, TestReport } from './index';

export const TEST_FORMATS = ['text', 'json', 'junit'] as const;
export type TestFormat = (typeof TEST_FORMATS)[number];

const seconds = (ms: number): string => `${(ms / 1000).toFixed(2)}s`;

/**
 * `go test`-like text: a `--- FAIL` block per failing case (file:line of the case or results entry, object ×
 * policy, expected and actual, the message, a diff for mutations), `ok`/`FAIL` per suite file, a summary line.
 * `verbose` lists passing cases too.
 */
export function renderText(report: TestReport, verbose: boolean): string {
  const out: string[] = [];
  for (const s of report.suites) {
    if (s.error) {
      out.push(
        `FAIL\t${s.file}\t[suite error]`,
        `    ${s.error.place.file}${s.error.place.line > 0 ? `:${s.error.place.line}` : ''}: ${s.error.reason}`,
      );
      if (s.cases.length === 0) continue;
    }
    for (const c of s.cases) out.push(...caseLines(c, verbose));
    const failed = s.cases.some((c) => c.status !== 'pass');
    if (!s.error)
      out.push(
        `${failed ? 'FAIL' : 'ok  '}\t${s.file}\t${seconds(s.durationMs)}${s.updated ? `\t(${s.updated} case${s.updated === 1 ? '' : 's'} updated)` : ''}`,
      );
  }
  const m = report.summary;
  out.push(
    `${m.failed + m.errors + m.brokenSuites > 0 ? 'FAIL' : 'PASS'}: ${m.cases} cases in ${m.suites} suites: ${m.passed} passed, ${m.failed} failed, ${m.errors} errors${m.brokenSuites ? `, ${m.brokenSuites} suites could not run` : ''}${m.updated ? `, ${m.updated} updated` : ''}`,
  );
  return out.join('\n') + '\n';
}

function caseLines(c: CaseOutcome, verbose: boolean): string[] {
  const title = `${c.suite.name}/${c.case.name}`;
  if (c.status === 'pass') return verbose ? [`--- PASS: ${title} (${seconds(c.durationMs)})`] : [];
  const lines = [`--- FAIL: ${title} (${seconds(c.durationMs)})`];
  if (c.status === 'error') {
    lines.push(`    ${c.case.place.file}:${c.case.place.line}: could not run: ${indentRest(c.error ?? '')}`);
    return lines;
  }
  for (const f of c.failures) {
    lines.push(
      `    ${f.place.file}:${f.place.line}: ${f.object} by ${f.policy}: expected ${f.expected}, got ${f.actual}`,
    );
    if (f.message !== undefined) lines.push(`        message: ${f.message}`);
    if (f.diff) {
      lines.push('        --- expected', '        +++ actual');
      for (const d of f.diff) lines.push(`        ${d}`);
    }
  }
  return lines;
}

function indentRest(text: string): string {
  return text.replace(/\n/g, '\n        ');
}

/** JSON: every suite and case with status, place, failures and the actual result of each object × policy; the summary. */
export function renderJson(report: TestReport): string {
  const suites = report.suites.map((s) => ({
    file: s.file,
    name: s.name,
    ...(s.error ? { error: { file: s.error.place.file, line: s.error.place.line, reason: s.error.reason } } : {}),
    ...(s.updated ? { updated: s.updated } : {}),
    durationMs: s.durationMs,
    cases: s.cases.map((c) => ({
      name: c.case.name,
      file: c.case.place.file,
      line: c.case.place.line,
      status: c.status,
      ...(c.error !== undefined ? { error: c.error } : {}),
      failures: c.failures,
      results: c.results.filter((r) => r.policy !== undefined).length,
      actual: c.results
        .filter((r) => r.policy !== undefined)
        .map((r) => ({
          object: objectKey(r),
          policy: r.policy,
          result: actualOf(r),
          ...(r.message !== undefined ? { message: r.message } : {}),
        })),
    })),
  }));
  return JSON.stringify({ suites, summary: report.summary }, null, 2) + '\n';
}

/** JUnit XML: a <testsuite> per suite file, a <testcase> per case; failing cases <failure>, errors <error>. */
export function renderJunit(report: TestReport): string {
  const m = report.summary;
  const out = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="kubectl-wasmpolicy test" tests="${m.cases}" failures="${m.failed}" errors="${m.errors + m.brokenSuites}">`,
  ];
  for (const s of report.suites) out.push(...suiteXml(s));
  out.push('</testsuites>');
  return out.join('\n') + '\n';
}

function suiteXml(s: SuiteOutcome): string[] {
  const count = (st: string): number => s.cases.filter((c) => c.status === st).length;
  const out = [
    `  <testsuite name="${attr(s.name)}" file="${attr(s.file)}" tests="${s.cases.length}" failures="${count('fail')}" errors="${count('error') + (s.error ? 1 : 0)}" time="${(s.durationMs / 1000).toFixed(3)}">`,
  ];
  if (s.error)
    out.push(
      `    <testcase name="(suite)" classname="${attr(s.name)}" file="${attr(s.file)}" line="${s.error.place.line}">`,
      `      <error message="${attr(s.error.reason)}"/>`,
      '    </testcase>',
    );
  for (const c of s.cases) {
    const head = `    <testcase name="${attr(c.case.name)}" classname="${attr(s.name)}" file="${attr(c.case.place.file)}" line="${c.case.place.line}" time="${(c.durationMs / 1000).toFixed(3)}"`;
    if (c.status === 'pass') {
      out.push(`${head}/>`);
      continue;
    }
    out.push(`${head}>`);
    if (c.status === 'error') out.push(`      <error message="${attr(c.error ?? '')}"/>`);
    else {
      const text = c.failures
        .map(
          (f) =>
            `${f.place.file}:${f.place.line}: ${f.object} by ${f.policy}: expected ${f.expected}, got ${f.actual}${f.message !== undefined ? `\nmessage: ${f.message}` : ''}${f.diff ? `\n${f.diff.join('\n')}` : ''}`,
        )
        .join('\n');
      out.push(
        `      <failure message="${attr(`${c.failures.length} expectation(s) not met`)}">${text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')}</failure>`,
      );
    }
    out.push('    </testcase>');
  }
  out.push('  </testsuite>');
  return out;
}

function attr(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/"/g, '&quot;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/\n/g, '&#10;');
}
