// Runs every bundled policy's own test suite (plugins/<name>/tests.yaml, a PolicyTestSuite) through the real CLI,
// as a policy author would: `kubectl wasmpolicy test plugins/ -o json`. One mocha test per case.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse } from 'yaml';
import { ROOT, runCli } from '../support/cli';

interface JsonCase {
  name: string;
  file: string;
  line: number;
  status: 'pass' | 'fail' | 'error';
  error?: string;
  failures: unknown[];
  results: number;
}
interface JsonSuite {
  file: string;
  name: string;
  error?: unknown;
  cases: JsonCase[];
}

const pluginsDir = path.join(ROOT, 'plugins');
const plugins = readdirSync(pluginsDir)
  .filter((d) => existsSync(path.join(pluginsDir, d, 'tests.yaml')))
  .sort();
/** The case count before the suites moved to the PolicyTestSuite format; it may grow, never drop. */
const CASES_BEFORE_THE_MOVE = 126;

describe('bundled policies: their test suites through `test`', () => {
  let suites: JsonSuite[] = [];
  let exit = -1;
  before(async function () {
    this.timeout(180000);
    const r = await runCli(['test', 'plugins', '-o', 'json']);
    exit = r.code;
    assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}${r.stdout}`);
    suites = (JSON.parse(r.stdout) as { suites: JsonSuite[] }).suites;
  });

  it('every bundled policy has a suite, and all of them pass (exit 0)', () => {
    const withMetadata = readdirSync(pluginsDir).filter((d) => existsSync(path.join(pluginsDir, d, 'metadata.yml')));
    assert.ok(withMetadata.length >= 19, `expected at least 19 bundled policies, found ${withMetadata.length}`);
    assert.deepEqual(plugins, withMetadata.sort());
    assert.deepEqual(suites.map((s) => s.name).sort(), plugins);
    assert.equal(exit, 0);
  });

  it(`runs at least the ${CASES_BEFORE_THE_MOVE} cases the suites had`, () => {
    const n = suites.reduce((k, s) => k + s.cases.length, 0);
    assert.ok(n >= CASES_BEFORE_THE_MOVE, `${n} cases`);
  });

  for (const name of plugins) {
    describe(name, () => {
      const file = path.join('plugins', name, 'tests.yaml');
      const cases = (
        parse(readFileSync(path.join(ROOT, file), 'utf8')) as { cases: { name: string; expect: string }[] }
      ).cases;
      for (const c of cases) {
        it(`${c.expect}: ${c.name}`, () => {
          const got = suites.find((s) => s.file === file)?.cases.find((x) => x.name === c.name);
          assert.ok(got, `no outcome for ${file}: ${c.name}`);
          assert.equal(got.status, 'pass', JSON.stringify(got));
          assert.ok(got.results > 0, 'the case evaluated nothing');
        });
      }
    });
  }
});
