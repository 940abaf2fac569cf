import type { Argv, ArgumentsCamelCase } from 'yargs';
import { renderJson, renderJunit, renderText, TEST_FORMATS, type TestFormat } from '../lib/authoring/suite/output';
import { runTests, testExitCode } from '../lib/authoring/suite';
import {
  DOCKER_CONFIG_OPTION,
  fetchOptionsFromArgs,
  PULL_OPTION,
  SOURCES_PATH_OPTION,
  type StoreArgs,
} from './store-options';
import { loggerFor, logLevelFor, UsageError, type GlobalArgs } from './context';
import { EVALUATION_OPTIONS, evaluationLimitsFromArgs, type EvaluationArgs } from './evaluation-options';

interface TestArgs extends GlobalArgs, StoreArgs, EvaluationArgs {
  paths: string[];
  output: TestFormat;
  run?: string;
  update: boolean;
}

export function builder(y: Argv<GlobalArgs>): Argv<TestArgs> {
  return y
    .usage(
      '$0 test [PATH]... [flags]\n\nRuns the policy test suites (wasmpolicy-test.yaml files, or YAML files of kind PolicyTestSuite) found in PATHs (default: .), recursively. Exit 0 when every case passes, 1 when one fails, 2 when a suite cannot run. See docs/testing-policies.md.',
    )
    .positional('paths', {
      type: 'string',
      array: true,
      default: ['.'],
      describe: 'Suite files or directories to search',
    })
    .option('output', {
      alias: 'o',
      choices: TEST_FORMATS,
      default: 'text' as const,
      describe: 'Output: text (like go test), json or junit',
    })
    .option('run', { type: 'string', describe: 'Only the cases whose SUITE/CASE name matches this regular expression' })
    .option('update', {
      type: 'boolean',
      default: false,
      describe: 'Write the actual results into the cases that expect nothing yet (comments kept; atomic write)',
    })
    .options(EVALUATION_OPTIONS)
    .option('pull', PULL_OPTION)
    .option('sources-path', SOURCES_PATH_OPTION)
    .option('docker-config', DOCKER_CONFIG_OPTION);
}

export async function handler(args: ArgumentsCamelCase<TestArgs>): Promise<void> {
  const log = loggerFor(args);
  let run: RegExp | undefined;
  if (args.run !== undefined) {
    try {
      run = new RegExp(args.run);
    } catch (err) {
      throw new UsageError(`--run: not a valid regular expression: ${(err as Error).message}`);
    }
  }
  const report = await runTests(args.paths.length > 0 ? args.paths : ['.'], {
    log,
    logLevel: logLevelFor(args),
    workers: args.workers,
    evaluationLimits: evaluationLimitsFromArgs(args),
    fetch: fetchOptionsFromArgs(args, log),
    ...(run ? { run } : {}),
    update: args.update,
  });
  const text =
    args.output === 'json'
      ? renderJson(report)
      : args.output === 'junit'
        ? renderJunit(report)
        : renderText(report, args.verbose > 0);
  process.stdout.write(text);
  process.exitCode = testExitCode(report);
}
