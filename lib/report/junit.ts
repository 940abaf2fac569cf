import { objectName, position, resultMessage } from './common';
import type { Reporter } from './reporter';
import type { Result } from '../evaluation/result';

/**
 * JUnit XML: one <testsuite> per policy (plus one named `input` for documents that could not be read), one
 * <testcase> per object × policy. Rejections are <failure>, evaluation errors <error>, skips <skipped/>;
 * warnings and mutations pass, with their details in <system-out>.
 */
export const junitReporter: Reporter = {
  name: 'junit',
  render(report) {
    const suites = new Map<string, Result[]>();
    for (const p of report.policies) suites.set(p.id, []);
    for (const r of report.results) {
      const id = r.policy ?? 'input';
      const list = suites.get(id);
      if (list) list.push(r);
      else suites.set(id, [r]);
    }
    const s = report.summary;
    const out: string[] = ['<?xml version="1.0" encoding="UTF-8"?>'];
    out.push(
      `<testsuites name="kubectl-wasmpolicy" tests="${report.results.length}" failures="${s.fail}" errors="${s.error}" skipped="${s.skip}">`,
    );
    for (const [id, results] of suites) {
      const count = (v: string): number => results.filter((r) => r.verdict === v).length;
      out.push(
        `  <testsuite name="${attr(id)}" tests="${results.length}" failures="${count('fail')}" errors="${count('error')}" skipped="${count('skip')}">`,
      );
      for (const r of results) out.push(...testcase(r));
      out.push('  </testsuite>');
    }
    out.push('</testsuites>');
    return out.join('\n') + '\n';
  },
};

function testcase(r: Result): string[] {
  const pos = position(r);
  const where = `${r.source.file}${pos.line > 0 ? ':' + pos.line + (pos.column ? ':' + pos.column : '') : ''}`;
  const name = `${objectName(r) || where}`;
  const attrs = `name="${attr(name)}" classname="${attr(r.policy ?? 'input')}" file="${attr(r.source.file)}"${pos.line > 0 ? ` line="${pos.line}"` : ''}`;
  const details = [
    `${where}: ${resultMessage(r)}`,
    ...(r.causes ?? []).map((c) => `cause: ${c}`),
    ...(r.warnings ?? []).map((w) => `warning: ${w}`),
    ...(r.patch ?? []).map(
      (op) => `${op.op} ${op.path}${op.value !== undefined ? ' ' + JSON.stringify(op.value) : ''}`,
    ),
  ].join('\n');
  switch (r.verdict) {
    case 'fail':
      return [
        `    <testcase ${attrs}>`,
        `      <failure message="${attr(resultMessage(r))}" type="rejected">${text(details)}</failure>`,
        '    </testcase>',
      ];
    case 'error':
      return [
        `    <testcase ${attrs}>`,
        `      <error message="${attr(resultMessage(r))}" type="error">${text(details)}</error>`,
        '    </testcase>',
      ];
    case 'skip':
      return [
        `    <testcase ${attrs}>`,
        `      <skipped message="${attr(r.message ?? 'not matched')}"/>`,
        '    </testcase>',
      ];
    default:
      if (r.verdict === 'warn' || r.patch)
        return [`    <testcase ${attrs}>`, `      <system-out>${text(details)}</system-out>`, '    </testcase>'];
      return [`    <testcase ${attrs}/>`];
  }
}

/** Characters XML 1.0 cannot carry at all (control characters other than tab, LF, CR; lone surrogates; U+FFFE/F). */
const INVALID_XML =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

function text(s: string): string {
  return s.replace(INVALID_XML, '\uFFFD').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attr(s: string): string {
  return text(s).replace(/"/g, '&quot;').replace(/\n/g, '&#10;').replace(/\r/g, '&#13;').replace(/\t/g, '&#9;');
}
