import { createHash } from 'node:crypto';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import {
  DOCKER_CONFIG_OPTION,
  REGISTRY_TIMEOUT_OPTION,
  fetchOptionsFromArgs,
  PULL_OPTION,
  SOURCES_PATH_OPTION,
  type StoreArgs,
} from './store-options';
import { resolvePolicy } from '../lib/store/fetch';
import { sourceKindName } from '../lib/store/ref';
import { writeFileAtomic } from '../lib/base/fs-atomic';
import { loggerFor, UsageError, type GlobalArgs } from './context';
import { verifyFetchOption, withVerificationOptions, type VerificationArgs } from './verification-options';

interface PullArgs extends GlobalArgs, StoreArgs, VerificationArgs {
  ref: string;
  output?: string;
}

export function builder(y: Argv<GlobalArgs>): Argv<PullArgs> {
  const base = y
    .positional('ref', {
      type: 'string',
      demandOption: true,
      describe: 'registry://host/repo:tag|@sha256:..., https://..., or host/repo:tag',
    })
    .option('output', { alias: 'o', type: 'string', describe: 'Also write the module to this file' })
    .option('pull', { ...PULL_OPTION, default: 'always' as const })
    .option('sources-path', SOURCES_PATH_OPTION)
    .option('docker-config', DOCKER_CONFIG_OPTION)
    .option('registry-timeout', REGISTRY_TIMEOUT_OPTION);
  return withVerificationOptions(base);
}

export async function handler(args: ArgumentsCamelCase<PullArgs>): Promise<void> {
  const log = loggerFor(args);
  const r = await resolvePolicy(args.ref, {
    ...fetchOptionsFromArgs(args, log),
    ...(await verifyFetchOption(args, log)),
  });
  if (r.source.kind !== 'registry' && r.source.kind !== 'url')
    throw new UsageError(
      `${args.ref}: pull takes a registry or https reference (this is a ${sourceKindName(r.source.kind)})`,
    );
  if (args.output) {
    try {
      await writeFileAtomic(args.output, r.bytes);
    } catch (err) {
      throw new UsageError(`cannot write ${args.output}: ${(err as Error).message}`);
    }
  }
  const lines = [
    `${r.fromCache ? 'Up to date' : 'Pulled'}: ${r.uri}`,
    ...(r.manifestDigest ? [`  manifest: ${r.manifestDigest}`] : []),
    `  sha256:   ${createHash('sha256').update(r.bytes).digest('hex')}`,
    `  size:     ${r.bytes.length} bytes`,
    `  path:     ${r.path}`,
    ...(args.output ? [`  written:  ${args.output}`] : []),
  ];
  process.stdout.write(lines.join('\n') + '\n');
}
