// Preloaded into a CLI child (`node --require test/support/max-rss.cjs ...`) by tests that bound its memory:
// at exit it writes the process's peak resident set size (getrusage ru_maxrss, KiB, every thread included) to
// the file named by WASMPOLICY_TEST_MAX_RSS_FILE.
'use strict';
const { writeFileSync } = require('node:fs');
const out = process.env.WASMPOLICY_TEST_MAX_RSS_FILE;
if (out) process.on('exit', () => writeFileSync(out, String(process.resourceUsage().maxRSS)));
