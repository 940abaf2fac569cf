import { promises as fs } from 'node:fs';
import { discoverSuites } from './discover';
import { executeSuite, type CaseOutcome, type ExecuteOptions } from './execute';
import { parseSuite } from './parse';
import { SuiteError, type Place } from './types';
import { writeActuals } from './update';

export { SUITE_FILE_NAME, SUITE_KIND, SUITE_API_VERSION, SuiteError } from './types';
export type { CaseOutcome } from './execute';

export interface SuiteOutcome {
  file: string;
  name: string;
  cases: CaseOutcome[];
  /** The suite could not be read: where and why. */
  error?: { place: Place; reason: string };
  /** `--update`: cases filled in. */
  updated?: number;
  durationMs: number;
}

export interface TestReport {
  suites: SuiteOutcome[];
  summary: {
    suites: number;
    cases: number;
    passed: number;
    failed: number;
    errors: number;
    brokenSuites: number;
    updated: number;
  };
}

export interface TestOptions extends ExecuteOptions {
  /** `--run REGEX`: only the cases whose `suite/case` name matches. */
  run?: RegExp;
  /** `--update`: write the actual results into cases that expect nothing yet. */
  update?: boolean;
}

/** `test`: finds the suites under `paths`, runs their cases and, with `update`, writes results into new cases. */
export async function runTests(paths: readonly string[], opts: TestOptions): Promise<TestReport> {
  const { files, problems } = await discoverSuites(paths);
  const suites: SuiteOutcome[] = problems.map((p) => ({
    file: p.path,
    name: p.path,
    cases: [],
    error: { place: { file: p.path, line: 0 }, reason: p.reason },
    durationMs: 0,
  }));
  for (const file of files) suites.push(await runSuiteFile(file, opts));
  const cases = suites.flatMap((s) => s.cases);
  return {
    suites,
    summary: {
      suites: suites.length,
      cases: cases.length,
      passed: cases.filter((c) => c.status === 'pass').length,
      failed: cases.filter((c) => c.status === 'fail').length,
      errors: cases.filter((c) => c.status === 'error').length,
      brokenSuites: suites.filter((s) => s.error).length,
      updated: suites.reduce((n, s) => n + (s.updated ?? 0), 0),
    },
  };
}

async function runSuiteFile(file: string, opts: TestOptions): Promise<SuiteOutcome> {
  const started = Date.now();
  let text: string;
  try {
    text = await fs.readFile(file, 'utf8');
  } catch (err) {
    return {
      file,
      name: file,
      cases: [],
      error: { place: { file, line: 0 }, reason: `cannot read: ${(err as Error).message}` },
      durationMs: 0,
    };
  }
  let parsed;
  try {
    parsed = parseSuite(file, text);
  } catch (err) {
    if (err instanceof SuiteError)
      return {
        file,
        name: file,
        cases: [],
        error: { place: err.place, reason: err.reason },
        durationMs: Date.now() - started,
      };
    throw err;
  }
  const { suite, doc, caseNodes } = parsed;
  const selected = suite.cases.filter((c) => !opts.run || opts.run.test(`${suite.name}/${c.name}`));
  const outcomes = selected.length > 0 ? await executeSuite(suite, selected, opts) : [];
  const out: SuiteOutcome = { file, name: suite.name, cases: outcomes, durationMs: Date.now() - started };
  if (opts.update) {
    try {
      out.updated = await writeActuals(
        file,
        text,
        doc,
        outcomes.map((o) => ({ outcome: o, node: caseNodes[suite.cases.indexOf(o.case)] })),
      );
    } catch (err) {
      out.error = { place: { file, line: 0 }, reason: `--update: ${(err as Error).message}` };
    }
  }
  return out;
}

/** 2 when a suite or case could not run, else 1 when a case failed, else 0. */
export function testExitCode(r: TestReport): number {
  if (r.summary.brokenSuites > 0 || r.summary.errors > 0) return 2;
  return r.summary.failed > 0 ? 1 : 0;
}
