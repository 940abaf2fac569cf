import type { Argv, ArgumentsCamelCase } from 'yargs';
import { savePolicies } from '../lib/store/archive';
import {
  DOCKER_CONFIG_OPTION,
  REGISTRY_TIMEOUT_OPTION,
  fetchOptionsFromArgs,
  PULL_OPTION,
  SOURCES_PATH_OPTION,
  type StoreArgs,
} from './store-options';
import { writeFileAtomic } from '../lib/base/fs-atomic';
import { loggerFor, UsageError, type GlobalArgs } from './context';

interface SaveArgs extends GlobalArgs, StoreArgs {
  refs: string[];
  output: string;
}

export function builder(y: Argv<GlobalArgs>): Argv<SaveArgs> {
  return y
    .positional('refs', { type: 'string', array: true, demandOption: true, describe: 'Registry or https references' })
    .option('output', {
      alias: 'o',
      type: 'string',
      demandOption: 'give the archive to write with -o FILE',
      describe: 'Archive to write (.tar.gz)',
    })
    .option('pull', PULL_OPTION)
    .option('sources-path', SOURCES_PATH_OPTION)
    .option('docker-config', DOCKER_CONFIG_OPTION)
    .option('registry-timeout', REGISTRY_TIMEOUT_OPTION);
}

export async function handler(args: ArgumentsCamelCase<SaveArgs>): Promise<void> {
  const log = loggerFor(args);
  const { archive, index } = await savePolicies(args.refs, fetchOptionsFromArgs(args, log));
  try {
    await writeFileAtomic(args.output, archive);
  } catch (err) {
    throw new UsageError(`cannot write ${args.output}: ${(err as Error).message}`);
  }
  for (const p of index.policies) process.stdout.write(`Saved ${p.uri} (sha256 ${p.sha256.slice(0, 12)})\n`);
  log.info(`wrote ${args.output} (${archive.length} bytes)`);
}
