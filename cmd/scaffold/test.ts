import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import type { Argv, ArgumentsCamelCase } from 'yargs';
import { starterSuite } from '../../lib/authoring/scaffold/test-suite';
import { writeFileAtomic } from '../../lib/base/fs-atomic';
import {
  DOCKER_CONFIG_OPTION,
  fetchOptionsFromArgs,
  PULL_OPTION,
  SOURCES_PATH_OPTION,
  type StoreArgs,
} from '../store-options';
import { loggerFor, logLevelFor, UsageError, type GlobalArgs } from '../context';
import { EVALUATION_OPTIONS, evaluationLimitsFromArgs, type EvaluationArgs } from '../evaluation-options';
import { readSettingsFlags } from '../policy-flag-options';

interface ScaffoldTestArgs extends GlobalArgs, StoreArgs, EvaluationArgs {
  policy: string;
  name?: string;
  filename: string[];
  'settings-json'?: string;
  settings?: string;
  output: string;
  force: boolean;
}

export function builder(y: Argv<GlobalArgs>): Argv<ScaffoldTestArgs> {
  return y
    .usage(
      '$0 scaffold test -p REF -f DIR [--output FILE]\n\nWrites a PolicyTestSuite with one case per manifest file, each with the results the policy gives today.',
    )
    .option('policy', { alias: 'p', type: 'string', demandOption: true, describe: 'Policy reference (as -p of check)' })
    .option('name', { type: 'string', describe: 'Name of the policy in the suite (default: from the reference)' })
    .option('filename', {
      alias: 'f',
      type: 'string',
      array: true,
      demandOption: true,
      describe: 'Manifest files or directories (searched recursively); one case per file',
    })
    .option('settings-json', { type: 'string', describe: 'Settings (a JSON object) for the policy' })
    .option('settings', { type: 'string', describe: 'File with the settings (YAML or JSON)' })
    .option('output', {
      alias: 'o',
      type: 'string',
      default: 'wasmpolicy-test.yaml',
      describe: 'The suite file to write (paths in it are relative to its folder)',
    })
    .option('force', { type: 'boolean', default: false, describe: 'Replace the output file if it exists' })
    .options(EVALUATION_OPTIONS)
    .option('pull', PULL_OPTION)
    .option('sources-path', SOURCES_PATH_OPTION)
    .option('docker-config', DOCKER_CONFIG_OPTION);
}

export async function handler(args: ArgumentsCamelCase<ScaffoldTestArgs>): Promise<void> {
  const log = loggerFor(args);
  if (
    !args.force &&
    (await fs.stat(args.output).then(
      () => true,
      () => false,
    ))
  )
    throw new UsageError(`${args.output} exists; give --force to replace it, or another --output`);
  const settings = await readSettingsFlags(args['settings-json'], args.settings);
  const { text, cases } = await starterSuite(
    {
      file: args.output,
      policy: { module: args.policy, ...(args.name ? { name: args.name } : {}), ...(settings ? { settings } : {}) },
      inputs: args.filename,
    },
    {
      log,
      logLevel: logLevelFor(args),
      workers: args.workers,
      evaluationLimits: evaluationLimitsFromArgs(args),
      fetch: fetchOptionsFromArgs(args, log),
    },
  );
  await fs.mkdir(path.dirname(path.resolve(args.output)), { recursive: true });
  await writeFileAtomic(args.output, text);
  process.stderr.write(
    `wrote ${args.output} (${cases} case${cases === 1 ? '' : 's'}); review the expected results, then run: kubectl wasmpolicy test ${args.output}\n`,
  );
}
