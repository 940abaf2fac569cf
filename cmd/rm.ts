import type { Argv, ArgumentsCamelCase } from 'yargs';
import { PolicyFetchError } from '../lib/store/fetch';
import { removeStoredPolicy } from '../lib/store/manage';
import { UsageError, type GlobalArgs } from './context';

interface RmArgs extends GlobalArgs {
  ref: string;
}

export function builder(y: Argv): Argv<RmArgs> {
  return y.positional('ref', { type: 'string', demandOption: true, describe: 'Reference as listed by `policies`, or a sha256 prefix' }) as unknown as Argv<RmArgs>;
}

export async function handler(args: ArgumentsCamelCase<RmArgs>): Promise<void> {
  try {
    for (const p of await removeStoredPolicy(args.ref)) process.stdout.write(`Removed ${p.uri} (sha256 ${p.sha256.slice(0, 12)})\n`);
  } catch (err) {
    if (err instanceof PolicyFetchError) throw new UsageError(err.message);
    throw err;
  }
}
