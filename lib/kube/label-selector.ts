/**
 * metav1.LabelSelector, as the API server parses and matches it for webhook `namespaceSelector` and
 * `objectSelector` (k8s.io/apimachinery `LabelSelectorAsSelector`): `matchLabels` and `matchExpressions` are
 * ANDed; `In`/`NotIn` need values, `Exists`/`DoesNotExist` must have none; `NotIn` and `DoesNotExist` match
 * when the key is absent. An empty selector (`{}`) matches everything.
 */

export type SelectorOperator = 'In' | 'NotIn' | 'Exists' | 'DoesNotExist';

export interface LabelSelectorRequirement {
  key: string;
  operator: SelectorOperator;
  values?: string[];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: LabelSelectorRequirement[];
}

const OPERATORS: readonly SelectorOperator[] = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** A problem found while reading a selector: the field path below the selector, and what is wrong. */
export interface SelectorProblem {
  field: string;
  message: string;
}

// A qualified name (label key name part, label value): at most 63 characters, alphanumeric at both ends.
const NAME_PART = /^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Why `key` is not a valid label key (`[prefix/]name`), or undefined. */
export function labelKeyProblem(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  if (prefix !== undefined && (prefix.length === 0 || prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))) {
    return `prefix of label key ${JSON.stringify(key)} must be a DNS subdomain`;
  }
  if (name.length === 0 || name.length > 63 || !NAME_PART.test(name)) {
    return `label key ${JSON.stringify(key)} must be 63 characters or less, begin and end with an alphanumeric character and contain only alphanumerics, '-', '_' and '.'`;
  }
  return undefined;
}

/** Why `value` is not a valid label value, or undefined (the empty value is valid). */
export function labelValueProblem(value: string): string | undefined {
  if (value === '') return undefined;
  if (value.length > 63 || !NAME_PART.test(value)) {
    return `label value ${JSON.stringify(value)} must be 63 characters or less, begin and end with an alphanumeric character and contain only alphanumerics, '-', '_' and '.'`;
  }
  return undefined;
}

/**
 * Reads a selector from config data. Returns the selector (null/undefined → undefined, which matches
 * everything) and every problem found, with field paths relative to the selector.
 */
export function parseLabelSelector(value: unknown): { selector?: LabelSelector; problems: SelectorProblem[] } {
  const problems: SelectorProblem[] = [];
  if (value === null || value === undefined) return { problems };
  if (typeof value !== 'object' || Array.isArray(value)) {
    return { problems: [{ field: '', message: 'must be a mapping with matchLabels and/or matchExpressions' }] };
  }
  const v = value as Record<string, unknown>;
  const selector: LabelSelector = {};
  for (const k of Object.keys(v)) {
    if (k !== 'matchLabels' && k !== 'matchExpressions')
      problems.push({ field: k, message: 'unknown field (a label selector has matchLabels and matchExpressions)' });
  }
  if (v.matchLabels !== undefined && v.matchLabels !== null) {
    if (typeof v.matchLabels !== 'object' || Array.isArray(v.matchLabels)) {
      problems.push({ field: 'matchLabels', message: 'must be a mapping of label keys to values' });
    } else {
      const labels: Record<string, string> = {};
      for (const [k, val] of Object.entries(v.matchLabels as Record<string, unknown>)) {
        const keyProblem = labelKeyProblem(k);
        if (keyProblem) problems.push({ field: `matchLabels.${k}`, message: keyProblem });
        if (typeof val !== 'string') {
          problems.push({ field: `matchLabels.${k}`, message: 'must be a string' });
          continue;
        }
        const valueProblem = labelValueProblem(val);
        if (valueProblem) problems.push({ field: `matchLabels.${k}`, message: valueProblem });
        labels[k] = val;
      }
      selector.matchLabels = labels;
    }
  }
  if (v.matchExpressions !== undefined && v.matchExpressions !== null) {
    if (!Array.isArray(v.matchExpressions)) {
      problems.push({ field: 'matchExpressions', message: 'must be a list' });
    } else {
      selector.matchExpressions = [];
      (v.matchExpressions as unknown[]).forEach((e, i) => {
        const field = `matchExpressions[${i}]`;
        if (e === null || typeof e !== 'object' || Array.isArray(e)) {
          problems.push({ field, message: 'must be a mapping with key, operator and values' });
          return;
        }
        const r = e as Record<string, unknown>;
        if (typeof r.key !== 'string' || r.key === '') {
          problems.push({ field: `${field}.key`, message: 'required' });
          return;
        }
        const keyProblem = labelKeyProblem(r.key);
        if (keyProblem) problems.push({ field: `${field}.key`, message: keyProblem });
        if (typeof r.operator !== 'string' || !OPERATORS.includes(r.operator as SelectorOperator)) {
          problems.push({
            field: `${field}.operator`,
            message: `must be one of ${OPERATORS.join(', ')}, got ${JSON.stringify(r.operator)}`,
          });
          return;
        }
        const op = r.operator as SelectorOperator;
        let values: string[] = [];
        if (r.values !== undefined && r.values !== null) {
          if (!Array.isArray(r.values) || !r.values.every((x) => typeof x === 'string')) {
            problems.push({ field: `${field}.values`, message: 'must be a list of strings' });
            return;
          }
          values = r.values as string[];
        }
        if ((op === 'In' || op === 'NotIn') && values.length === 0) {
          problems.push({ field: `${field}.values`, message: `must be specified when operator is ${op}` });
        }
        if ((op === 'Exists' || op === 'DoesNotExist') && values.length > 0) {
          problems.push({ field: `${field}.values`, message: `may not be specified when operator is ${op}` });
        }
        for (const val of values) {
          const valueProblem = labelValueProblem(val);
          if (valueProblem) problems.push({ field: `${field}.values`, message: valueProblem });
        }
        selector.matchExpressions!.push(
          values.length > 0 ? { key: r.key, operator: op, values } : { key: r.key, operator: op },
        );
      });
    }
  }
  return { selector, problems };
}

