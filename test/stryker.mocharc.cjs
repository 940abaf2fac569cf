// mocha options for mutation testing (stryker.config.mjs): the unit tests of the mutated folders, stopping at the
// first failure (a killed mutant needs no more). Another file can be named with STRYKER_MOCHA_CONFIG.
module.exports = {
  spec: [
    'test/unit/kube/json-patch.test.ts',
    'test/unit/kube/label-selector.test.ts',
    'test/unit/admission/**/*.test.ts',
    'test/unit/policy/**/*.test.ts',
    'test/unit/manifests/**/*.test.ts',
  ],
  import: ['tsx'],
  timeout: 60000,
  reporter: 'dot',
  bail: true,
};
