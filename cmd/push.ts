import { readRegularFile, type BoundedReadError } from '../lib/base/bounded-read';
import { MAX_MODULE_BYTES } from '../lib/store/registry';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import {
  DOCKER_CONFIG_OPTION,
  REGISTRY_TIMEOUT_OPTION,
  fetchOptionsFromArgs,
  SOURCES_PATH_OPTION,
  type StoreArgs,
} from './store-options';
import { PolicyFetchError } from '../lib/store/fetch';
import { pushPolicy } from '../lib/store/push';
import { loggerFor, UsageError, type GlobalArgs } from './context';

interface PushArgs extends GlobalArgs, StoreArgs {
  wasm: string;
  ref: string;
  force: boolean;
}

export function builder(y: Argv<GlobalArgs>): Argv<PushArgs> {
  return y
    .positional('wasm', { type: 'string', demandOption: true, describe: 'Annotated policy module (.wasm)' })
    .positional('ref', {
      type: 'string',
      demandOption: true,
      describe: 'registry://host[:port]/repo:tag (or host/repo:tag)',
    })
    .option('force', { type: 'boolean', default: false, describe: 'Push a module without (valid) metadata too' })
    .option('sources-path', SOURCES_PATH_OPTION)
    .option('docker-config', DOCKER_CONFIG_OPTION)
    .option('registry-timeout', REGISTRY_TIMEOUT_OPTION);
}

export async function handler(args: ArgumentsCamelCase<PushArgs>): Promise<void> {
  const log = loggerFor(args);
  let wasm: Buffer;
  try {
    wasm = await readRegularFile(args.wasm, MAX_MODULE_BYTES);
  } catch (err) {
    const e = err as BoundedReadError;
    throw new UsageError(`cannot read ${args.wasm}: ${e.reason === 'not-found' ? 'no such file' : e.message}`);
  }
  try {
    const r = await pushPolicy(wasm, args.ref, { ...fetchOptionsFromArgs(args, log), force: args.force });
    log.info(`pushed ${args.wasm} to ${r.uri}`);
    process.stdout.write(r.pinned + '\n');
  } catch (err) {
    if (err instanceof PolicyFetchError) throw new UsageError(`${args.wasm}: ${err.message}`);
    throw err;
  }
}
