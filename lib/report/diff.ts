import * as jsyaml from 'js-yaml';
import { applyPatch } from '../kube/json-patch';
import type { JsonPatchOperation } from '../kube/admission-review';
import { editScript } from '../base/line-diff';

/** Largest object (in YAML lines, each side) diffed line by line; bigger ones fall back to the patch. */
const MAX_LINES = 4000;
const CONTEXT = 3;

export interface DiffLine {
  kind: ' ' | '-' | '+' | '@';
  text: string;
}

/**
 * Unified diff (3 lines of context) of an object as YAML before and after a JSON Patch, without the `---`/`+++`
 * header. Undefined when the patch does not apply to the object or the object is too large.
 */
export function patchDiff(before: unknown, patch: readonly JsonPatchOperation[]): DiffLine[] | undefined {
  let after: unknown;
  try {
    after = applyPatch(before, [...patch]);
  } catch {
    return undefined;
  }
  const a = toYamlLines(before);
  const b = toYamlLines(after);
  if (a.length > MAX_LINES || b.length > MAX_LINES) return undefined;
  return unifiedDiff(a, b);
}

function toYamlLines(v: unknown): string[] {
  const text = jsyaml.dump(v, { noRefs: true });
  return text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
}

/** Line diff (lib/base/line-diff.ts) grouped into hunks with `@@ -a,n +b,m @@` headers. */
export function unifiedDiff(a: readonly string[], b: readonly string[]): DiffLine[] {
  const script = editScript(a, b);
  // Hunks: changes with CONTEXT lines around them, merged when they touch.
  const out: DiffLine[] = [];
  let k = 0;
  while (k < script.length) {
    while (k < script.length && script[k][0] === ' ') k++;
    if (k >= script.length) break;
    const start = Math.max(0, k - CONTEXT);
    let end = k;
    for (;;) {
      while (end < script.length && script[end][0] !== ' ') end++;
      let next = end;
      while (next < script.length && script[next][0] === ' ') next++;
      if (next < script.length && next - end <= 2 * CONTEXT) end = next;
      else break;
    }
    end = Math.min(script.length, end + CONTEXT);
    const hunk = script.slice(start, end);
    const aLen = hunk.filter((s) => s[0] !== '+').length;
    const bLen = hunk.filter((s) => s[0] !== '-').length;
    const aStart = aLen === 0 ? hunk[0][1] : hunk[0][1] + 1;
    const bStart = bLen === 0 ? hunk[0][2] : hunk[0][2] + 1;
    out.push({ kind: '@', text: `@@ -${aStart},${aLen} +${bStart},${bLen} @@` });
    for (const [kind, ai, bi] of hunk) out.push({ kind, text: kind === '+' ? b[bi] : a[ai] });
    k = end;
  }
  return out;
}
