/**
 * Label selectors in the string form clients put in `?labelSelector=`: `k=v`, `k==v`, `k!=v`, `k in (a,b)`,
 * `k notin (a,b)`, `k`, `!k`, joined by commas (AND). Parse errors are user-facing messages.
 */

export type LabelRequirement =
  { key: string; op: 'in' | 'notin'; values: string[] } | { key: string; op: 'exists' | '!exists' };

export type Labels = Readonly<Record<string, string>> | undefined;

export class SelectorError extends Error {}

/** Splits on commas that are not inside a `( ... )` value set. */
function splitRequirements(s: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    if (s[i] === '(') depth++;
    else if (s[i] === ')') depth--;
    else if (s[i] === ',' && depth === 0) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out.map((r) => r.trim());
}

const KEY = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?\/)?[a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?$/;
const VALUE = /^([a-z0-9A-Z]([-a-z0-9A-Z_.]*[a-z0-9A-Z])?)?$/;

function checkKey(key: string, whole: string): string {
  if (!KEY.test(key)) throw new SelectorError(`unable to parse requirement: invalid label key "${key}" in "${whole}"`);
  return key;
}

function checkValue(value: string, whole: string): string {
  if (!VALUE.test(value))
    throw new SelectorError(`unable to parse requirement: invalid label value "${value}" in "${whole}"`);
  return value;
}

function parseRequirement(r: string): LabelRequirement {
  const set = /^(\S+)\s+(in|notin)\s*\((.*)\)$/.exec(r);
  if (set) {
    const values = set[3].split(',').map((v) => checkValue(v.trim(), r));
    return { key: checkKey(set[1], r), op: set[2] as 'in' | 'notin', values };
  }
  const cmp = /^([^=!\s]+)\s*(==|!=|=)\s*(.*)$/.exec(r);
  if (cmp) {
    const values = [checkValue(cmp[3].trim(), r)];
    return { key: checkKey(cmp[1], r), op: cmp[2] === '!=' ? 'notin' : 'in', values };
  }
  if (r.startsWith('!')) return { key: checkKey(r.slice(1).trim(), r), op: '!exists' };
  return { key: checkKey(r, r), op: 'exists' };
}

export function parseLabelSelector(s: string): LabelRequirement[] {
  if (s.trim() === '') return [];
  return splitRequirements(s).map((r) => {
    if (r === '') throw new SelectorError(`unable to parse requirement: empty requirement in "${s}"`);
    return parseRequirement(r);
  });
}

export function matchesLabels(reqs: readonly LabelRequirement[], labels: Labels): boolean {
  return reqs.every((req) => {
    const has = labels !== undefined && Object.prototype.hasOwnProperty.call(labels, req.key);
    switch (req.op) {
      case 'exists':
        return has;
      case '!exists':
        return !has;
      case 'in':
        return has && req.values.includes(labels![req.key]);
      case 'notin':
        return !has || !req.values.includes(labels![req.key]);
    }
  });
}
