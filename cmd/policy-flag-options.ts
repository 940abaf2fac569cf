import { readRegularFile, type BoundedReadError } from '../lib/base/bounded-read';
import { DEFAULT_LIMITS } from '../lib/manifests/limits';
import { expandedSize } from '../lib/manifests/yaml';
import * as jsyaml from 'js-yaml';
import { policiesFromRefs } from '../lib/policy/from-flags';
import { settingsDocumentProblem } from '../lib/policy/settings-document';
import type { PolicySpec } from '../lib/policy/spec';
import { EXECUTION_MODES, type ExecutionMode } from '../lib/wasm/metadata';
import { UsageError } from './context';

/** `-p` and the flags that go with it, shared by check and audit. */
export interface PolicyFlagArgs {
  policy: readonly string[];
  'settings-json'?: string;
  settings?: string;
  'execution-mode'?: ExecutionMode;
}

export const POLICY_FLAG_OPTIONS = {
  policy: {
    alias: 'p',
    type: 'string',
    array: true,
    default: [],
    describe:
      'Policy: registry://host/repo:tag, https://, file path, file://, builtin://NAME; repeatable (default: the bundled set)',
  },
  'settings-json': { type: 'string', describe: 'Settings (a JSON object) for the policies given with -p' },
  settings: { type: 'string', describe: 'File with the settings (YAML or JSON object) for the policies given with -p' },
  'execution-mode': {
    alias: 'e',
    choices: EXECUTION_MODES,
    describe: 'Execution mode of -p policies; must agree with their metadata',
  },
} as const;

/** The -p policies with their settings and mode; a UsageError names the flag that is wrong. */
export async function policiesFromFlags(args: PolicyFlagArgs): Promise<PolicySpec[]> {
  if (args['settings-json'] !== undefined && args.settings !== undefined)
    throw new UsageError('give either --settings-json or --settings, not both');
  let settings: Record<string, unknown> | undefined;
  if (args['settings-json'] !== undefined || args.settings !== undefined) {
    if (args.policy.length === 0) throw new UsageError('settings apply to policies given with -p; none was given');
    settings =
      args.settings !== undefined ? await readSettingsFile(args.settings) : parseSettings(args['settings-json']!);
  }
  if (args['execution-mode'] && args.policy.length === 0)
    throw new UsageError('--execution-mode applies to policies given with -p; none was given');
  return args.policy.length > 0
    ? policiesFromRefs(args.policy, { settings, executionMode: args['execution-mode'] })
    : [];
}

/** `--settings-json` or a settings file (kwctl run's `-s/--settings-path`), not both; undefined when neither is given. */
export async function readSettingsFlags(
  json: string | undefined,
  file: string | undefined,
): Promise<Record<string, unknown> | undefined> {
  if (json !== undefined && file !== undefined)
    throw new UsageError('give either --settings-json or a settings file, not both');
  if (file !== undefined) return readSettingsFile(file);
  return json !== undefined ? parseSettings(json) : undefined;
}

function parseSettings(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--settings-json is not valid JSON: ${(err as Error).message}`);
  }
  return settingsObject(v, '--settings-json');
}

export async function readSettingsFile(file: string): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = (await readRegularFile(file, DEFAULT_LIMITS.maxInputBytes)).toString('utf8');
  } catch (err) {
    const e = err as BoundedReadError;
    throw new UsageError(
      `--settings ${file}: ${e.reason === 'too-large' ? e.message : `cannot read: ${e.reason === 'not-found' ? 'no such file' : e.message}`}`,
    );
  }
  let v: unknown;
  try {
    // The manifests' limits: an alias bomb here is refused as it is in a manifest.
    v = jsyaml.load(text, { maxAliases: DEFAULT_LIMITS.maxAliases, maxDepth: DEFAULT_LIMITS.maxDepth });
  } catch (err) {
    // js-yaml reads nesting recursively: a document deep enough overflows the stack before any limit applies.
    if (err instanceof RangeError) throw new UsageError(`--settings ${file}: the document nests too deep to read`);
    if (!(err instanceof jsyaml.YAMLException)) throw new UsageError(`--settings ${file}: ${(err as Error).message}`);
    const line = (err.mark as { line?: number } | undefined)?.line;
    throw new UsageError(`--settings ${file}${line !== undefined ? `:${line + 1}` : ''}: ${err.reason}`);
  }
  const size = expandedSize(v, { nodes: DEFAULT_LIMITS.maxExpandedNodes, bytes: DEFAULT_LIMITS.maxExpandedBytes });
  if (size === undefined) throw new UsageError(`--settings ${file}: refers to itself through a YAML alias (cycle)`);
  if (size.nodes > DEFAULT_LIMITS.maxExpandedNodes || size.bytes > DEFAULT_LIMITS.maxExpandedBytes) {
    throw new UsageError(
      `--settings ${file}: expands to more than ${DEFAULT_LIMITS.maxExpandedNodes} nodes or ${DEFAULT_LIMITS.maxExpandedBytes} bytes through YAML aliases`,
    );
  }
  return settingsObject(v, `--settings ${file}`);
}

function settingsObject(v: unknown, where: string): Record<string, unknown> {
  if (v === null || v === undefined) return {};
  if (typeof v !== 'object' || Array.isArray(v))
    throw new UsageError(`${where} must be an object (a mapping of setting names to values)`);
  const problem = settingsDocumentProblem(v);
  if (problem) throw new UsageError(`${where}: ${problem}`);
  return v as Record<string, unknown>;
}
