import type { Argv, ArgumentsCamelCase } from 'yargs';
import {
  DOCKER_CONFIG_OPTION,
  REGISTRY_TIMEOUT_OPTION,
  fetchOptionsFromArgs,
  SOURCES_PATH_OPTION,
  type StoreArgs,
} from './store-options';
import { manifestDigestOf } from '../lib/store/fetch';
import { formatRegistryRef, parseSourceRef } from '../lib/store/ref';
import { loggerFor, UsageError, type GlobalArgs } from './context';

interface DigestArgs extends GlobalArgs, StoreArgs {
  ref: string;
}

export function builder(y: Argv<GlobalArgs>): Argv<DigestArgs> {
  return y
    .positional('ref', { type: 'string', demandOption: true, describe: 'registry://host/repo:tag (or host/repo:tag)' })
    .option('sources-path', SOURCES_PATH_OPTION)
    .option('docker-config', DOCKER_CONFIG_OPTION)
    .option('registry-timeout', REGISTRY_TIMEOUT_OPTION);
}

export async function handler(args: ArgumentsCamelCase<DigestArgs>): Promise<void> {
  const s = parseSourceRef(args.ref);
  if (s.kind !== 'registry')
    throw new UsageError(`${args.ref}: digest needs a registry reference (registry://host/repo:tag)`);
  const digest = await manifestDigestOf(s.ref, fetchOptionsFromArgs(args, loggerFor(args)));
  process.stdout.write(`${formatRegistryRef({ ...s.ref, digest: undefined })}@${digest}\n`);
}
