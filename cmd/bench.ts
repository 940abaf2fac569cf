import { promises as fs } from 'node:fs';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { DEFAULT_USER } from '../lib/admission/request';
import { runBench, type PolicyBench } from '../lib/authoring/bench';
import { policiesFromRunArgument } from '../lib/authoring/policy-ref';
import { bundledPolicySet } from '../lib/policy/bundled';
import type { PolicyEntry } from '../lib/policy/spec';
import {
  DOCKER_CONFIG_OPTION,
  fetchOptionsFromArgs,
  PULL_OPTION,
  SOURCES_PATH_OPTION,
  type StoreArgs,
} from './store-options';
import { loggerFor, logLevelFor, UsageError, type GlobalArgs } from './context';
import { policiesFromFlags, type PolicyFlagArgs } from './policy-flag-options';
import { SESSION_OPTIONS, sessionOptionsFromArgs, type SessionArgs } from './session-options';

interface BenchArgs extends GlobalArgs, StoreArgs, SessionArgs, PolicyFlagArgs {
  ref?: string;
  'request-path'?: string;
  filename: string[];
  policies: string[];
  'settings-path'?: string;
  raw: boolean;
  'allow-context-aware': boolean;
  iterations: number;
  warmup: number;
  'measurement-time'?: number;
  output: 'text' | 'json';
}

export function builder(y: Argv<GlobalArgs>): Argv<BenchArgs> {
  return y
    .usage(
      '$0 bench [REF] -r REQUEST | -f FILE... [-p REF]... [--policies FILE]...\n\nPer policy: the time to start it and the time of one evaluation (min, median, p99), like kwctl bench.',
    )
    .positional('ref', {
      type: 'string',
      describe:
        'kwctl style: the policy (reference, sha256 prefix of a stored policy, or YAML file of policy resources)',
    })
    .option('request-path', {
      alias: 'r',
      type: 'string',
      describe: 'kwctl style: the AdmissionReview or AdmissionRequest (JSON) to evaluate, or -',
    })
    .option('filename', {
      alias: 'f',
      type: 'string',
      array: true,
      default: [],
      defaultDescription: 'none',
      describe: 'check style: manifests; each object a policy selects is one request',
    })
    .option('policy', {
      alias: 'p',
      type: 'string',
      array: true,
      default: [],
      describe: 'check style: a policy; repeatable (default: the bundled set)',
    })
    .option('policies', {
      type: 'string',
      array: true,
      default: [],
      describe: 'check style: policies.yml or policy resources',
    })
    .option('settings-json', { type: 'string', describe: 'Settings (a JSON object) for the policy' })
    .option('settings', { type: 'string', describe: 'File with the settings (YAML or JSON) for -p policies' })
    .option('settings-path', { alias: 's', type: 'string', describe: 'kwctl style: file with the settings for REF' })
    .option('raw', {
      type: 'boolean',
      default: false,
      describe: 'kwctl style: the request document is given as it is (raw policies)',
    })
    .option('allow-context-aware', {
      type: 'boolean',
      default: false,
      describe:
        'kwctl style: grant REF the contextAwareResources of its metadata (answered by a replayed session, else from no objects)',
    })
    .option('iterations', { type: 'number', default: 200, describe: 'Evaluations measured per policy and request' })
    .option('warmup', { type: 'number', default: 10, describe: 'Evaluations run first, not measured' })
    .option('measurement-time', {
      type: 'number',
      describe: 'Seconds to measure a policy at most (kwctl --measurement-time)',
    })
    .option('output', {
      alias: 'o',
      choices: ['text', 'json'] as const,
      default: 'text' as const,
      describe: 'Output format',
    })
    .options(SESSION_OPTIONS)
    .option('pull', PULL_OPTION)
    .option('sources-path', SOURCES_PATH_OPTION)
    .option('docker-config', DOCKER_CONFIG_OPTION);
}

export async function handler(args: ArgumentsCamelCase<BenchArgs>): Promise<void> {
  const log = loggerFor(args);
  const fetch = fetchOptionsFromArgs(args, log);
  const kwctlStyle = args.ref !== undefined || args['request-path'] !== undefined;
  if (kwctlStyle && (args.filename.length > 0 || args.policy.length > 0 || args.policies.length > 0))
    throw new UsageError('give either REF -r REQUEST (as kwctl bench) or -f with -p/--policies (as check), not both');
  if (!kwctlStyle && args.filename.length === 0)
    throw new UsageError('give a policy and a request (REF -r FILE), or manifests with -f');
  if (!Number.isInteger(args.iterations) || args.iterations < 1)
    throw new UsageError(`--iterations must be a whole number of at least 1, got ${args.iterations}`);
  if (!Number.isInteger(args.warmup) || args.warmup < 0)
    throw new UsageError(`--warmup must be a whole number, got ${args.warmup}`);
  let policies: PolicyEntry[];
  let requestText: string | undefined;
  if (kwctlStyle) {
    if (args.ref === undefined || args['request-path'] === undefined)
      throw new UsageError('kwctl style needs both the policy (REF) and -r REQUEST');
    const { readSettingsFlags } = await import('./policy-flag-options');
    const settings = await readSettingsFlags(args['settings-json'], args['settings-path']);
    policies = await policiesFromRunArgument(args.ref, {
      ...(settings ? { settings } : {}),
      allowContextAware: args['allow-context-aware'],
      fetch,
      log,
    });
    requestText = await readRequest(args['request-path']);
  } else {
    const fromFlags = await policiesFromFlags(args);
    const fromConfig =
      args.policies.length > 0
        ? await (await import('../lib/policy/config')).readPolicyConfig(args.policies, { log })
        : [];
    policies = fromFlags.length + fromConfig.length > 0 ? [...fromConfig, ...fromFlags] : bundledPolicySet();
  }
  const results = await runBench({
    policies,
    ...(requestText !== undefined ? { requestText, requestSource: args['request-path']! } : {}),
    raw: args.raw,
    ...(kwctlStyle ? {} : { files: args.filename, request: { operation: 'CREATE', userInfo: DEFAULT_USER } }),
    iterations: args.iterations,
    warmup: args.warmup,
    ...(args['measurement-time'] !== undefined ? { maxMeasureMs: args['measurement-time'] * 1000 } : {}),
    log,
    logLevel: logLevelFor(args),
    fetch,
    hostCapabilities: await sessionOptionsFromArgs(args),
  });
  process.stdout.write(
    args.output === 'json' ? `${JSON.stringify({ policies: results }, null, 2)}\n` : renderBench(results),
  );
}

async function readRequest(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new UsageError(`-r ${file}: cannot read: ${(err as Error).message}`);
  }
}

/** One block per policy, times in the unit that suits them. */
export function renderBench(results: readonly PolicyBench[]): string {
  const out: string[] = [];
  for (const r of results) {
    out.push(`${r.policy} (${r.module})`);
    out.push(`  start      ${time(r.startMs)}`);
    if (r.evaluation) {
      const e = r.evaluation;
      out.push(
        `  validate   min ${time(e.min)}  median ${time(e.median)}  p99 ${time(e.p99)}  max ${time(e.max)}  (${e.count} evaluations of ${r.requests} request${r.requests === 1 ? '' : 's'})`,
      );
    } else out.push('  validate   no request selected by the policy');
  }
  return out.join('\n') + '\n';
}

function time(ms: number): string {
  if (ms < 1) return `${(ms * 1000).toFixed(1)} µs`;
  if (ms < 1000) return `${ms.toFixed(2)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}
