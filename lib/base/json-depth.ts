/**
 * How deeply a JSON-like value nests, counted without recursion, stopping once `max` is passed (then returns
 * max + 1). JSON.stringify, structured clone and most walkers recurse and overflow the stack somewhere between
 * 5,000 and 10,000 levels; a value from outside (a cluster object) is measured first so that such a value is an
 * error result for that object instead of a RangeError that ends the run.
 */
export function nestingDepth(value: unknown, max: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop()!;
    if (v === null || typeof v !== 'object') continue;
    const d = depth + 1;
    if (d > deepest) {
      deepest = d;
      if (deepest > max) return max + 1;
    }
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, unknown>)) {
      if (child !== null && typeof child === 'object') stack.push([child, d]);
    }
  }
  return deepest;
}
