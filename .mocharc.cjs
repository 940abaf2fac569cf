// Tests are TypeScript run through tsx; the reporter is mocha's spec output plus the plain
// "N passed, N failed" closing line that CI reads. A focused (.only) or pending (skipped) test fails the run:
// a test that silently does not run is a regression CI must see (docs/testing.md).
module.exports = {
  forbidOnly: true,
  forbidPending: true,
  spec: ['test/**/*.test.ts'],
  import: ['tsx'],
  timeout: 60000,
  reporter: require('path').join(__dirname, 'test/support/reporter.cjs'),
};
