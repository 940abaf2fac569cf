// Mutation testing of the core (docs/testing.md "Mutation testing"): `npm run mutate`, or with `-- --mutate FILE`
// for one file. Not part of npm test or CI: the score is a benchmark figure. Incremental: a rerun tests only the
// mutants of code or tests that changed (reports/stryker-incremental.json).
//
// The command runner runs the unit tests of the mutated folders for each mutant: Stryker 10.1's mocha runner
// loads mocha 11's internals (lib/cli/run-helpers.js), which mocha 12 renamed, so it cannot run this suite.
const SPEC = process.env.STRYKER_MOCHA_CONFIG ?? 'test/stryker.mocharc.cjs';

/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  mutate: [
    'lib/kube/json-patch.ts',
    'lib/kube/label-selector.ts',
    'lib/admission/**/*.ts',
    'lib/policy/**/*.ts',
    'lib/manifests/**/*.ts',
    '!lib/**/types.ts',
  ],
  testRunner: 'command',
  commandRunner: { command: `node node_modules/mocha/bin/mocha.js --config ${SPEC}` },
  coverageAnalysis: 'off',
  disableTypeChecks: 'lib/**/*.ts',
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  reporters: ['clear-text', 'html', 'json', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  concurrency: 2,
  timeoutMS: 30000,
  ignorePatterns: ['dist', 'coverage', 'reports', 'bench', 'test/fixtures', 'plugins', 'manifests', '.stryker-tmp'],
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
};
