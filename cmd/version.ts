import type { Argv, ArgumentsCamelCase } from 'yargs';
import { COMMIT, VERSION } from '../lib/base/version';
import type { GlobalArgs } from './context';

interface VersionArgs extends GlobalArgs {
  output: string;
}

export function builder(y: Argv<GlobalArgs>): Argv<VersionArgs> {
  return y.option('output', { alias: 'o', choices: ['text', 'json'], default: 'text' });
}

export async function handler(args: ArgumentsCamelCase<VersionArgs>): Promise<void> {
  const info = {
    version: VERSION,
    commit: COMMIT,
    node: process.version,
    platform: `${process.platform}/${process.arch}`,
  };
  if (args.output === 'json') process.stdout.write(JSON.stringify(info, null, 2) + '\n');
  else
    process.stdout.write(
      `kubectl-wasmpolicy ${info.version} (commit ${info.commit}, Node.js ${info.node}, ${info.platform})\n`,
    );
}
