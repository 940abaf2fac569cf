/**
 * Bounds of a settings document given on the command line (--settings FILE, --settings-json). A YAML alias is
 * one shared node once loaded, so an alias bomb is small in memory and only explodes when the settings are
 * serialised for the policy; an over-deep document overflows the stack there. Both are refused up front.
 */
export const SETTINGS_LIMITS = {
  /** serde_yaml's and serde_json's recursion limit: policy-server reads settings with them and refuses deeper ones. */
  maxDepth: 128,
  /** Nodes (every scalar, sequence and mapping, with aliases expanded) of the serialised settings. */
  maxNodes: 1_000_000,
  /** Characters of the expanded scalars and keys. */
  maxChars: 16 * 1024 * 1024,
} as const;

/**
 * What is wrong with `value` as settings (nested too deep, or too large once aliases are expanded), or undefined.
 * One iterative walk that stops at the first limit passed, so its own cost is bounded by the limits.
 */
export function settingsDocumentProblem(
  value: unknown,
  limits: typeof SETTINGS_LIMITS = SETTINGS_LIMITS,
): string | undefined {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 1 }];
  let nodes = 0;
  let chars = 0;
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (++nodes > limits.maxNodes) return `it has more than ${limits.maxNodes} values once its aliases are expanded`;
    if (typeof v === 'string') chars += v.length;
    else if (v !== null && typeof v === 'object') {
      if (depth > limits.maxDepth)
        return `it nests more than ${limits.maxDepth} levels deep (recursion limit exceeded)`;
      if (Array.isArray(v)) for (const x of v) stack.push({ v: x, depth: depth + 1 });
      else
        for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
          chars += k.length;
          stack.push({ v: x, depth: depth + 1 });
        }
    }
    if (chars > limits.maxChars) return `it is larger than ${limits.maxChars} characters once its aliases are expanded`;
  }
  return undefined;
}
