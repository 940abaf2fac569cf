// Runs every bundled policy's own test cases (plugins/<name>/tests.yaml) through the real CLI, as a user
// would: `check -p builtin://<name> [--settings-json ...] -f <manifest> -o json`.
import { strict as assert } from 'node:assert';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import * as jsyaml from 'js-yaml';
import { ROOT, runCli } from '../support/cli';

interface Case {
  name: string;
  manifest: string;
  settings?: Record<string, unknown>;
  expect: 'accept' | 'reject' | 'mutate';
  message?: string;
  patch?: unknown[];
}

interface JsonResult {
  source: { file: string; line: number; docIndex: number; itemIndex?: number };
  policy?: string;
  verdict: string;
  message?: string;
  patch?: unknown[];
}

const pluginsDir = path.join(ROOT, 'plugins');
const plugins = readdirSync(pluginsDir).filter((d) => existsSync(path.join(pluginsDir, d, 'tests.yaml'))).sort();

describe('bundled policies: test cases through the CLI', () => {
  it('every bundled policy has test cases', () => {
    const withMetadata = readdirSync(pluginsDir).filter((d) => existsSync(path.join(pluginsDir, d, 'metadata.yml')));
    assert.ok(withMetadata.length >= 19, `expected at least 19 bundled policies, found ${withMetadata.length}`);
    assert.deepEqual(plugins, withMetadata.sort());
  });

  for (const name of plugins) {
    describe(name, () => {
      const cases = jsyaml.load(readFileSync(path.join(pluginsDir, name, 'tests.yaml'), 'utf8')) as Case[];
      // One CLI run per distinct settings object; results come back in input order, one per object.
      const groups = new Map<string, Case[]>();
      for (const c of cases) {
        const key = JSON.stringify(c.settings ?? null);
        groups.set(key, [...(groups.get(key) ?? []), c]);
      }
      const outcomes = new Map<Case, JsonResult[]>();
      before(async function () {
        this.timeout(120000);
        for (const [key, group] of groups) {
          const args = ['check', '-p', `builtin://${name}`, '-o', 'json'];
          if (key !== 'null') args.push('--settings-json', key);
          for (const c of group) args.push('-f', path.join('plugins', name, c.manifest));
          const r = await runCli(args);
          assert.ok(r.code === 0 || r.code === 1, `exit ${r.code}: ${r.stderr}`);
          const results = (JSON.parse(r.stdout) as { results: JsonResult[] }).results;
          for (const c of group) {
            outcomes.set(c, results.filter((x) => x.source.file === path.join('plugins', name, c.manifest)));
          }
        }
      });
      for (const c of cases) {
        it(`${c.expect}: ${c.name}`, () => {
          const rs = outcomes.get(c) ?? [];
          assert.ok(rs.length > 0, `no result for ${c.manifest}`);
          if (c.expect === 'accept') {
            // An object the policy's rules do not select is admitted without running it.
            for (const r of rs) {
              assert.ok(r.verdict === 'pass' || r.verdict === 'skip', JSON.stringify(r));
              assert.equal(r.patch, undefined, `unexpected mutation ${JSON.stringify(r.patch)}`);
            }
            return;
          }
          const evaluated = rs.filter((x) => x.verdict !== 'skip');
          assert.ok(evaluated.length > 0, `the policy did not evaluate ${c.manifest}: ${JSON.stringify(rs)}`);
          for (const r of evaluated) {
            if (c.expect === 'reject') {
              assert.equal(r.verdict, 'fail', JSON.stringify(r));
              if (c.message !== undefined) assert.equal(r.message, c.message);
            } else {
              assert.equal(r.verdict, 'pass', JSON.stringify(r));
              assert.ok(r.patch && r.patch.length > 0, 'expected a mutation');
              if (c.patch !== undefined) assert.deepEqual(r.patch, c.patch);
            }
          }
        });
      }
    });
  }
});
