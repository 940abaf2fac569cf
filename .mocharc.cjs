// Tests are TypeScript run through tsx; the reporter is mocha's spec output plus the plain
// "N passed, N failed" closing line that CI reads.
module.exports = {
  spec: ['test/**/*.test.ts'],
  import: ['tsx'],
  timeout: 60000,
  reporter: require('path').join(__dirname, 'test/support/reporter.cjs'),
};