/** True for an absent selector or one with no requirement at all: it matches everything. */
export function isEmptySelector(s: LabelSelector | undefined): boolean {
  return !s || (Object.keys(s.matchLabels ?? {}).length === 0 && (s.matchExpressions ?? []).length === 0);
}

/** Whether `labels` satisfy every requirement of `s`. */
export function selectorMatches(s: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!s) return true;
  for (const [k, v] of Object.entries(s.matchLabels ?? {})) {
    if (!Object.prototype.hasOwnProperty.call(labels, k) || labels[k] !== v) return false;
  }
  for (const r of s.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(labels, r.key);
    switch (r.operator) {
      case 'In':
        if (!has || !(r.values ?? []).includes(labels[r.key])) return false;
        break;
      case 'NotIn':
        if (has && (r.values ?? []).includes(labels[r.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
    }
  }
  return true;
}

/** `key in (a,b),!other` — the selector in kubectl's string form, for messages. */
export function formatSelector(s: LabelSelector | undefined): string {
  if (isEmptySelector(s)) return '(everything)';
  const parts: string[] = [];
  for (const [k, v] of Object.entries(s!.matchLabels ?? {})) parts.push(`${k}=${v}`);
  for (const r of s!.matchExpressions ?? []) {
    switch (r.operator) {
      case 'In':
        parts.push(`${r.key} in (${(r.values ?? []).join(',')})`);
        break;
      case 'NotIn':
        parts.push(`${r.key} notin (${(r.values ?? []).join(',')})`);
        break;
      case 'Exists':
        parts.push(r.key);
        break;
      case 'DoesNotExist':
        parts.push(`!${r.key}`);
        break;
    }
  }
  return parts.join(',');
}

/** Labels of an object's metadata (non-string values are ignored, as they cannot be labels). */
export function labelsOf(obj: unknown): Record<string, string> | undefined {
  if (obj === null || typeof obj !== 'object') return undefined;
  const meta = (obj as { metadata?: unknown }).metadata;
  if (meta === null || meta === undefined) return {};
  if (typeof meta !== 'object') return undefined;
  const labels = (meta as { labels?: unknown }).labels;
  if (labels === null || labels === undefined || typeof labels !== 'object' || Array.isArray(labels)) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(labels as Record<string, unknown>)) if (typeof v === 'string') out[k] = v;
  return out;
}
