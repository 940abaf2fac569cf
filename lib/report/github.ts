import { isLocalFile, objectName, position, resultMessage } from './common';
import type { Reporter } from './reporter';
import type { Result } from '../evaluation/result';
import { summaryLine } from './text';

/**
 * GitHub Actions workflow commands: `::error file=F,line=L,col=C,title=T::message` per rejection and error,
 * `::warning` per warning, `::notice` per mutation; the summary last as a plain log line.
 */
export const githubReporter: Reporter = {
  name: 'github',
  render(report) {
    const lines: string[] = [];
    for (const r of report.results) {
      const level = commandFor(r);
      if (!level) continue;
      const props: string[] = [];
      if (isLocalFile(r.source.file)) {
        props.push(`file=${escapeProperty(r.source.file.replace(/\\/g, '/'))}`);
        const pos = position(r);
        if (pos.line > 0) {
          props.push(`line=${pos.line}`);
          if (pos.column) props.push(`col=${pos.column}`);
        }
      }
      const what = objectName(r);
      const title = r.policy ? `${r.policy}${what ? ': ' + what : ''}` : what || 'input error';
      props.push(`title=${escapeProperty(title)}`);
      const text = [
        resultMessage(r),
        ...(r.causes ?? []).map((c) => `cause: ${c}`),
        ...(r.verdict !== 'warn' ? (r.warnings ?? []).map((w) => `warning: ${w}`) : []),
      ];
      if (!isLocalFile(r.source.file)) text.push(`in ${r.source.file}${r.source.line > 0 ? ':' + r.source.line : ''}`);
      if (r.patch)
        text.push(
          ...r.patch.map((op) => `${op.op} ${op.path}${op.value !== undefined ? ' ' + JSON.stringify(op.value) : ''}`),
        );
      lines.push(`::${level} ${props.join(',')}::${escapeData(text.join('\n'))}`);
    }
    lines.push(summaryLine(report, { color: false, verbose: false }));
    return lines.join('\n') + '\n';
  },
};

function commandFor(r: Result): 'error' | 'warning' | 'notice' | undefined {
  if (r.verdict === 'fail' || r.verdict === 'error') return 'error';
  if (r.verdict === 'warn') return 'warning';
  if (r.verdict === 'pass' && r.patch) return 'notice';
  return undefined;
}

/** Escaping of a command's message, as @actions/core does: `%`, CR and LF. */
export function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

/** Escaping of a command property's value: also `:` and `,`, which delimit properties. */
export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
