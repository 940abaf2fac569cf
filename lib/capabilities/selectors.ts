import type { KubeObject } from '../manifests/types';
import { labelsOf, selectorMatches, type LabelSelector, type LabelSelectorRequirement } from '../kube/label-selector';
import { HostCallError } from './errors';

/**
 * Parses a label selector in the API's string form (`a=b`, `a==b`, `a!=b`, `a in (x,y)`, `a notin (x)`, `a`,
 * `!a`, joined by commas) into the structured form the rest of the project matches with.
 */
export function parseLabelSelectorString(text: string): LabelSelector {
  const matchExpressions: LabelSelectorRequirement[] = [];
  for (const part of splitTopLevel(text)) {
    const p = part.trim();
    if (p === '') continue;
    let m: RegExpExecArray | null;
    if ((m = /^!\s*([^\s=!(),]+)$/.exec(p))) matchExpressions.push({ key: m[1], operator: 'DoesNotExist' });
    else if ((m = /^([^\s=!(),]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(p))) {
      const values = m[3]
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      matchExpressions.push({ key: m[1], operator: m[2] === 'in' ? 'In' : 'NotIn', values });
    } else if ((m = /^([^\s=!(),]+)\s*(==|=|!=)\s*([^\s=!(),]*)$/.exec(p))) {
      matchExpressions.push({ key: m[1], operator: m[2] === '!=' ? 'NotIn' : 'In', values: [m[3]] });
    } else if ((m = /^([^\s=!(),]+)$/.exec(p))) matchExpressions.push({ key: m[1], operator: 'Exists' });
    else throw new HostCallError(`invalid label selector ${JSON.stringify(text)}: cannot parse ${JSON.stringify(p)}`);
  }
  return { matchExpressions };
}

/** Commas inside `(...)` belong to a value list, not to the requirement list. */
function splitTopLevel(text: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '(') depth++;
    else if (text[i] === ')') depth--;
    else if (text[i] === ',' && depth === 0) {
      out.push(text.slice(start, i));
      start = i + 1;
    }
  }
  out.push(text.slice(start));
  return out;
}

interface FieldRequirement {
  path: string[];
  equal: boolean;
  value: string;
}

/** Parses a field selector (`path=value`, `path==value`, `path!=value`, comma-joined). */
export function parseFieldSelector(text: string): FieldRequirement[] {
  const out: FieldRequirement[] = [];
  for (const part of text.split(',')) {
    const p = part.trim();
    if (p === '') continue;
    const m = /^([A-Za-z0-9_.-]+)\s*(==|=|!=)\s*(.*)$/.exec(p);
    if (!m)
      throw new HostCallError(`invalid field selector ${JSON.stringify(text)}: cannot parse ${JSON.stringify(p)}`);
    out.push({ path: m[1].split('.'), equal: m[2] !== '!=', value: m[3].trim() });
  }
  return out;
}

function fieldValue(obj: unknown, path: string[]): string {
  let cur: unknown = obj;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return '';
    cur = (cur as Record<string, unknown>)[k];
  }
  return cur === undefined || cur === null ? '' : typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}

/** A predicate for the objects both selectors select (either may be absent). */
export function objectFilter(
  labelSelector: string | undefined,
  fieldSelector: string | undefined,
): (o: KubeObject) => boolean {
  const labels = labelSelector ? parseLabelSelectorString(labelSelector) : undefined;
  const fields = fieldSelector ? parseFieldSelector(fieldSelector) : [];
  return (o) => {
    if (labels && !selectorMatches(labels, labelsOf(o) ?? {})) return false;
    return fields.every((f) => (fieldValue(o, f.path) === f.value) === f.equal);
  };
}
