import type { Argv, ArgumentsCamelCase } from 'yargs';
import { DEFAULT_USER } from '../lib/admission/request';
import type { Operation } from '../lib/kube/admission-review';
import { runCheck } from '../lib/check/run';
import { checkRenderTools, DEFAULT_LIMITS, MissingToolError, type RenderSpec } from '../lib/manifests';
import { createProgress, shouldShowProgress } from './progress';
import { bundledPolicySet } from '../lib/policy/bundled';
import { checkPolicySet } from '../lib/check/policies';
import { DEFAULT_KUBEWARDEN_NAMESPACE, isActive, type PolicyEntry } from '../lib/policy/spec';
import { ClusterSource } from '../lib/capabilities/cluster-source';
import type { Sources } from '../lib/store/sources';
import { DOCKER_CONFIG_OPTION, fetchOptionsFromArgs, PULL_OPTION, SOURCES_PATH_OPTION, type StoreArgs } from './store-options';
import { REPORTERS, EXIT_ERROR, exitCode, parseOutputs, writeOutputs, type OutputSpec } from '../lib/report';
import { REPORT_KINDS, type ReportKind } from '../lib/report/policyreport';
import { writeBack, WriteBackError, writeBackRefusal } from '../lib/report/write-back';
import { loggerFor, logLevelFor, useColor, UsageError, type GlobalArgs } from './context';
import { connect } from './cluster-options';
import { POLICY_FLAG_OPTIONS, policiesFromFlags, type PolicyFlagArgs } from './policy-flag-options';
import { SESSION_OPTIONS, sessionOptionsFromArgs, type SessionArgs } from './session-options';
import { EVALUATION_OPTIONS, evaluationLimitsFromArgs, type EvaluationArgs } from './evaluation-options';

interface CheckArgs extends GlobalArgs, StoreArgs, EvaluationArgs, SessionArgs, PolicyFlagArgs {
  filename: string[];
  kustomize: string[];
  helm?: string;
  values: string[];
  set: string[];
  recursive: boolean;
  policies: string[];
  'kubewarden-namespace': string;
  'from-cluster': boolean;
  'context-from-cluster': boolean;
  kubeconfig?: string;
  context?: string;
  operation: Operation;
  old: string[];
  namespace?: string;
  user?: string;
  group?: string[];
  output: string[];
  'fail-on-warn': boolean;
  'report-kind': ReportKind;
  'max-input-size': number;
  write: boolean;
}

