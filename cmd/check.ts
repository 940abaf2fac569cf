import type { Argv, ArgumentsCamelCase } from 'yargs';
import { runTime } from '../lib/base/source-date';
import { DEFAULT_USER } from '../lib/admission/request';
import { KUBERNETES_VERSIONS, NEWEST_KUBERNETES_VERSION, type KubernetesVersion } from '../lib/apiserver/context';
import { APPLY_MODES, type ApplyMode } from '../lib/apiserver/kubectl-apply';
import type { FieldValidation } from '../lib/apiserver/stage';
import { versionForServer } from '../lib/apiserver/version';
import type { Operation } from '../lib/kube/admission-review';
import { runCheck } from '../lib/check/run';
import { checkRenderTools, DEFAULT_LIMITS, MissingToolError, type RenderSpec } from '../lib/manifests';
import { createProgress, shouldShowProgress } from './progress';
import { bundledPolicySet } from '../lib/policy/bundled';
import {
  ALWAYS_ACCEPT_OPTION,
  alwaysAcceptNamespaceFor,
  type KubewardenDeployment,
} from '../lib/policy/kubewarden-deployment';
import { checkPolicySet } from '../lib/check/policies';
import { DEFAULT_KUBEWARDEN_NAMESPACE, type PolicyEntry } from '../lib/policy/spec';
import { ClusterSource } from '../lib/capabilities/cluster-source';
import type { ModuleVerification } from '../lib/policy/cluster-verification';
import {
  DOCKER_CONFIG_OPTION,
  REGISTRY_TIMEOUT_OPTION,
  fetchOptionsFromArgs,
  PULL_OPTION,
  SOURCES_PATH_OPTION,
  type StoreArgs,
} from './store-options';
import { REPORTERS, EXIT_ERROR, exitCode, parseOutputs, writeOutputs, type OutputSpec } from '../lib/report';
import { REPORT_KINDS, type ReportKind } from '../lib/report/policyreport';
import { writeBack, WriteBackError, writeBackRefusal } from '../lib/report/write-back';
import { loggerFor, logLevelFor, useColor, UsageError, type GlobalArgs } from './context';
import { connect } from './cluster-options';
import { verifyFetchOption, withVerificationOptions, type VerificationArgs } from './verification-options';
import { POLICY_FLAG_OPTIONS, policiesFromFlags, type PolicyFlagArgs } from './policy-flag-options';
import { SESSION_OPTIONS, sessionOptionsFromArgs, type SessionArgs } from './session-options';
import { EVALUATION_OPTIONS, evaluationLimitsFromArgs, type EvaluationArgs } from './evaluation-options';

interface CheckArgs extends GlobalArgs, StoreArgs, EvaluationArgs, SessionArgs, PolicyFlagArgs, VerificationArgs {
  filename: string[];
  kustomize: string[];
  helm?: string;
  values: string[];
  set: string[];
  recursive: boolean;
  policies: string[];
  'kubewarden-namespace'?: string;
  'always-accept-kubewarden-namespace'?: boolean;
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
  'kubernetes-version'?: KubernetesVersion;
  validate: string;
  'apply-mode': ApplyMode;
  independent: boolean;
}

/** kubectl's --validate values: true is strict, false is ignore. */
const VALIDATE_CHOICES = ['strict', 'warn', 'ignore', 'true', 'false'];

