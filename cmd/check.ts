import type { Argv, ArgumentsCamelCase } from 'yargs';
import { DEFAULT_USER } from '../lib/admission/request';
import type { Operation } from '../lib/admission/types';
import { runCheck } from '../lib/check';
import { DEFAULT_LIMITS } from '../lib/manifests';
import { bundledPolicySet } from '../lib/policy/builtin';
import { policiesFromRefs } from '../lib/policy/from-flags';
import { EXECUTION_MODES, type ExecutionMode } from '../lib/wasm/metadata';
import { REPORTERS, exitCode } from '../lib/report';
import { loggerFor, useColor, UsageError, type GlobalArgs } from './context';

interface CheckArgs extends GlobalArgs {
  filename: string[];
  recursive: boolean;
  policy: string[];
  'settings-json'?: string;
  'execution-mode'?: ExecutionMode;
  namespace?: string;
  user?: string;
  group?: string[];
  output: string;
  'fail-on-warn': boolean;
  'max-input-size': number;
}

export const command = 'check';
export const describe = 'Evaluate manifests against Wasm admission policies, as the API server would on kubectl apply';

export function builder(y: Argv): Argv<CheckArgs> {
  return y
    .option('filename', { alias: 'f', type: 'string', array: true, demandOption: 'give manifests with -f FILE|DIR|URL|-', describe: 'File, directory, URL or - (stdin); repeatable' })
    .option('recursive', { alias: 'R', type: 'boolean', default: false, describe: 'Descend into sub-directories of -f directories' })
    .option('policy', { alias: 'p', type: 'string', array: true, default: [], describe: 'Policy: builtin://NAME, file path, file://, https://; repeatable (default: the bundled set)' })
    .option('settings-json', { type: 'string', describe: 'Settings (a JSON object) for the policies given with -p' })
    .option('execution-mode', { alias: 'e', choices: EXECUTION_MODES as unknown as string[], describe: 'Execution mode of -p policies; must agree with their metadata' })
    .option('namespace', { alias: 'n', type: 'string', describe: 'Namespace for namespaced objects that do not name one (default: default)' })
    .option('user', { type: 'string', describe: `userInfo.username of the requests (default: ${DEFAULT_USER.username})` })
    .option('group', { type: 'string', array: true, describe: `userInfo.groups of the requests; repeatable (default: ${DEFAULT_USER.groups!.join(',')})` })
    .option('output', { alias: 'o', type: 'string', default: 'text', choices: Object.keys(REPORTERS), describe: 'Output format' })
    .option('fail-on-warn', { type: 'boolean', default: false, describe: 'Exit 1 on warnings too' })
    .option('max-input-size', { type: 'number', default: DEFAULT_LIMITS.maxInputBytes, describe: 'Largest input file in bytes' }) as unknown as Argv<CheckArgs>;
}

export async function handler(args: ArgumentsCamelCase<CheckArgs>): Promise<void> {
  const log = loggerFor(args);
  let settings: Record<string, unknown> | undefined;
  if (args['settings-json'] !== undefined) {
    if (args.policy.length === 0) throw new UsageError('--settings-json applies to policies given with -p; none was given');
    settings = parseSettings(args['settings-json']);
  }
  if (args['execution-mode'] && args.policy.length === 0) throw new UsageError('--execution-mode applies to policies given with -p; none was given');
  const policies = args.policy.length > 0 ? policiesFromRefs(args.policy, { settings, executionMode: args['execution-mode'] }) : bundledPolicySet();
  if (policies.length === 0) throw new UsageError('no policies to run: the bundled set is missing (run npm run build) and no -p was given');
  const operation: Operation = 'CREATE';
  const report = await runCheck({
    files: args.filename,
    recursive: args.recursive,
    policies,
    request: {
      operation,
      userInfo: {
        username: args.user ?? DEFAULT_USER.username,
        groups: args.group ?? DEFAULT_USER.groups,
      },
      ...(args.namespace ? { defaultNamespace: args.namespace } : {}),
    },
    limits: { ...DEFAULT_LIMITS, maxInputBytes: args['max-input-size'] },
    log,
  });
  const reporter = REPORTERS[args.output];
  process.stdout.write(reporter.render(report, { color: useColor(args), verbose: args.verbose > 0 }));
  process.exitCode = exitCode(report.summary, args['fail-on-warn']);
}

function parseSettings(text: string): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    throw new UsageError(`--settings-json is not valid JSON: ${(err as Error).message}`);
  }
  if (v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) throw new UsageError('--settings-json must be a JSON object');
  return v as Record<string, unknown>;
}
