import type { Argv, ArgumentsCamelCase } from 'yargs';
import { runTime } from '../../lib/base/source-date';
import { admissionReviews } from '../../lib/admission/review';
import { DEFAULT_USER } from '../../lib/admission/request';
import type { Operation } from '../../lib/kube/admission-review';
import { KUBERNETES_VERSIONS, NEWEST_KUBERNETES_VERSION, type KubernetesVersion } from '../../lib/apiserver/context';
import { APPLY_MODES, type ApplyMode } from '../../lib/apiserver/kubectl-apply';
import type { Stage } from '../../lib/apiserver/options';
import type { FieldValidation } from '../../lib/apiserver/stage';
import { DEFAULT_LIMITS, readManifests } from '../../lib/manifests';
import { EXIT_ERROR } from '../../lib/report/exit-code';
import { loggerFor, UsageError, type GlobalArgs } from '../context';

interface Args extends GlobalArgs {
  filename: string[];
  recursive: boolean;
  operation: Operation;
  old: string[];
  stage: Stage;
  namespace?: string;
  user?: string;
  group?: string[];
  'kubernetes-version': KubernetesVersion;
  validate: string;
  'apply-mode': ApplyMode;
}

export function builder(y: Argv<GlobalArgs>): Argv<Args> {
  return y
    .option('filename', {
      alias: 'f',
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'File, directory, URL or - (stdin); repeatable',
    })
    .option('recursive', {
      alias: 'R',
      type: 'boolean',
      default: false,
      describe: 'Descend into sub-directories of -f directories',
    })
    .option('operation', {
      choices: ['CREATE', 'UPDATE', 'DELETE'] as const,
      default: 'CREATE' as const,
      describe: 'Operation: CREATE, UPDATE (with --old) or DELETE',
    })
    .option('old', {
      type: 'string',
      array: true,
      default: [],
      describe: 'UPDATE: the stored objects, matched by apiVersion, kind, namespace and name',
    })
    .option('stage', {
      choices: ['mutating', 'validating'] as const,
      default: 'validating' as const,
      describe: 'Which webhooks: mutating (before the API server sets uid, creationTimestamp, status) or validating',
    })
    .option('namespace', {
      alias: 'n',
      type: 'string',
      describe: 'Namespace for namespaced objects that do not name one (default: default)',
    })
    .option('user', { type: 'string', describe: `userInfo.username (default: ${DEFAULT_USER.username})` })
    .option('group', {
      type: 'string',
      array: true,
      describe: `userInfo.groups; repeatable (default: ${DEFAULT_USER.groups!.join(',')})`,
    })
    .option('kubernetes-version', {
      choices: KUBERNETES_VERSIONS,
      default: NEWEST_KUBERNETES_VERSION,
      describe: 'Kubernetes version whose schemas, defaults and admission steps apply',
    })
    .option('validate', {
      choices: ['strict', 'warn', 'ignore', 'true', 'false'],
      default: 'strict',
      describe: "Field validation, as kubectl's --validate",
    })
    .option('apply-mode', {
      choices: APPLY_MODES,
      default: 'client' as const,
      describe: 'client (kubectl apply), server (--server-side) or create (kubectl create)',
    });
}

export async function handler(args: ArgumentsCamelCase<Args>): Promise<void> {
  const log = loggerFor(args);
  if (args.old.length > 0 && args.operation !== 'UPDATE')
    throw new UsageError('--old gives the stored objects of an UPDATE: use it with --operation UPDATE');
  if (args.operation === 'UPDATE' && args.old.length === 0)
    throw new UsageError('--operation UPDATE needs the stored objects: give them with --old FILE');
  const limits = DEFAULT_LIMITS;
  const entries = await readManifests(args.filename, { recursive: args.recursive, limits });
  const old = args.old.length > 0 ? await readManifests(args.old, { recursive: args.recursive, limits }) : [];
  const validate: FieldValidation =
    args.validate === 'true' ? 'strict' : args.validate === 'false' ? 'ignore' : (args.validate as FieldValidation);
  const reviews = admissionReviews(
    entries,
    {
      stage: args.stage,
      request: {
        operation: args.operation,
        userInfo: { username: args.user ?? DEFAULT_USER.username, groups: args.group ?? DEFAULT_USER.groups },
        ...(args.namespace ? { defaultNamespace: args.namespace } : {}),
        apiServer: {
          kubernetesVersion: args['kubernetes-version'],
          validate,
          applyMode: args['apply-mode'],
          independent: false,
          now: runTime(),
        },
      },
    },
    old,
  );
  let failed = false;
  for (const r of reviews) {
    if (r.kind === 'review') process.stdout.write(JSON.stringify(r.review, null, 2) + '\n');
    else if (r.kind === 'warning')
      log.warn(r.message.startsWith(r.source.file) ? r.message : `${r.source.file}:${r.source.line}: ${r.message}`);
    else {
      failed = true;
      log.error(`${r.source.file}:${r.source.line}: ${r.message}`);
    }
  }
  if (failed) process.exitCode = EXIT_ERROR;
}
