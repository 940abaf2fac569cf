import { promises as fs } from 'node:fs';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { policiesFromRunArgument } from '../lib/authoring/policy-ref';
import { runPolicies } from '../lib/authoring/run';
import { ClusterSource } from '../lib/capabilities/cluster-source';
import type { HostCapabilityOptions } from '../lib/capabilities/run';
import {
  DOCKER_CONFIG_OPTION,
  fetchOptionsFromArgs,
  PULL_OPTION,
  SOURCES_PATH_OPTION,
  type StoreArgs,
} from './store-options';
import { EXECUTION_MODES, type ExecutionMode } from '../lib/wasm/metadata';
import { loggerFor, logLevelFor, type GlobalArgs } from './context';
import { connect } from './cluster-options';
import { SESSION_OPTIONS, sessionOptionsFromArgs, type SessionArgs } from './session-options';
import { readSettingsFlags } from './policy-flag-options';
import { verifyFetchOption, withVerificationOptions, type VerificationArgs } from './verification-options';

interface RunArgs extends GlobalArgs, StoreArgs, SessionArgs, VerificationArgs {
  policy: string;
  'request-path': string;
  'settings-path'?: string;
  'settings-json'?: string;
  'execution-mode'?: ExecutionMode | 'kubewarden';
  raw: boolean;
  'allow-context-aware': boolean;
  'disable-wasmtime-cache'?: boolean;
}

export function builder(y: Argv<GlobalArgs>): Argv<RunArgs> {
  const base = y
    .usage(
      '$0 run [flags] <policy>\n\nA drop-in for `kwctl run`: one request through a policy (a reference, a sha256 prefix of a stored policy, or a YAML file of policy resources); prints the AdmissionResponse JSON. Exit 0 on a verdict, allowed or not; 1 when the request or policy cannot be used.',
    )
    .positional('policy', {
      type: 'string',
      demandOption: true,
      describe:
        'Policy reference (registry://, https://, file path, builtin://NAME), sha256 prefix of a stored policy, or a YAML file of Kubewarden policy resources',
    })
    .option('request-path', {
      alias: 'r',
      type: 'string',
      demandOption: true,
      describe: 'File with the AdmissionReview or AdmissionRequest (JSON), or - for stdin',
    })
    .option('settings-path', {
      alias: 's',
      type: 'string',
      describe: 'File with the settings (YAML or JSON) for the policy',
    })
    .option('settings-json', { type: 'string', describe: 'Settings (a JSON object) for the policy' })
    .option('execution-mode', {
      alias: 'e',
      choices: [...EXECUTION_MODES, 'kubewarden'] as const,
      describe: 'Execution mode of a module without metadata (kubewarden means kubewarden-wapc)',
    })
    .option('raw', {
      type: 'boolean',
      default: false,
      describe: 'Give the policy the request document as it is (raw policies)',
    })
    .option('allow-context-aware', {
      type: 'boolean',
      default: false,
      describe:
        'Grant the policy the contextAwareResources of its metadata; they are read from the cluster of the current kubeconfig context (or a replayed session)',
    })
    .option('disable-wasmtime-cache', {
      type: 'boolean',
      hidden: true,
      describe: 'Accepted for kwctl compatibility; there is no such cache here',
    })
    .options(SESSION_OPTIONS)
    .option('pull', PULL_OPTION)
    .option('sources-path', SOURCES_PATH_OPTION)
    .option('docker-config', DOCKER_CONFIG_OPTION);
  return withVerificationOptions(base);
}

/** kwctl prints `Error: ...` and exits 1 on anything that is not a verdict. */
export async function handler(args: ArgumentsCamelCase<RunArgs>): Promise<void> {
  const log = loggerFor(args);
  let closeCluster: (() => void) | undefined;
  try {
    const requestText = args['request-path'] === '-' ? await readStdin() : await readRequestFile(args['request-path']);
    const settings = await readSettingsFlags(args['settings-json'], args['settings-path']);
    // kwctl run verifies before running when given a key or a config (docs/verification.md).
    const fetch = { ...fetchOptionsFromArgs(args, log), ...(await verifyFetchOption(args, log)) };
    const mode = args['execution-mode'] === 'kubewarden' ? 'kubewarden-wapc' : args['execution-mode'];
    const policies = await policiesFromRunArgument(args.policy, {
      ...(settings ? { settings } : {}),
      ...(mode ? { executionMode: mode } : {}),
      allowContextAware: args['allow-context-aware'],
      fetch,
      log,
    });
    const hostCapabilities: HostCapabilityOptions = {
      ...(await sessionOptionsFromArgs(args)),
      ...(args['sigstore-trust-config'] ? { sigstoreTrustConfig: args['sigstore-trust-config'] } : {}),
    };
    // As kwctl: a context-aware policy allowed to look reads the live cluster, unless a session is replayed.
    if (args['allow-context-aware'] && hostCapabilities.replay === undefined) {
      const cluster = await connect({}, log).catch((err: Error) => {
        log.warn(
          `--allow-context-aware: no cluster to read from (${err.message}); kubernetes host calls see no objects`,
        );
        return undefined;
      });
      if (cluster) {
        hostCapabilities.kubernetesSource = () => new ClusterSource(cluster);
        closeCluster = () => cluster.close();
      }
    }
    if (policies.length > 1)
      log.warn(
        'Multiple policies defined inside of the CRD file. All of them will run sequentially using the same request.',
      );
    const responses = await runPolicies({
      requestText,
      requestSource: args['request-path'],
      policies,
      raw: args.raw,
      log,
      logLevel: logLevelFor(args),
      fetch,
      hostCapabilities,
    });
    for (const r of responses) process.stdout.write(`${JSON.stringify(r)}\n`);
  } catch (err) {
    process.stderr.write(`Error: ${(err as Error).message}\n`);
    process.exitCode = 1;
  } finally {
    closeCluster?.();
  }
}

async function readRequestFile(file: string): Promise<string> {
  try {
    return await fs.readFile(file, 'utf8');
  } catch (err) {
    throw new Error(
      `Error opening request file ${file}; ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'No such file or directory' : (err as Error).message}`,
    );
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
