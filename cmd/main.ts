import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { PolicyLoadError } from '../lib/wasm/load';
import { EXIT_ERROR } from '../lib/report/exit-code';
import * as annotate from './annotate';
import * as check from './check';
import * as digest from './digest';
import * as inspect from './inspect';
import * as load from './load';
import * as policies from './policies';
import * as pull from './pull';
import * as push from './push';
import * as rm from './rm';
import * as save from './save';
import * as version from './version';
import { UsageError } from './context';

/** Entry point: argument parsing and wiring only; every behaviour lives in lib/. */
export async function main(argv: string[] = hideBin(process.argv)): Promise<void> {
  const parser = yargs(joinStdinValues(argv))
    .scriptName('kubectl wasmpolicy')
    .usage('$0 <command> [flags]\n\nRun Kubewarden WebAssembly admission policies on manifests, before they reach a cluster.')
    .option('verbose', { alias: 'v', type: 'count', describe: 'More output: -v lists passes and skips, -vv logs policy output' })
    .option('color', { type: 'boolean', describe: 'Colour output (default: only on a terminal; NO_COLOR disables)' })
    .option('quiet', { alias: 'q', type: 'boolean', describe: 'Only errors on stderr' })
    .command(check)
    .command(inspect)
    .command(annotate)
    .command(pull)
    .command(push)
    .command(policies)
    .command(rm)
    .command(digest)
    .command(save)
    .command(load)
    .command(version)
    .demandCommand(1, 'name a command')
    .strict()
    .recommendCommands()
    .help()
    .alias('help', 'h')
    .version(false)
    .wrap(Math.min(120, process.stdout.columns || 100))
    .fail((msg, err) => {
      throw err ?? new UsageError(msg);
    });
  try {
    await parser.parseAsync();
  } catch (err) {
    if (err instanceof UsageError || err instanceof PolicyLoadError) {
      process.stderr.write(`error: ${err.message}\n`);
      if (err instanceof UsageError && /Unknown|Missing|Invalid|Not enough|name a command/.test(err.message)) {
        process.stderr.write(`Run 'kubectl wasmpolicy --help' for usage.\n`);
      }
      process.exitCode = EXIT_ERROR;
      return;
    }
    process.stderr.write(`error: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = EXIT_ERROR;
  }
}

/** Flags whose value may be `-` (stdin). */
const STDIN_FLAGS = new Set(['-f', '--filename', '--policies', '--old']);

/** yargs reads a lone `-` as an unknown positional; `-f -` means stdin, so bind it to its flag. */
function joinStdinValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (STDIN_FLAGS.has(argv[i]) && argv[i + 1] === '-') {
      out.push(`${argv[i] === '-f' ? '--filename' : argv[i]}=-`);
      i++;
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}
