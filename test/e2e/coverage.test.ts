// The coverage measurement itself (docs/testing.md, "What the coverage figures count"): c8's report of a real CLI run
// under NODE_V8_COVERAGE, with the repository's .c8rc.json and the built bundles' source maps, must say of each
// function of lib/ and cmd/ what V8 recorded for it. The ground truth is V8's own count per function, mapped to the
// sources with Node's source-map reader (test/support/v8-functions.ts), not with c8's mapping. Each defect found
// on 2026-12-07 fails here: relative `sources` in a map (c8 dropped every range of the bundle, all lines covered), the
// Module.wrap text in front of the bundle (ranges 62 characters off), esbuild's module wrappers mapped to whole files
// (functions never called counted as run), and worker threads run from a string (their code not counted).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { ROOT, fixture, runCli } from '../support/cli';
import { bundleFunctions, type SourceFunction } from '../support/v8-functions';

const BUNDLES = ['kubectl-wasmpolicy-main.cjs', 'evaluator-worker.cjs', 'manifest-parser.cjs'].map((f) =>
  path.join(ROOT, 'dist', f),
);

/** istanbul's per-file data, as c8's json reporter writes it (statements are lines for c8). */
interface FileCoverage {
  statementMap: Record<string, { start: { line: number } }>;
  s: Record<string, number>;
  fnMap: Record<string, unknown>;
  branchMap: Record<string, unknown>;
}

/** Hits c8 gives each line of each file. */
function lineHits(report: Record<string, FileCoverage>): Map<string, Map<number, number>> {
  const out = new Map<string, Map<number, number>>();
  for (const [file, cov] of Object.entries(report)) {
    const lines = new Map<number, number>();
    for (const [k, loc] of Object.entries(cov.statementMap)) lines.set(loc.start.line, cov.s[k]);
    out.set(file, lines);
  }
  return out;
}

const where = (f: SourceFunction, line: number): string =>
  `${path.relative(ROOT, f.file)}:${line} (${f.name || 'anonymous'}, ${path.basename(f.bundle)})`;

/** What c8 and V8 say of one CLI run under coverage. */
interface Measured {
  dir: string;
  functions: SourceFunction[];
  report: Record<string, FileCoverage>;
  hits: Map<string, Map<number, number>>;
}

/** Runs the CLI under NODE_V8_COVERAGE, then `c8 report` over that run alone, with the repository's .c8rc.json. */
async function measure(dir: string, args: string[]): Promise<Measured> {
  const v8 = path.join(dir, 'v8');
  const run = await runCli(args, { env: { NODE_V8_COVERAGE: v8 } });
  assert.ok(run.code === 0 || run.code === 2, run.stderr);
  const env = { ...process.env };
  delete env.NODE_V8_COVERAGE;
  const out = path.join(dir, 'report');
  const c8 = spawnSync(
    process.execPath,
    [
      path.join(ROOT, 'node_modules/c8/bin/c8.js'),
      'report',
      `--temp-directory=${v8}`,
      `--report-dir=${out}`,
      '--reporter=json',
      '--all=false',
      '--check-coverage=false',
    ],
    { cwd: ROOT, env, encoding: 'utf8' },
  );
  assert.equal(c8.status, 0, c8.stderr);
  const report = JSON.parse(readFileSync(path.join(out, 'coverage-final.json'), 'utf8')) as Record<
    string,
    FileCoverage
  >;
  const hits = lineHits(report);
  // esbuild's lazy module wrappers (`"lib/x.ts"() {...}`) are glue, not functions of the sources.
  const functions = bundleFunctions(v8, BUNDLES).filter(
    (f) => hits.has(f.file) && !f.name.endsWith('.ts') && /^(lib|cmd)\//.test(path.relative(ROOT, f.file)),
  );
  return { dir: v8, functions, report, hits };
}

/** Functions V8 ran: their first lines must be counted covered. */
function firstLinesUncovered(m: Measured, ran: SourceFunction[]): string[] {
  return ran.filter((f) => !(m.hits.get(f.file)!.get(f.line)! > 0)).map((f) => where(f, f.line));
}

