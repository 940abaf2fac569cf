import { policiesFromRefs } from '../lib/policy/from-flags';
import { settingsFromFile, settingsFromJson } from '../lib/policy/settings-document';
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
  return settingsFromJson(text, '--settings-json');
}

export function readSettingsFile(file: string): Promise<Record<string, unknown>> {
  return settingsFromFile(file, `--settings ${file}`);
}