export function builder(y: Argv<GlobalArgs>): Argv<CheckArgs> {
  return y
    .option('filename', { alias: 'f', type: 'string', array: true, default: [], defaultDescription: 'none', describe: 'File, directory, URL or - (stdin); repeatable' })
    .option('kustomize', { alias: 'k', type: 'string', array: true, default: [], defaultDescription: 'none', describe: 'Kustomization directory, rendered with kubectl kustomize ($KUBECTL or kubectl on PATH); repeatable' })
    .option('helm', { type: 'string', describe: 'Helm chart (directory, .tgz or repo/name), rendered with helm template (helm on PATH)' })
    .option('values', { type: 'string', array: true, default: [], defaultDescription: 'none', describe: '--helm: values file; repeatable' })
    .option('set', { type: 'string', array: true, default: [], defaultDescription: 'none', describe: '--helm: set a value, KEY=VALUE; repeatable' })
    .option('recursive', { alias: 'R', type: 'boolean', default: false, describe: 'Descend into sub-directories of -f directories' })
    .option('policy', POLICY_FLAG_OPTIONS.policy)
    .option('policies', { type: 'string', array: true, default: [], describe: 'Policy configuration: policies.yml and/or policies.kubewarden.io/v1 policy resources (file, directory or -); repeatable' })
    .option('from-cluster', { type: 'boolean', default: false, describe: "Evaluate with the cluster's own Kubewarden policies (would the cluster accept these manifests?); objects without a namespace get the context's" })
    .option('context-from-cluster', { type: 'boolean', default: false, describe: 'Context-aware policies read the live cluster (kubernetes host capabilities) instead of the manifests given' })
    .option('kubeconfig', { type: 'string', describe: '--from-cluster, --context-from-cluster: path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)' })
    .option('context', { type: 'string', describe: '--from-cluster, --context-from-cluster: the kubeconfig context to use' })
    .option('kubewarden-namespace', { type: 'string', default: DEFAULT_KUBEWARDEN_NAMESPACE, describe: 'Namespace Kubewarden runs in; cluster-wide policies from --policies never select it, as the Kubewarden controller configures them' })
    .option('operation', { choices: ['CREATE', 'UPDATE', 'DELETE'], default: 'CREATE', describe: 'Operation to simulate: CREATE, UPDATE (with --old) or DELETE (the -f objects are the ones deleted)' })
    .option('old', { type: 'string', array: true, default: [], describe: 'UPDATE: the stored objects (file, directory, URL or -), matched by apiVersion, kind, namespace and name' })
    .option('settings-json', POLICY_FLAG_OPTIONS['settings-json'])
    .option('settings', POLICY_FLAG_OPTIONS.settings)
    .options(EVALUATION_OPTIONS)
    .option('execution-mode', POLICY_FLAG_OPTIONS['execution-mode'])
    .option('namespace', { alias: 'n', type: 'string', describe: 'Namespace for namespaced objects that do not name one (default: default)' })
    .option('user', { type: 'string', describe: `userInfo.username of the requests (default: ${DEFAULT_USER.username})` })
    .option('group', { type: 'string', array: true, describe: `userInfo.groups of the requests; repeatable (default: ${DEFAULT_USER.groups!.join(',')})` })
    .option('output', { alias: 'o', type: 'string', array: true, default: ['text'], describe: `Output format: ${Object.keys(REPORTERS).join('|')}; FORMAT=FILE writes a file; repeatable (at most one to stdout)` })
    .option('fail-on-warn', { type: 'boolean', default: false, describe: 'Exit 1 on warnings too' })
    .option('report-kind', { choices: REPORT_KINDS, default: 'policyreport' as ReportKind, describe: '-o policyreport writes wgpolicyk8s.io PolicyReports (policyreport) or openreports.io Reports (openreports)' })
    .option('max-input-size', { type: 'number', default: DEFAULT_LIMITS.maxInputBytes, describe: 'Largest input file in bytes' })
    .option('write', { type: 'boolean', default: false, describe: 'Write accepted mutations (admitted with a patch) back into the -f files, changing only the mutated fields' })
    .options(SESSION_OPTIONS)
    .option('pull', PULL_OPTION)
    .option('sources-path', SOURCES_PATH_OPTION)
    .option('docker-config', DOCKER_CONFIG_OPTION) as unknown as Argv<CheckArgs>;
}

