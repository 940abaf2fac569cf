import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { escapeControlButNewlines } from '../lib/base/control-chars';
import { isUserError } from '../lib/base/user-error';
import { EXIT_ERROR } from '../lib/report/exit-code';
import { COMMANDS, commandName } from './commands';
import { UsageError, withGlobalOptions } from './context';

/** Entry point: argument parsing and wiring only; every behaviour lives in lib/. */
export async function main(argv: string[] = hideBin(process.argv)): Promise<void> {
  argv = joinStdinValues(argv);
  // Only the command being run is loaded (with its share of lib/); the others are listed for --help.
  const wanted = argv.find((a) => !a.startsWith('-'));
  const entry = COMMANDS.find((c) => commandName(c) === wanted);
  const impl = entry ? await entry.load() : undefined;
  let parser = withGlobalOptions(
    yargs(argv)
      .scriptName('kubectl wasmpolicy')
      .usage(
        '$0 <command> [flags]\n\nRun Kubewarden WebAssembly admission policies on manifests, before they reach a cluster.',
      ),
  );
  for (const c of COMMANDS) {
    parser =
      c === entry && impl
        ? parser.command(c.command, c.describe, impl.builder, impl.handler)
        : parser.command(c.command, c.describe);
  }
  parser = parser
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
  skipHelpCache(parser);
  try {
    await parser.parseAsync();
  } catch (err) {
    // Every error the user can act on is a UserError (lib/base/user-error.ts); anything else is a defect: its stack helps.
    if (isUserError(err)) {
      process.stderr.write(`error: ${escapeControlButNewlines(err.message)}\n`);
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

/**
 * yargs renders the whole help text of a command each time it runs one (~20 ms for `check`), to have it ready if
 * a handler later calls showHelp. No handler here does (failures go through `.fail` above, which prints no help),
 * so that rendering is skipped; `--help` itself renders on demand and is unaffected. Guarded: if a yargs version
 * lacks the internal method, nothing changes.
 */
function skipHelpCache(parser: unknown): void {
  const internal = (
    parser as { getInternalMethods?: () => { getUsageInstance?: () => { cacheHelpMessage?: unknown } } }
  ).getInternalMethods?.();
  const usage = internal?.getUsageInstance?.();
  if (usage && typeof usage.cacheHelpMessage === 'function') usage.cacheHelpMessage = () => undefined;
}

/** Flags whose value may be `-` (stdin). */
const STDIN_FLAGS = new Set(['-f', '--filename', '--policies', '--old', '-r', '--request-path']);

/** Short flags above, bound by their long name (`-f=-` would not parse). */
const LONG_NAMES: Record<string, string> = { '-f': '--filename', '-r': '--request-path' };

/** yargs reads a lone `-` as an unknown positional; `-f -` means stdin, so bind it to its flag. */
function joinStdinValues(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--') {
      // File names follow, whatever they look like (a file named `--policies=x.yaml` is a file).
      out.push(...argv.slice(i));
      break;
    }
    if (STDIN_FLAGS.has(argv[i]) && argv[i + 1] === '-') {
      out.push(`${LONG_NAMES[argv[i]] ?? argv[i]}=-`);
      i++;
    } else {
      out.push(argv[i]);
    }
  }
  return out;
}
