/**
 * Settings documents given on the command line (--settings FILE, --settings-json, run's --settings-path): read,
 * parsed and bounded here, once. A YAML alias is one shared node once loaded, so an alias bomb is small in memory
 * and only explodes when the settings are serialised for the policy; an over-deep or self-referring document
 * overflows the stack there. All are refused up front by one walk (settingsDocumentProblem).
 */
import * as jsyaml from 'js-yaml';
import { readRegularFile, type BoundedReadError } from '../base/bounded-read';
import { UserError } from '../base/user-error';
import { DEFAULT_LIMITS } from '../manifests/limits';

/** A settings document that cannot be used; the message starts with where it came from (the flag and file). */
export class SettingsError extends UserError<'unreadable' | 'syntax' | 'limits' | 'not-an-object'> {
  override name = 'SettingsError';
}

/** The bounds of a settings document, as policy-server can read and serialise it. */
export const SETTINGS_LIMITS = {
  /** serde_yaml's and serde_json's recursion limit: policy-server reads settings with them and refuses deeper ones. */
  maxDepth: 128,
  /** Nodes (every scalar, sequence and mapping, with aliases expanded) of the serialised settings. */
  maxNodes: 1_000_000,
  /** Characters of the expanded scalars and keys. */
  maxChars: 16 * 1024 * 1024,
} as const;

/**
 * What is wrong with `value` as settings (it refers to itself, nests too deep, or is too large once aliases are
 * expanded), or undefined. One iterative walk that stops at the first limit passed, so its own cost is bounded by
 * the limits.
 */
export function settingsDocumentProblem(
  value: unknown,
  limits: typeof SETTINGS_LIMITS = SETTINGS_LIMITS,
): string | undefined {
  const stack: { v: unknown; depth: number }[] = [{ v: value, depth: 1 }];
  // The containers from the root to the one being walked (depth-first: the last one seen at each depth).
  const path: object[] = [];
  const onPath = new Set<object>();
  let nodes = 0;
  let chars = 0;
  while (stack.length > 0) {
    const { v, depth } = stack.pop()!;
    if (++nodes > limits.maxNodes) return `it has more than ${limits.maxNodes} values once its aliases are expanded`;
    if (typeof v === 'string') chars += v.length;
    else if (v !== null && typeof v === 'object') {
      while (path.length >= depth) onPath.delete(path.pop()!);
      if (onPath.has(v)) return 'refers to itself through a YAML alias (cycle)';
      path.push(v);
      onPath.add(v);
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

/** `--settings-json`'s text as settings; `where` names the flag in messages. */
export function settingsFromJson(text: string, where: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new SettingsError(`${where} is not valid JSON: ${(err as Error).message}`, 'syntax');
  }
  return settingsObject(v, where);
}

/** A settings file (YAML or JSON) as settings; `where` names the flag and the file in messages. */
export async function settingsFromFile(file: string, where: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = (await readRegularFile(file, DEFAULT_LIMITS.maxInputBytes)).toString('utf8');
  } catch (err) {
    const e = err as BoundedReadError;
    throw new SettingsError(
      `${where}: ${e.reason === 'too-large' ? e.message : `cannot read: ${e.reason === 'not-found' ? 'no such file' : e.message}`}`,
      'unreadable',
    );
  }
  let v: unknown;
  try {
    // The manifests' parser limits: an alias bomb here is refused as it is in a manifest.
    v = jsyaml.load(text, { maxAliases: DEFAULT_LIMITS.maxAliases, maxDepth: DEFAULT_LIMITS.maxDepth });
  } catch (err) {
    // js-yaml reads nesting recursively: a document deep enough overflows the stack before any limit applies.
    if (err instanceof RangeError) throw new SettingsError(`${where}: the document nests too deep to read`, 'limits');
    if (!(err instanceof jsyaml.YAMLException))
      throw new SettingsError(`${where}: ${(err as Error).message}`, 'syntax');
    const line = (err.mark as { line?: number } | undefined)?.line;
    throw new SettingsError(`${where}${line !== undefined ? `:${line + 1}` : ''}: ${err.reason}`, 'syntax');
  }
  return settingsObject(v, where);
}

/** A parsed document as settings: a mapping (null is none) within SETTINGS_LIMITS. */
function settingsObject(v: unknown, where: string): Record<string, unknown> {
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v))
    throw new SettingsError(`${where} must be an object (a mapping of setting names to values)`, 'not-an-object');
  const problem = settingsDocumentProblem(v);
  if (problem) throw new SettingsError(`${where}: ${problem}`, 'limits');
  return v as Record<string, unknown>;
}