describe('coverage measurement (c8 over the built CLI)', function () {
  this.timeout(120000);
  let tmp: string;
  /** The pre-commit case: one thread, the main bundle alone. */
  let inline: Measured;
  /** Enough objects that the run moves to a worker (lib/evaluation/start.ts, INLINE_BUDGET_MS). */
  let workers: Measured;

  before(async () => {
    tmp = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-coverage-'));
    inline = await measure(path.join(tmp, 'inline'), ['check', '-f', 'manifests/examples/api.yaml']);
    workers = await measure(path.join(tmp, 'workers'), [
      'check',
      '-R',
      '-f',
      fixture('corpus', 'kubernetes-examples'),
      '--workers',
      '1',
    ]);
  });

  after(() => rmSync(tmp, { recursive: true, force: true }));

  it('counts every line of a function V8 never ran as uncovered', () => {
    const never = inline.functions.filter((f) => f.count === 0 && f.endLine > f.line + 1);
    assert.ok(never.length > 500, `only ${never.length} functions never ran`);
    const wrong = never.filter((f) => inline.hits.get(f.file)!.get(f.line + 1) !== 0).map((f) => where(f, f.line + 1));
    assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} lines of functions that never ran counted as covered`);
  });

  it('counts the first line of a function V8 ran as covered', () => {
    const ran = inline.functions.filter((f) => f.count > 0);
    assert.ok(ran.length > 500, `only ${ran.length} functions ran`);
    const wrong = firstLinesUncovered(inline, ran);
    assert.deepEqual(wrong.slice(0, 10), [], `${wrong.length} first lines of functions that ran counted as uncovered`);
  });

  it('counts what the evaluation worker ran, from its own file and map', () => {
    assert.ok(readdirSync(workers.dir).length >= 2, 'one coverage file per thread');
    const ran = workers.functions.filter((f) => f.bundle.endsWith('evaluator-worker.cjs') && f.count > 0);
    assert.ok(ran.length > 20, `${ran.length} functions of the worker bundle ran`);
    assert.deepEqual(firstLinesUncovered(workers, ran).slice(0, 10), []);
    // lib/evaluation/worker.ts is in the worker bundle only.
    const worker = workers.report[path.join(ROOT, 'lib/evaluation/worker.ts')];
    assert.ok(worker && Object.keys(worker.branchMap).length > 0 && Object.keys(worker.fnMap).length > 0);
    const unused = workers.functions.filter(
      (f) => f.file.endsWith('/lib/evaluation/worker.ts') && f.count === 0 && f.endLine > f.line + 1,
    );
    assert.ok(unused.length > 0);
    assert.deepEqual(
      unused.filter((f) => workers.hits.get(f.file)!.get(f.line + 1) !== 0).map((f) => where(f, f.line + 1)),
      [],
    );
  });

  it('reports branches and functions of the bundled files, and only files of lib/ and cmd/', () => {
    const files = Object.keys(inline.report).map((f) => path.relative(ROOT, f));
    assert.deepEqual(
      files.filter((f) => !/^(lib|cmd)\/.*\.ts$/.test(f)),
      [],
    );
    assert.ok(!files.some((f) => f.endsWith('/types.ts')));
    // c8 counts named functions only: cmd/cli.ts has arrows alone.
    assert.ok(Object.keys(inline.report[path.join(ROOT, 'cmd/cli.ts')].branchMap).length > 0);
    assert.ok(Object.keys(inline.report[path.join(ROOT, 'cmd/main.ts')].fnMap).length > 0);
  });

  it('loads a file of lib/ once in the mocha process, whether a test imports it statically or with import()', () => {
    // A .ts spec of an ES-module package, as the repository's are, which mocha require()s first: with tsx's
    // CommonJS hook that gave two copies of the module.
    writeFileSync(path.join(tmp, 'package.json'), '{"type":"module"}\n');
    const spec = path.join(tmp, 'one-copy.test.ts');
    const lib = JSON.stringify(path.join(ROOT, 'lib/base/user-error.ts'));
    writeFileSync(
      spec,
      `import { strict as assert } from 'node:assert';\nimport { UserError } from ${lib};\n` +
        `it('one copy', async () => assert.equal((await import(${lib})).UserError, UserError));\n`,
    );
    const r = spawnSync(
      process.execPath,
      [path.join(ROOT, 'node_modules/mocha/bin/mocha.js'), '--config', path.join(ROOT, '.mocharc.cjs'), spec],
      { cwd: ROOT, encoding: 'utf8' },
    );
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
});
