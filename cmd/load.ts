import { readRegularFile, type BoundedReadError } from '../lib/base/bounded-read';
import { MAX_ARCHIVE_BYTES } from '../lib/store/archive';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { importArchive } from '../lib/store/archive';
import { UsageError, type GlobalArgs } from './context';

interface LoadArgs extends GlobalArgs {
  file: string;
}

export function builder(y: Argv<GlobalArgs>): Argv<LoadArgs> {
  return y.positional('file', { type: 'string', demandOption: true, describe: 'Archive (.tar.gz) written by save' });
}

export async function handler(args: ArgumentsCamelCase<LoadArgs>): Promise<void> {
  let data: Buffer;
  try {
    data = await readRegularFile(args.file, MAX_ARCHIVE_BYTES);
  } catch (err) {
    const e = err as BoundedReadError;
    throw new UsageError(`cannot read ${args.file}: ${e.reason === 'not-found' ? 'no such file' : e.message}`);
  }
  for (const p of await importArchive(data, {}, args.file))
    process.stdout.write(`Loaded ${p.uri} (sha256 ${p.sha256.slice(0, 12)})\n`);
}
