import type { SourceLocation } from '../manifests/types';
import type { Result } from '../evaluation/result';

/** `Deployment shop/api`, or '' for input problems. */
export function objectName(r: Result): string {
  if (!r.object) return '';
  return `${r.object.kind} ${r.object.namespace ? r.object.namespace + '/' : ''}${r.object.name ?? ''}`.trim();
}

/** The position to report: the located field, else where the object (or the problem) starts. Line 0 = unknown. */
export function position(r: Result): { line: number; column?: number } {
  if (r.location) return { line: r.location.line, column: r.location.column };
  return r.source.column ? { line: r.source.line, column: r.source.column } : { line: r.source.line };
}

/** Whether `file` names a file (not stdin, not a URL), i.e. something a code host can show. */
export function isLocalFile(file: string): boolean {
  return file !== '-' && !/^[a-z][a-z0-9+.-]*:\/\//i.test(file);
}

/** The result's text: its message, or what it did when the policy gave none. */
export function resultMessage(r: Result): string {
  if (r.message) return r.message;
  if (r.verdict === 'warn' && r.warnings?.length) return r.warnings.join('; ');
  if (r.patch) return `mutated: ${r.patch.length} change${r.patch.length === 1 ? '' : 's'}`;
  return r.verdict;
}

/** One object of the input: its file, document and List item (results of one object share it). */
export function sourceKey(s: Pick<SourceLocation, 'file' | 'docIndex' | 'itemIndex'>): string {
  return `${s.file}\0${s.docIndex}\0${s.itemIndex ?? ''}`;
}
