import type { Argv, ArgumentsCamelCase } from 'yargs';
import { applyReports } from '../lib/audit/apply-reports';
import { runAudit } from '../lib/audit/run';
import { parseShard, type Shard } from '../lib/audit/shard';
import { createProgress, shouldShowProgress } from './progress';
import { auditPolicySet } from '../lib/audit/policies';
import { ALWAYS_ACCEPT_OPTION, alwaysAcceptNamespaceFor } from '../lib/policy/kubewarden-deployment';
import { DEFAULT_KUBEWARDEN_NAMESPACE } from '../lib/policy/config';
import { EXIT_ERROR, exitCode, parseOutputs, writeOutputs, type OutputSpec } from '../lib/report';
import { AUDIT_REPORTERS } from '../lib/report/audit';
import { REPORT_KINDS, type ReportKind } from '../lib/report/policyreport';
import {
  DOCKER_CONFIG_OPTION,
  REGISTRY_TIMEOUT_OPTION,
  fetchOptionsFromArgs,
  PULL_OPTION,
  SOURCES_PATH_OPTION,
  type StoreArgs,
} from './store-options';
import { verifyFetchOption, withVerificationOptions, type VerificationArgs } from './verification-options';
import { loggerFor, logLevelFor, useColor, UsageError, type GlobalArgs } from './context';
import { EVALUATION_OPTIONS, evaluationLimitsFromArgs, type EvaluationArgs } from './evaluation-options';
import { CLUSTER_OPTIONS, connect, type ClusterArgs } from './cluster-options';
import { POLICY_FLAG_OPTIONS, policiesFromFlags, type PolicyFlagArgs } from './policy-flag-options';
import { SESSION_OPTIONS, sessionOptionsFromArgs, type SessionArgs } from './session-options';

interface AuditArgs
  extends GlobalArgs, StoreArgs, EvaluationArgs, ClusterArgs, SessionArgs, PolicyFlagArgs, VerificationArgs {
  'all-namespaces': boolean;
  policies: string[];
  'from-cluster': boolean;
  'kubewarden-namespace'?: string;
  'always-accept-kubewarden-namespace'?: boolean;
  'include-wildcard': boolean;
  'ignore-namespaces': string[];
  shard?: string;
  'page-size': number;
  'max-pages': number;
  'parallel-namespaces': number;
  'parallel-resources': number;
  output: string[];
  'report-kind': ReportKind;
  'apply-reports': boolean;
  'fail-on-warn': boolean;
}

export function builder(y: Argv<GlobalArgs>): Argv<AuditArgs> {
  const base = y
    .options(CLUSTER_OPTIONS)
    .option('all-namespaces', {
      alias: 'A',
      type: 'boolean',
      default: false,
      describe: 'Audit every namespace, and cluster-scoped resources',
    })
    .options(POLICY_FLAG_OPTIONS)
    .option('policies', {
      type: 'string',
      array: true,
      default: [],
      describe: 'Policy configuration files (as check --policies); repeatable',
    })
    .option('from-cluster', {
      type: 'boolean',
      default: false,
      describe:
        "The cluster's own Kubewarden policies (the default when its CRDs are installed and no -p/--policies is given)",
    })
    .option('kubewarden-namespace', {
      type: 'string',
      describe: `Namespace Kubewarden runs in, never audited with -A (default: with the cluster's policies, the namespace of its policy-server Deployments; else ${DEFAULT_KUBEWARDEN_NAMESPACE})`,
    })
    .option('always-accept-kubewarden-namespace', ALWAYS_ACCEPT_OPTION)
    .option('include-wildcard', {
      type: 'boolean',
      default: false,
      describe: 'Also audit policies whose rules use * (expanded through discovery); audit-scanner skips them',
    })
    .option('ignore-namespaces', {
      type: 'string',
      array: true,
      default: [],
      describe: 'Namespaces never audited; repeatable',
    })
    .option('shard', {
      type: 'string',
      describe:
        'INDEX/COUNT: audit only this share of the namespaces (one Indexed Job pod per shard); shard 0 also takes cluster-scoped resources',
    })
    .option('page-size', { type: 'number', default: 500, describe: 'Objects per list request (limit/continue)' })
    // lib/cluster/list.ts DEFAULT_MAX_PAGES (lib/cluster is loaded lazily, so not imported here)
    .option('max-pages', {
      type: 'number',
      default: 10_000,
      describe: 'Pages read for one list at most; a longer list is an error',
    })
    .option('parallel-namespaces', { type: 'number', default: 4, describe: 'Namespaces listed at once' })
    .option('parallel-resources', {
      type: 'number',
      default: 4,
      describe: 'Resources listed at once in each namespace',
    })
    .options(EVALUATION_OPTIONS)
    .options(SESSION_OPTIONS)
    .option('output', {
      alias: 'o',
      type: 'string',
      array: true,
      default: ['text'],
      describe: `Output format: ${Object.keys(AUDIT_REPORTERS).join('|')}; FORMAT=FILE writes a file; repeatable`,
    })
    .option('report-kind', {
      choices: REPORT_KINDS,
      default: 'policyreport' as ReportKind,
      describe:
        'Reports for -o policyreport and --apply-reports: wgpolicyk8s.io (policyreport) or openreports.io (openreports)',
    })
    .option('apply-reports', {
      type: 'boolean',
      default: false,
      describe: 'Create or update one report per audited object in the cluster (the only write the tool makes)',
    })
    .option('fail-on-warn', { type: 'boolean', default: false, describe: 'Exit 1 on warnings too' })
    .option('pull', PULL_OPTION)
    .option('sources-path', SOURCES_PATH_OPTION)
    .option('docker-config', DOCKER_CONFIG_OPTION)
    .option('registry-timeout', REGISTRY_TIMEOUT_OPTION);
  return withVerificationOptions(base);
}

