import type { Argv, ArgumentsCamelCase } from 'yargs';
import { removeStoredPolicy } from '../lib/store/manage';
import type { GlobalArgs } from './context';

interface RmArgs extends GlobalArgs {
  ref: string;
}

export function builder(y: Argv<GlobalArgs>): Argv<RmArgs> {
  return y.positional('ref', {
    type: 'string',
    demandOption: true,
    describe: 'Reference as listed by `policies`, or a sha256 prefix',
  });
}

export async function handler(args: ArgumentsCamelCase<RmArgs>): Promise<void> {
  for (const p of await removeStoredPolicy(args.ref))
    process.stdout.write(`Removed ${p.uri} (sha256 ${p.sha256.slice(0, 12)})\n`);
}