export function builder(y: Argv<GlobalArgs>): Argv<CheckArgs> {
  const base = y
    .option('filename', {
      alias: 'f',
      type: 'string',
      array: true,
      default: [],
      defaultDescription: 'none',
      describe: 'File, directory, URL or - (stdin); repeatable',
    })
    .option('kustomize', {
      alias: 'k',
      type: 'string',
      array: true,
      default: [],
      defaultDescription: 'none',
      describe: 'Kustomization directory, rendered with kubectl kustomize ($KUBECTL or kubectl on PATH); repeatable',
    })
    .option('helm', {
      type: 'string',
      describe: 'Helm chart (directory, .tgz or repo/name), rendered with helm template (helm on PATH)',
    })
    .option('values', {
      type: 'string',
      array: true,
      default: [],
      defaultDescription: 'none',
      describe: '--helm: values file; repeatable',
    })
    .option('set', {
      type: 'string',
      array: true,
      default: [],
      defaultDescription: 'none',
      describe: '--helm: set a value, KEY=VALUE; repeatable',
    })
    .option('recursive', {
      alias: 'R',
      type: 'boolean',
      default: false,
      describe: 'Descend into sub-directories of -f directories',
    })
    .option('policy', POLICY_FLAG_OPTIONS.policy)
    .option('policies', {
      type: 'string',
      array: true,
      default: [],
      describe:
        'Policy configuration: policies.yml and/or policies.kubewarden.io/v1 policy resources (file, directory or -); repeatable',
    })
    .option('from-cluster', {
      type: 'boolean',
      default: false,
      describe:
        "Evaluate with the cluster's own Kubewarden policies (would the cluster accept these manifests?); objects without a namespace get the context's",
    })
    .option('context-from-cluster', {
      type: 'boolean',
      default: false,
      describe:
        'Context-aware policies read the live cluster (kubernetes host capabilities) instead of the manifests given',
    })
    .option('kubeconfig', {
      type: 'string',
      describe:
        '--from-cluster, --context-from-cluster: path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config)',
    })
    .option('context', {
      type: 'string',
      describe: '--from-cluster, --context-from-cluster: the kubeconfig context to use',
    })
    .option('kubewarden-namespace', {
      type: 'string',
      describe: `Namespace Kubewarden runs in; cluster-wide policies never select it, as the Kubewarden controller configures them (default: with --from-cluster, the namespace of the cluster's policy-server Deployments; else ${DEFAULT_KUBEWARDEN_NAMESPACE})`,
    })
    .option('always-accept-kubewarden-namespace', ALWAYS_ACCEPT_OPTION)
    .option('operation', {
      choices: ['CREATE', 'UPDATE', 'DELETE'] as const,
      default: 'CREATE' as const,
      describe: 'Operation to simulate: CREATE, UPDATE (with --old) or DELETE (the -f objects are the ones deleted)',
    })
    .option('old', {
      type: 'string',
      array: true,
      default: [],
      describe:
        'UPDATE: the stored objects (file, directory, URL or -), matched by apiVersion, kind, namespace and name',
    })
    .option('settings-json', POLICY_FLAG_OPTIONS['settings-json'])
    .option('settings', POLICY_FLAG_OPTIONS.settings)
    .options(EVALUATION_OPTIONS)
    .option('execution-mode', POLICY_FLAG_OPTIONS['execution-mode'])
    .option('namespace', {
      alias: 'n',
      type: 'string',
      describe: 'Namespace for namespaced objects that do not name one (default: default)',
    })
    .option('user', {
      type: 'string',
      describe: `userInfo.username of the requests (default: ${DEFAULT_USER.username})`,
    })
    .option('group', {
      type: 'string',
      array: true,
      describe: `userInfo.groups of the requests; repeatable (default: ${DEFAULT_USER.groups!.join(',')})`,
    })
    .option('output', {
      alias: 'o',
      type: 'string',
      array: true,
      default: ['text'],
      describe: `Output format: ${Object.keys(REPORTERS).join('|')}; FORMAT=FILE writes a file; repeatable (at most one to stdout)`,
    })
    .option('fail-on-warn', { type: 'boolean', default: false, describe: 'Exit 1 on warnings too' })
    .option('report-kind', {
      choices: REPORT_KINDS,
      default: 'policyreport' as ReportKind,
      describe:
        '-o policyreport writes wgpolicyk8s.io PolicyReports (policyreport) or openreports.io Reports (openreports)',
    })
    .option('max-input-size', {
      type: 'number',
      default: DEFAULT_LIMITS.maxInputBytes,
      describe: 'Largest input file in bytes',
    })
    .option('write', {
      type: 'boolean',
      default: false,
      describe:
        "Write accepted mutations (admitted with a patch) back into the -f files, changing only the mutated fields (the mutating chain's changes)",
    })
    .option('kubernetes-version', {
      choices: KUBERNETES_VERSIONS,
      describe: `Kubernetes version whose schemas, defaults and admission steps apply (default: the cluster's with --from-cluster/--context-from-cluster, else ${NEWEST_KUBERNETES_VERSION})`,
    })
    .option('validate', {
      choices: VALIDATE_CHOICES,
      default: 'strict',
      describe:
        "Field validation, as kubectl's --validate: strict (unknown fields are an error), warn (warned and dropped), ignore (dropped)",
    })
    .option('apply-mode', {
      choices: APPLY_MODES,
      default: 'client' as const,
      describe:
        'What sends the objects: client (kubectl apply), server (kubectl apply --server-side) or create (kubectl create)',
    })
    .option('independent', {
      type: 'boolean',
      default: false,
      describe:
        "Each policy on the object after the API server's own steps, instead of mutating policies in webhook order then validating ones on the result",
    })
    .options(SESSION_OPTIONS)
    .option('pull', PULL_OPTION)
    .option('sources-path', SOURCES_PATH_OPTION)
    .option('docker-config', DOCKER_CONFIG_OPTION)
    .option('registry-timeout', REGISTRY_TIMEOUT_OPTION);
  return withVerificationOptions(base, false);
}