export async function handler(args: ArgumentsCamelCase<CheckArgs>): Promise<void> {
  const log = loggerFor(args);
  const render = renderSpecs(args);
  const fromFlags = await policiesFromFlags(args);
  let outputs: OutputSpec[];
  try {
    outputs = parseOutputs(args.output, Object.keys(REPORTERS));
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const evaluationLimits = evaluationLimitsFromArgs(args);
  const inputLimits = { ...DEFAULT_LIMITS, maxInputBytes: args['max-input-size'] };
  const operation: Operation = args.operation;
  if (args.old.length > 0 && operation !== 'UPDATE') throw new UsageError('--old gives the stored objects of an UPDATE: use it with --operation UPDATE');
  if (operation === 'UPDATE' && args.old.length === 0) throw new UsageError('--operation UPDATE needs the stored objects: give them with --old FILE');
  if ([args.filename, args.policies, args.old].filter((list) => list.includes('-')).length > 1) throw new UsageError('only one of -f, --policies and --old can read stdin (-)');
  if (args.write) {
    const refusal = writeBackRefusal(args.filename ?? []);
    if (refusal) throw new UsageError(refusal);
    if ((args.kustomize ?? []).length > 0 || args.helm !== undefined) throw new UsageError('--write cannot write back to rendered input (-k, --helm): fix the kustomization or chart sources');
  }
  // Policy configuration (with CEL for matchConditions) and the cluster's policies load only when asked for.
  const fromConfig = args.policies.length > 0
    ? await (await import('../lib/policy/config')).loadPolicyConfig(args.policies, { log, kubewardenNamespace: args['kubewarden-namespace'], defaultNamespace: args.namespace ?? 'default', limits: inputLimits })
    : [];
  let defaultNamespace = args.namespace;
  let extraSources: Sources | undefined;
  const fromCluster: PolicyEntry[] = [];
  if ((args.kubeconfig !== undefined || args.context !== undefined) && !args['from-cluster'] && !args['context-from-cluster']) {
    throw new UsageError('--kubeconfig and --context apply to --from-cluster and --context-from-cluster; add one');
  }
  const cluster = args['from-cluster'] || args['context-from-cluster'] ? await connect(args, log) : undefined;
  try {
    // As kubectl apply: objects without a namespace go to the context's.
    if (cluster) defaultNamespace ??= cluster.namespace;
    if (cluster && args['from-cluster']) {
      const { readClusterPolicies } = await import('../lib/policy/from-cluster');
      const read = await readClusterPolicies(cluster, { log, kubewardenNamespace: args['kubewarden-namespace'] });
      if (!read.installed) throw new UsageError(`--from-cluster: ${cluster.server} (context ${cluster.context}) serves no policies.kubewarden.io/v1 resources: is Kubewarden installed?`);
      fromCluster.push(...read.entries.filter(isActive));
      if (fromCluster.length < read.entries.length) log.info(`--from-cluster: ${read.entries.length - fromCluster.length} policies are not active in the cluster and are left out`);
      extraSources = read.sources;
    }
    const policies = checkPolicySet(
      {
        flags: fromFlags,
        ...(args.policies.length > 0 ? { config: { files: args.policies, entries: fromConfig } } : {}),
        ...(args['from-cluster'] ? { cluster: fromCluster } : {}),
      },
      bundledPolicySet,
    );
    const session = await sessionOptionsFromArgs(args);
    const progress = createProgress({ enabled: shouldShowProgress({ isTTY: Boolean(process.stderr.isTTY), env: process.env, quiet: args.quiet }) });
    const report = await runCheck({
      files: args.filename,
      ...(render.length > 0 ? { render } : {}),
      onProgress: (done, total) => progress.update(done, total),
      recursive: args.recursive,
      policies,
      ...(args.old.length > 0 ? { oldFiles: args.old } : {}),
      request: {
        operation,
        userInfo: {
          username: args.user ?? DEFAULT_USER.username,
          groups: args.group ?? DEFAULT_USER.groups,
        },
        ...(defaultNamespace ? { defaultNamespace } : {}),
      },
      limits: inputLimits,
      evaluationLimits,
      workers: args.workers,
      log,
      logLevel: logLevelFor(args),
      fetch: { ...fetchOptionsFromArgs(args, log), ...(extraSources ? { extraSources } : {}) },
      hostCapabilities: {
        ...session,
        // --from-cluster and --context-from-cluster: context-aware policies read the live cluster, not the manifests.
        ...(cluster ? { kubernetesSource: () => new ClusterSource(cluster) } : {}),
      },
    }).finally(() => progress.stop());
    await writeOutputs(report, outputs, REPORTERS, { color: useColor(args), verbose: args.verbose > 0, reportKind: args['report-kind'] }, (text) => process.stdout.write(text));
    process.exitCode = exitCode(report.summary, args['fail-on-warn']);
    if (args.write) {
      // Accepted mutations are written even when another policy rejects the object: the fix is wanted either way.
      try {
        for (const f of await writeBack(report.results, { limits: inputLimits })) {
          for (const s of f.skipped) log.warn(`${f.file}: not applied: ${s}`);
          if (f.written) process.stderr.write(`wrote ${f.file} (${f.applied} mutation${f.applied === 1 ? '' : 's'})\n`);
        }
      } catch (err) {
        if (!(err instanceof WriteBackError)) throw err;
        log.error(err.message);
        process.exitCode = EXIT_ERROR;
      }
    }
  } finally {
    // Kept-alive connections would hold the process open.
    cluster?.close();
  }
}

/** `-k` and `--helm` as render specs; checks the inputs are given and the renderers installed. */
function renderSpecs(args: CheckArgs): RenderSpec[] {
  if (args.filename.length === 0 && args.kustomize.length === 0 && args.helm === undefined) {
    throw new UsageError('give manifests with -f FILE|DIR|URL|-, -k DIR or --helm CHART');
  }
  if (args.helm === undefined && (args.values.length > 0 || args.set.length > 0)) throw new UsageError('--values and --set apply to a chart given with --helm; none was given');
  const specs: RenderSpec[] = args.kustomize.map((dir) => ({ kind: 'kustomize' as const, dir }));
  if (args.helm !== undefined) specs.push({ kind: 'helm', chart: args.helm, values: args.values, set: args.set, ...(args.namespace ? { namespace: args.namespace } : {}) });
  try {
    checkRenderTools(specs);
  } catch (err) {
    if (err instanceof MissingToolError) throw new UsageError(err.message);
    throw err;
  }
  return specs;
}
