// Tests are TypeScript run through tsx; the reporter is mocha's spec output plus the plain
// "N passed, N failed" closing line that CI reads. A focused (.only) or pending (skipped) test fails the run:
// a test that silently does not run is a regression CI must see (docs/testing.md).
// mocha adds the files named on the command line to `spec` instead of replacing it: without this,
// `npx mocha test/x.test.ts` would run the whole suite.
const named = process.argv.slice(2).some((a) => /\.test\.[cm]?[jt]s$/.test(a));
module.exports = {
  forbidOnly: true,
  forbidPending: true,
  spec: named ? [] : ['test/**/*.test.ts'],
  // tsx's ES-module loader alone: with its CommonJS hook too, mocha require()s the test files (Node 20.19+ has
  // require(esm)), tsx compiles lib/ to CommonJS for them, and every dynamic import() in lib/ loads a second, ES-module
  // copy of the files it reaches. Two copies under one URL make c8 merge two different compilations' offsets and map
  // them with one source map (docs/testing.md, "What the coverage figures count").
  import: ['tsx/esm'],
  timeout: 60000,
  reporter: require('path').join(__dirname, 'test/support/reporter.cjs'),
};
