import type { Reporter, ReporterOptions } from './reporter';
import { parseJsonPointer } from '../manifests/locate';
import type { KubeObject } from '../manifests/types';
import { patchDiff } from './diff';
import type { Report, Result, Verdict } from '../evaluation/result';

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

export function label(r: Result): string {
  return r.verdict === 'pass' && r.patch ? 'mutated' : r.verdict;
}

function isNotable(r: Result): boolean {
  return (
    r.verdict === 'fail' ||
    r.verdict === 'warn' ||
    r.verdict === 'error' ||
    (r.verdict === 'pass' && r.patch !== undefined)
  );
}

/**
 * Human output: one line per rejection, warning, mutation and error (`file:line: what`), grouped by file in input
 * order, with the located field (`at file:line:col`) and a mutation's diff under it; the summary last.
 */
export const textReporter: Reporter = {
  name: 'text',
  render(report, opts) {
    const lines: string[] = [];
    const byFile = new Map<string, Result[]>();
    for (const r of report.results) {
      if (!opts.verbose && !isNotable(r)) continue;
      const list = byFile.get(r.source.file);
      if (list) list.push(r);
      else byFile.set(r.source.file, [r]);
    }
    for (const results of byFile.values()) {
      for (const r of results) {
        lines.push(resultLine(r, opts));
        for (const c of r.causes ?? []) lines.push(`    cause: ${c}`);
        if (r.verdict !== 'warn') for (const w of r.warnings ?? []) lines.push(`    warning: ${w}`);
        if (r.location)
          lines.push(
            `    at ${r.source.file}:${r.location.line}:${r.location.column} (${dottedPath(r.location.path)})`,
          );
        if (r.patch) lines.push(...patchLines(r, report.original?.(r), opts));
      }
    }
    lines.push(summaryLine(report, opts));
    return lines.join('\n') + '\n';
  },
};

/** A mutation as a unified diff of the object as YAML; the raw patch when there is no object to diff. */
function patchLines(r: Result, original: KubeObject | undefined, opts: ReporterOptions): string[] {
  const diff = original && r.patch ? patchDiff(original, r.patch) : undefined;
  if (!diff)
    return (r.patch ?? []).map(
      (op) => `    ${op.op} ${op.path}${op.value !== undefined ? ' ' + truncate(JSON.stringify(op.value)) : ''}`,
    );
  const paint = (color: string, t: string): string => (opts.color ? `${color}${t}\x1b[0m` : t);
  const out = [`    ${paint('\x1b[1m', '--- before')}`, `    ${paint('\x1b[1m', '+++ after')}`];
  for (const d of diff) {
    if (d.kind === '@') out.push(`    ${paint('\x1b[36m', d.text)}`);
    else if (d.kind === '-') out.push(`    ${paint('\x1b[31m', '-' + d.text)}`);
    else if (d.kind === '+') out.push(`    ${paint('\x1b[32m', '+' + d.text)}`);
    else out.push(`     ${d.text}`);
  }
  return out;
}

/** `/spec/containers/0/image` → `spec.containers[0].image`, as the policies' messages write paths. */
export function dottedPath(pointer: string): string {
  let out = '';
  for (const seg of parseJsonPointer(pointer))
    out +=
      typeof seg === 'number'
        ? `[${seg}]`
        : /^[A-Za-z_$][\w$-]*$/.test(seg)
          ? (out ? '.' : '') + seg
          : `[${JSON.stringify(seg)}]`;
  return out;
}

function resultLine(r: Result, opts: ReporterOptions): string {
  const [color, word] = STYLE[label(r)];
  const tag = opts.color ? `${color}${word}\x1b[0m` : word;
  // Line 0: an input that could not be read, or a live object; lines are 1-based, so none is named.
  const loc = `${r.source.file}${r.source.line > 0 ? `:${r.source.line}${r.source.column ? ':' + r.source.column : ''}` : ''}${r.source.origin ? ` (origin: ${r.source.origin})` : ''}`;
  const what = r.object
    ? `${r.object.kind} ${r.object.namespace ? r.object.namespace + '/' : ''}${r.object.name ?? ''}`
    : '';
  const by = r.policy ? `${what ? ' ' : ''}by ${r.policy}` : '';
  const message =
    r.message ??
    (r.verdict === 'warn'
      ? (r.warnings ?? []).join('; ')
      : r.patch
        ? `${r.patch.length} change${r.patch.length === 1 ? '' : 's'}`
        : '');
  const head = `${loc}: ${tag}: ${what}${by}`.replace(/: $/, '');
  return message ? `${head}: ${message}` : head;
}

export function summaryLine(report: Report, opts: ReporterOptions): string {
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
