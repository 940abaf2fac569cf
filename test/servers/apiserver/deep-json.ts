/**
 * Copying and writing objects nested deeper than V8's recursive JSON.stringify and structuredClone manage (a few
 * thousand levels). kube-apiserver's JSON decoder (sigs.k8s.io/json, as Go's encoding/json) accepts up to 10,000
 * levels, so a custom resource with preserved unknown fields can hold such an object: clients must survive one.
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** JSON.stringify, falling back to an explicit stack for values too deep for it. */
export function stringifyDeep(value: unknown): string {
  try {
    return JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
  }
  const out: string[] = [];
  // Work items: a value to write, or a literal piece of text.
  const stack: ({ v: unknown } | { t: string })[] = [{ v: value }];
  while (stack.length > 0) {
    const w = stack.pop()!;
    if ('t' in w) {
      out.push(w.t);
      continue;
    }
    const v = w.v;
    if (v === null || typeof v !== 'object') {
      out.push(JSON.stringify(v) ?? 'null');
      continue;
    }
    const parts: ({ v: unknown } | { t: string })[] = [];
    if (Array.isArray(v)) {
      parts.push({ t: '[' });
      v.forEach((x, i) => parts.push(...(i > 0 ? [{ t: ',' }] : []), { v: x }));
      parts.push({ t: ']' });
    } else {
      parts.push({ t: '{' });
      Object.entries(v as Record<string, unknown>)
        .filter(([, x]) => x !== undefined)
        .forEach(([k, x], i) => parts.push({ t: `${i > 0 ? ',' : ''}${JSON.stringify(k)}:` }, { v: x }));
      parts.push({ t: '}' });
    }
    for (let i = parts.length - 1; i >= 0; i--) stack.push(parts[i]);
  }
  return out.join('');
}

/** structuredClone, falling back to a round trip through stringifyDeep and JSON.parse (which does not recurse). */
export function cloneDeep<T>(value: T): T {
  try {
    return structuredClone(value);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    return JSON.parse(stringifyDeep(value)) as T & Json;
  }
}
