/**
 * The line diff of the project: an edit script by longest common subsequence, used for the diffs of reports and
 * test suites (lib/report/diff.ts) and for matching printed lines to a file's own in `check --write`
 * (lib/report/write-back.ts). docs/decisions.md says why not jsdiff.
 */

/** One step of an edit script: kept (' '), deleted from `a` ('-') or inserted from `b` ('+'), with both indices. */
export type Edit = [kind: ' ' | '-' | '+', aIndex: number, bIndex: number];

/**
 * The edit script turning `a` into `b`. Equal lines are kept greedily; where two scripts are equally short, the
 * insertion comes first. When the changed middle (after the common prefix and suffix) has more than `maxCells`
 * line pairs, it is not matched: all its lines are inserted and deleted.
 */
export function editScript(a: readonly string[], b: readonly string[], maxCells = Infinity): Edit[] {
  // Common prefix and suffix first: edits usually touch a few lines of a long text.
  let pre = 0;
  while (pre < a.length && pre < b.length && a[pre] === b[pre]) pre++;
  let suf = 0;
  while (suf < a.length - pre && suf < b.length - pre && a[a.length - 1 - suf] === b[b.length - 1 - suf]) suf++;
  const n = a.length - pre - suf;
  const m = b.length - pre - suf;
  const script: Edit[] = [];
  for (let k = 0; k < pre; k++) script.push([' ', k, k]);
  if (n * m > maxCells) {
    for (let j = 0; j < m; j++) script.push(['+', pre, pre + j]);
    for (let i = 0; i < n; i++) script.push(['-', pre + i, pre + m]);
  } else {
    const am = a.slice(pre, pre + n);
    const bm = b.slice(pre, pre + m);
    const lcs: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--)
        lcs[i][j] = am[i] === bm[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && am[i] === bm[j]) script.push([' ', pre + i++, pre + j++]);
      else if (j < m && (i >= n || lcs[i][j + 1] >= lcs[i + 1][j])) script.push(['+', pre + i, pre + j++]);
      else script.push(['-', pre + i++, pre + j]);
    }
  }
  for (let k = 0; k < suf; k++) script.push([' ', a.length - suf + k, b.length - suf + k]);
  return script;
}
