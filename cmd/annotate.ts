import { promises as fs } from 'node:fs';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { annotate } from '../lib/authoring/annotate';
import { writeFileAtomic } from '../lib/base/fs-atomic';
import { UsageError, type GlobalArgs } from './context';

interface AnnotateArgs extends GlobalArgs {
  wasm: string;
  metadata: string;
  output: string;
  usage?: string;
}

export function builder(y: Argv<GlobalArgs>): Argv<AnnotateArgs> {
  return y
    .positional('wasm', { type: 'string', demandOption: true, describe: 'Policy module (.wasm)' })
    .option('metadata', { alias: 'm', type: 'string', demandOption: true, describe: 'metadata.yml' })
    .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'Annotated module to write' })
    .option('usage', { alias: 'u', type: 'string', describe: 'File whose text becomes the io.kubewarden.policy.usage annotation (e.g. README.md)' });
}

export async function handler(args: ArgumentsCamelCase<AnnotateArgs>): Promise<void> {
  const read = async (file: string, what: string): Promise<Buffer> => {
    try {
      return await fs.readFile(file);
    } catch (err) {
      throw new UsageError(`cannot read ${what} ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`);
    }
  };
  const wasm = await read(args.wasm, 'module');
  const metadata = (await read(args.metadata, 'metadata')).toString('utf8');
  const usage = args.usage ? (await read(args.usage, 'usage file')).toString('utf8') : undefined;
  let out;
  try {
    out = annotate(wasm, metadata, usage);
  } catch (err) {
    throw new UsageError(`${args.wasm}: ${(err as Error).message}`);
  }
  await writeFileAtomic(args.output, out.bytes);
}
