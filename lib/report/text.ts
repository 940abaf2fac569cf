import type { Reporter, ReporterOptions } from './reporter';
import type { Report, Result, Verdict } from './result';

const STYLE: Record<string, [string, string]> = {
  fail: ['\x1b[31m', 'rejected'],
  warn: ['\x1b[33m', 'warning'],
  error: ['\x1b[35m', 'error'],
  mutated: ['\x1b[36m', 'mutated'],
  pass: ['\x1b[32m', 'passed'],
  skip: ['\x1b[2m', 'skipped'],
};

/** Words that change with the count; the others are participles. */
const PLURAL: Partial<Record<string, string>> = { warn: 'warnings', error: 'errors' };

function label(r: Result): string {
  return r.verdict === 'pass' && r.patch ? 'mutated' : r.verdict;
}

function isNotable(r: Result): boolean {
  return r.verdict === 'fail' || r.verdict === 'warn' || r.verdict === 'error' || (r.verdict === 'pass' && r.patch !== undefined);
}

/** Human output: one line per rejection, warning, mutation and error (`file:line: what`), the summary last. */
export const textReporter: Reporter = {
  name: 'text',
  render(report, opts) {
    const lines: string[] = [];
    for (const r of report.results) {
      if (!opts.verbose && !isNotable(r)) continue;
      lines.push(resultLine(r, opts));
      if (r.patch) for (const op of r.patch) lines.push(`    ${op.op} ${op.path}${op.value !== undefined ? ' ' + truncate(JSON.stringify(op.value)) : ''}`);
      for (const c of r.causes ?? []) lines.push(`    cause: ${c}`);
      if (r.verdict !== 'warn') for (const w of r.warnings ?? []) lines.push(`    warning: ${w}`);
    }
    lines.push(summaryLine(report, opts));
    return lines.join('\n') + '\n';
  },
};

function resultLine(r: Result, opts: ReporterOptions): string {
  const [color, word] = STYLE[label(r)];
  const tag = opts.color ? `${color}${word}\x1b[0m` : word;
  const loc = `${r.source.file}:${r.source.line}${r.source.column ? ':' + r.source.column : ''}`;
  const what = r.object ? `${r.object.kind} ${r.object.namespace ? r.object.namespace + '/' : ''}${r.object.name ?? ''}` : '';
  const by = r.policy ? `${what ? ' ' : ''}by ${r.policy}` : '';
  const message = r.message ?? (r.verdict === 'warn' ? (r.warnings ?? []).join('; ') : r.patch ? `${r.patch.length} change${r.patch.length === 1 ? '' : 's'}` : '');
  const head = `${loc}: ${tag}: ${what}${by}`.replace(/: $/, '');
  return message ? `${head}: ${message}` : head;
}

function summaryLine(report: Report, opts: ReporterOptions): string {
  const s = report.summary;
  const counts: [Verdict | 'mutated', number][] = [
    ['pass', s.pass - s.mutated],
    ['mutated', s.mutated],
    ['fail', s.fail],
    ['warn', s.warn],
    ['error', s.error],
    ['skip', s.skip],
  ];
  const parts = counts.map(([k, n]) => {
    const text = `${n} ${(n !== 1 && PLURAL[k]) || STYLE[k][1]}`;
    return opts.color && n > 0 && k !== 'skip' && k !== 'pass' ? `${STYLE[k][0]}${text}\x1b[0m` : text;
  });
  return `${s.objects} object${s.objects === 1 ? '' : 's'}, ${s.policies} polic${s.policies === 1 ? 'y' : 'ies'}: ${parts.join(', ')}`;
}

function truncate(s: string): string {
  return s.length > 120 ? s.slice(0, 117) + '...' : s;
}
