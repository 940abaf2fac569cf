// The suite's own guard rails (docs/testing.md): a focused or pending test fails the run and the closing line CI
// reads, and nothing the tests, scripts or benchmarks run reads the shared corpus beside the repository.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT } from '../support/cli';

const require = createRequire(import.meta.url);
const { closingLine } = require('../support/reporter.cjs') as {
  closingLine: (s: { passes: number; failures: number; pending: number }) => string;
};

/** Runs mocha with the repository's .mocharc.cjs on one spec file written to a temporary folder. */
function runMocha(spec: string): { status: number | null; out: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-guard-'));
  try {
    const file = path.join(dir, 'x.test.mjs');
    writeFileSync(file, spec);
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/mocha/bin/mocha.js'), '--config', path.join(ROOT, '.mocharc.cjs'), file],
      { cwd: ROOT, encoding: 'utf8' },
    );
    return { status: r.status, out: r.stdout + r.stderr };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const lastLine = (out: string): string => out.trim().split('\n').pop()!;

describe('guard rails of the suite', function () {
  this.timeout(60000);

  it('a pending test (it.skip or this.skip()) fails the run and the closing line', () => {
    const r = runMocha(
      "describe('x', () => { it('a', () => {}); it.skip('b', () => {}); it('c', function () { this.skip(); }); });\n",
    );
    assert.notEqual(r.status, 0, r.out);
    assert.equal(lastLine(r.out), '1 passed, 2 failed');
    assert.match(r.out, /Pending test forbidden/);
  });

  it('a focused test (.only) fails the run', () => {
    const r = runMocha("describe('x', () => { it.only('a', () => {}); it('b', () => {}); });\n");
    assert.notEqual(r.status, 0, r.out);
    assert.match(r.out, /\.only` forbidden/);
  });

  it('naming one file runs that file only, not the whole suite', () => {
    const r = runMocha("describe('x', () => { it('a', () => {}); });\n");
    assert.equal(r.status, 0, r.out);
    assert.equal(lastLine(r.out), '1 passed, 0 failed');
  });

  it('the closing line counts pending tests as failed', () => {
    assert.equal(closingLine({ passes: 5, failures: 0, pending: 0 }), '5 passed, 0 failed');
    assert.equal(closingLine({ passes: 5, failures: 1, pending: 2 }), '5 passed, 3 failed (2 pending)');
  });

  it('no test, script or benchmark reads the corpus beside the repository', () => {
    // Built from pieces so that this file does not match itself.
    const dots = '..';
    const patterns = [
      new RegExp(`${dots.replace(/\./g, '\\.')}/shared\\b`),
      new RegExp('/work' + '/shared\\b'),
      new RegExp(`['"]\\.\\.['"],\\s*['"]shared['"]`),
    ];
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) {
          if (!['node_modules', 'corpus', 'target', 'results'].includes(e.name)) walk(p);
        } else if (/\.(ts|mjs|cjs|js|sh|json)$/.test(e.name) || e.name === 'run') {
          const text = readFileSync(p, 'utf8');
          for (const re of patterns) if (re.test(text)) offenders.push(`${path.relative(ROOT, p)}: ${re}`);
        }
      }
    };
    for (const top of ['test', 'scripts', 'bench', 'lib', 'cmd', 'plugins']) walk(path.join(ROOT, top));
    const files = offenders.length;
    assert.deepEqual(offenders, [], `${files} files name the shared folder`);
  });
});