export async function handler(args: ArgumentsCamelCase<CheckArgs>): Promise<void> {
  // `check [flags] -- FILE...`: what follows `--` are inputs, as -f (the pre-commit hooks pass staged files so,
  // and a file named like a flag stays a file). yargs leaves them in `_` after the command name.
  const afterDashes = args._.slice(1).map(String);
  if (afterDashes.length > 0) args.filename = [...args.filename, ...afterDashes];
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
  if (args.old.length > 0 && operation !== 'UPDATE')
    throw new UsageError('--old gives the stored objects of an UPDATE: use it with --operation UPDATE');
  if (operation === 'UPDATE' && args.old.length === 0)
    throw new UsageError('--operation UPDATE needs the stored objects: give them with --old FILE');
  if ([args.filename, args.policies, args.old].filter((list) => list.includes('-')).length > 1)
    throw new UsageError('only one of -f, --policies and --old can read stdin (-)');
  if (args.write) {
    const refusal = writeBackRefusal(args.filename ?? []);
    if (refusal) throw new UsageError(refusal);
    if ((args.kustomize ?? []).length > 0 || args.helm !== undefined)
      throw new UsageError(
        '--write cannot write back to rendered input (-k, --helm): fix the kustomization or chart sources',
      );
  }
  // Policy configuration (with CEL for matchConditions) and the cluster's policies load only when asked for.
  const fromConfig =
    args.policies.length > 0
      ? await (
          await import('../lib/policy/config')
        ).readPolicyConfig(args.policies, {
          log,
          kubewardenNamespace: args['kubewarden-namespace'] ?? DEFAULT_KUBEWARDEN_NAMESPACE,
          defaultNamespace: args.namespace ?? 'default',
          limits: inputLimits,
        })
      : [];
  let defaultNamespace = args.namespace;
  let serverVerification: ModuleVerification | undefined;
  const fromCluster: PolicyEntry[] = [];
  if (
    (args.kubeconfig !== undefined || args.context !== undefined) &&
    !args['from-cluster'] &&
    !args['context-from-cluster']
  ) {
    throw new UsageError('--kubeconfig and --context apply to --from-cluster and --context-from-cluster; add one');
  }
  const cluster = args['from-cluster'] || args['context-from-cluster'] ? await connect(args, log) : undefined;
  try {
    // As kubectl apply: objects without a namespace go to the context's.
    if (cluster) defaultNamespace ??= cluster.namespace;
    let kubewardenNamespace = args['kubewarden-namespace'] ?? DEFAULT_KUBEWARDEN_NAMESPACE;
    let deployment: KubewardenDeployment | undefined;
    if (cluster && args['from-cluster']) {
      const { checkClusterPolicies } = await import('../lib/check/cluster-policies');
      const read = await checkClusterPolicies(cluster, {
        log,
        ...(args['kubewarden-namespace'] !== undefined ? { kubewardenNamespace: args['kubewarden-namespace'] } : {}),
      });
      fromCluster.push(...read.entries);
      kubewardenNamespace = read.kubewardenNamespace;
      deployment = read.deployment;
      serverVerification = read.verification;
    }
    const policies = checkPolicySet(
      {
        flags: fromFlags,
        ...(args.policies.length > 0 ? { config: { files: args.policies, entries: fromConfig } } : {}),
        ...(args['from-cluster'] ? { cluster: fromCluster } : {}),
      },
      bundledPolicySet,
    );
    const alwaysAcceptNamespace = alwaysAcceptNamespaceFor(
      args['always-accept-kubewarden-namespace'],
      kubewardenNamespace,
      deployment,
    );
    if (alwaysAcceptNamespace !== undefined)
      log.info(`requests in namespace ${alwaysAcceptNamespace} are accepted without evaluation, as policy-server does`);
    const session = await sessionOptionsFromArgs(args);
    let kubernetesVersion = args['kubernetes-version'] ?? NEWEST_KUBERNETES_VERSION;
    if (cluster && args['kubernetes-version'] === undefined) {
      try {
        const v = await cluster.serverVersion();
        const chosen = versionForServer(v.major, v.minor);
        if (chosen.note) log.warn(chosen.note);
        kubernetesVersion = chosen.version;
      } catch (err) {
        log.warn(`cannot read the server's version (${(err as Error).message}): using Kubernetes ${kubernetesVersion}`);
      }
    }
    const validate: FieldValidation =
      args.validate === 'true' ? 'strict' : args.validate === 'false' ? 'ignore' : (args.validate as FieldValidation);
    const progress = createProgress({
      enabled: shouldShowProgress({ isTTY: Boolean(process.stderr.isTTY), env: process.env, quiet: args.quiet }),
    });
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
        apiServer: {
          kubernetesVersion,
          validate,
          applyMode: args['apply-mode'],
          independent: args.independent,
          now: runTime(),
        },
      },
      limits: inputLimits,
      evaluationLimits,
      ...(alwaysAcceptNamespace !== undefined ? { alwaysAcceptNamespace } : {}),
      workers: args.workers,
      log,
      logLevel: logLevelFor(args),
      // Policies read from the cluster carry their own PolicyServer's sources (PolicySpec.sources).
      fetch: { ...fetchOptionsFromArgs(args, log), ...(await verifyFetchOption(args, log, serverVerification)) },
      hostCapabilities: {
        ...session,
        ...(args['sigstore-trust-config'] ? { sigstoreTrustConfig: args['sigstore-trust-config'] } : {}),
        // --from-cluster and --context-from-cluster: context-aware policies read the live cluster, not the manifests.
        ...(cluster ? { kubernetesSource: () => new ClusterSource(cluster) } : {}),
      },
    }).finally(() => progress.stop());
    await writeOutputs(
      report,
      outputs,
      REPORTERS,
      { color: useColor(args), verbose: args.verbose > 0, reportKind: args['report-kind'] },
      (text) => process.stdout.write(text),
    );
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
  if (args.helm === undefined && (args.values.length > 0 || args.set.length > 0))
    throw new UsageError('--values and --set apply to a chart given with --helm; none was given');
  const specs: RenderSpec[] = args.kustomize.map((dir) => ({ kind: 'kustomize' as const, dir }));
  if (args.helm !== undefined)
    specs.push({
      kind: 'helm',
      chart: args.helm,
      values: args.values,
      set: args.set,
      ...(args.namespace ? { namespace: args.namespace } : {}),
    });
  try {
    checkRenderTools(specs);
  } catch (err) {
    if (err instanceof MissingToolError) throw new UsageError(err.message);
    throw err;
  }
  return specs;
}
