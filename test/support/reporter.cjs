'use strict';
// mocha's spec reporter, closed by one plain line "N passed, N failed" that CI reads. A pending test counts as
// failed there ("N failed (N pending)"), so the line fails CI even when a run is started without forbidPending.
const Mocha = require('mocha');

class SpecWithTotals extends Mocha.reporters.Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(Mocha.Runner.constants.EVENT_RUN_END, () => {
      const s = runner.stats;
      process.stdout.write(`\n${closingLine(s)}\n`);
    });
  }
}

/** The closing line: pending tests are added to the failures. */
function closingLine(stats) {
  const failed = stats.failures + stats.pending;
  return `${stats.passes} passed, ${failed} failed${stats.pending ? ` (${stats.pending} pending)` : ''}`;
}

module.exports = SpecWithTotals;
module.exports.closingLine = closingLine;
