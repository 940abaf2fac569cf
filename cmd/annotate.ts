import { readRegularFile, type BoundedReadError } from '../lib/base/bounded-read';
import { MAX_MODULE_BYTES } from '../lib/store/registry';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { annotate } from '../lib/authoring/annotate';
import { writeFileAtomic } from '../lib/base/fs-atomic';
import { DEFAULT_EVALUATION_LIMITS } from '../lib/wasm/limits';
import { logLevelFor, UsageError, type GlobalArgs } from './context';
import { EVALUATION_OPTIONS, evaluationLimitsFromArgs } from './evaluation-options';

interface AnnotateArgs extends GlobalArgs {
  wasm: string;
  metadata: string;
  output: string;
  usage?: string;
  timeout: string;
  'memory-limit': string;
}

export function builder(y: Argv<GlobalArgs>): Argv<AnnotateArgs> {
  return (
    y
      .positional('wasm', { type: 'string', demandOption: true, describe: 'Policy module (.wasm)' })
      .option('metadata', { alias: 'm', type: 'string', demandOption: true, describe: 'metadata.yml' })
      .option('output', { alias: 'o', type: 'string', demandOption: true, describe: 'Annotated module to write' })
      .option('usage', {
        alias: 'u',
        type: 'string',
        describe: 'File whose text becomes the io.kubewarden.policy.usage annotation (e.g. README.md)',
      })
      // Asking a waPC module its protocol version runs guest code: under check's deadline and memory cap.
      .option('timeout', EVALUATION_OPTIONS.timeout)
      .option('memory-limit', EVALUATION_OPTIONS['memory-limit'])
  );
}

export async function handler(args: ArgumentsCamelCase<AnnotateArgs>): Promise<void> {
  const read = async (file: string, what: string): Promise<Buffer> => {
    try {
      // Bounded, regular files only: a module path may be a link to /dev/zero or a FIFO (docs/security.md).
      return await readRegularFile(file, MAX_MODULE_BYTES);
    } catch (err) {
      const e = err as BoundedReadError;
      throw new UsageError(`cannot read ${what} ${file}: ${e.reason === 'not-found' ? 'no such file' : e.message}`);
    }
  };
  const wasm = await read(args.wasm, 'module');
  const metadata = (await read(args.metadata, 'metadata')).toString('utf8');
  const usage = args.usage ? (await read(args.usage, 'usage file')).toString('utf8') : undefined;
  const limits = evaluationLimitsFromArgs({
    workers: 1,
    timeout: args.timeout,
    'memory-limit': args['memory-limit'],
    'max-output-size': DEFAULT_EVALUATION_LIMITS.maxOutputBytes,
  });
  let out;
  try {
    out = await annotate(wasm, metadata, {
      ...(usage !== undefined ? { usage } : {}),
      limits,
      logLevel: logLevelFor(args),
    });
  } catch (err) {
    throw new UsageError(`${args.wasm}: ${(err as Error).message}`);
  }
  await writeFileAtomic(args.output, out.bytes);
}