export async function handler(args: ArgumentsCamelCase<AuditArgs>): Promise<void> {
  const log = loggerFor(args);
  if (args['all-namespaces'] && args.namespace !== undefined)
    throw new UsageError('give either -n NAMESPACE or -A, not both');
  if (args['from-cluster'] && (args.policy.length > 0 || args.policies.length > 0))
    throw new UsageError("--from-cluster audits with the cluster's policies: leave out -p and --policies");
  for (const f of ['page-size', 'max-pages', 'parallel-namespaces', 'parallel-resources'] as const) {
    if (!Number.isInteger(args[f]) || args[f] < 1)
      throw new UsageError(`--${f} must be a whole number of at least 1, got ${args[f]}`);
  }
  let outputs: OutputSpec[];
  let shard: Shard | undefined;
  try {
    outputs = parseOutputs(args.output, Object.keys(AUDIT_REPORTERS));
    if (args.shard !== undefined) shard = parseShard(args.shard);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  if (shard && !args['all-namespaces']) throw new UsageError('--shard splits the namespaces of -A: add -A');
  const evaluationLimits = evaluationLimitsFromArgs(args);
  const session = await sessionOptionsFromArgs(args);
  const fromFlags = await policiesFromFlags(args);
  const cluster = await connect(args, log);
  try {
    const { policies, kubewardenNamespace, deployment, verification } = await auditPolicySet(
      {
        flags: fromFlags,
        configFiles: args.policies,
        fromCluster: args['from-cluster'],
        ...(args['kubewarden-namespace'] !== undefined ? { kubewardenNamespace: args['kubewarden-namespace'] } : {}),
      },
      cluster,
      log,
    );
    const alwaysAcceptNamespace = alwaysAcceptNamespaceFor(
      args['always-accept-kubewarden-namespace'],
      kubewardenNamespace,
      deployment,
    );
    // Policies read from the cluster carry their own PolicyServer's sources (PolicySpec.sources).
    const fetch = { ...fetchOptionsFromArgs(args, log), ...(await verifyFetchOption(args, log, verification)) };
    const progress = createProgress({
      enabled: shouldShowProgress({ isTTY: Boolean(process.stderr.isTTY), env: process.env, quiet: args.quiet }),
    });
    progress.phase(`loading policies, listing namespaces of ${cluster.context}`);
    const report = await runAudit({
      cluster,
      policies,
      ...(args['all-namespaces'] ? {} : { namespace: cluster.namespace }),
      ignoreNamespaces: args['ignore-namespaces'],
      kubewardenNamespace,
      ...(alwaysAcceptNamespace !== undefined ? { alwaysAcceptNamespace } : {}),
      ...(shard ? { shard } : {}),
      includeWildcard: args['include-wildcard'],
      pageSize: args['page-size'],
      maxPages: args['max-pages'],
      parallelNamespaces: args['parallel-namespaces'],
      parallelResources: args['parallel-resources'],
      evaluationLimits,
      workers: args.workers,
      log,
      logLevel: logLevelFor(args),
      fetch,
      hostCapabilities: {
        ...session,
        ...(args['sigstore-trust-config'] ? { sigstoreTrustConfig: args['sigstore-trust-config'] } : {}),
      },
      onProgress: (evaluated, listed) => progress.phase(`audit: ${evaluated}/${listed} listed objects evaluated`),
    }).finally(() => progress.stop());
    await writeOutputs(
      report,
      outputs,
      AUDIT_REPORTERS,
      { color: useColor(args), verbose: args.verbose > 0, reportKind: args['report-kind'] },
      (text) => process.stdout.write(text),
    );
    process.exitCode = exitCode(report.summary, args['fail-on-warn']);
    if (args['apply-reports']) {
      const kind = args['report-kind'];
      const applied = await applyReports(cluster, report, kind, log);
      process.stderr.write(
        `applied ${applied.total - applied.failed} of ${applied.total} ${kind === 'policyreport' ? 'policy reports' : 'reports'} to ${cluster.context}\n`,
      );
      if (applied.failed > 0) process.exitCode = EXIT_ERROR;
    }
  } finally {
    cluster.close();
  }
}
