import { promises as fs } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as jsyaml from 'js-yaml';
import { DEFAULT_USER } from '../../admission/request';
import { readSession } from '../../capabilities/session';
import { runCheck } from '../../check/run';
import type { Logger, LogLevel } from '../../base/log';
import { checkRenderTools, type InputLimits, type KubeObject } from '../../manifests';
import type { PolicyEntry, PolicySpec } from '../../policy/spec';
import type { Result } from '../../evaluation/result';
import type { FetchOptions } from '../../store/fetch';
import type { EvaluationLimits } from '../../wasm/limits';
import type { ExecutionMode } from '../../wasm/metadata';
import { compareCase, type Failure } from './compare';
import type { Suite, TestCase } from './types';

export type CaseStatus = 'pass' | 'fail' | 'error';

export interface CaseOutcome {
  suite: Suite;
  case: TestCase;
  status: CaseStatus;
  failures: Failure[];
  /** Why the case could not run (status error). */
  error?: string;
  /** The case's results, for --update and -o json. */
  results: Result[];
  original: (r: Result) => KubeObject | undefined;
  durationMs: number;
}

export interface ExecuteOptions {
  log: Logger;
  logLevel?: LogLevel;
  workers: number;
  fetch?: FetchOptions;
  limits?: InputLimits;
  evaluationLimits?: EvaluationLimits;
}

/**
 * Runs the cases of a suite through `check`'s own evaluation (lib/check.ts): cases that share policies, settings,
 * operation, user and stored objects run in one check of all their files, each result going to the case whose
 * file it came from; rendered inputs, sessions and namespace labels run alone.
 */
export async function executeSuite(
  suite: Suite,
  cases: readonly TestCase[],
  opts: ExecuteOptions,
): Promise<CaseOutcome[]> {
  const config = await loadConfigPolicies(suite, opts);
  const batches = new Map<string, TestCase[]>();
  for (const c of cases) {
    const alone = c.render.length > 0 || c.session !== undefined || Object.keys(c.namespaceLabels).length > 0;
    const key = alone
      ? `alone:${c.name}`
      : JSON.stringify([
          c.policies,
          c.settings ?? null,
          c.operation,
          c.oldFiles,
          c.user ?? null,
          c.groups ?? null,
          c.namespace ?? null,
        ]);
    batches.set(key, [...(batches.get(key) ?? []), c]);
  }
  const outcomes = new Map<TestCase, CaseOutcome>();
  for (const batch of batches.values()) {
    for (const o of await runBatch(suite, batch, config, opts)) outcomes.set(o.case, o);
  }
  return cases.map((c) => outcomes.get(c)!);
}

type ConfigPolicies = { entries: PolicyEntry[] } | { error: string };

async function loadConfigPolicies(suite: Suite, opts: ExecuteOptions): Promise<ConfigPolicies> {
  const files = suite.policies.flatMap((p) => (p.kind === 'config' ? [p.path] : []));
  if (files.length === 0) return { entries: [] };
  try {
    const { readPolicyConfig } = await import('../../policy/config');
    return {
      entries: await readPolicyConfig(files, { log: opts.log, ...(opts.limits ? { limits: opts.limits } : {}) }),
    };
  } catch (err) {
    return { error: (err as Error).message };
  }
}

/** The policies a case runs: the suite's named ones (all when it names none), with the case's settings. */
function policiesFor(suite: Suite, c: TestCase, config: PolicyEntry[]): PolicyEntry[] {
  const out: PolicyEntry[] = [];
  for (const p of suite.policies) {
    if (p.kind === 'config') {
      out.push(...config.filter((e) => c.policies.length === 0 || c.policies.includes(e.id)));
      continue;
    }
    if (c.policies.length > 0 && !c.policies.includes(p.name)) continue;
    const spec: PolicySpec = {
      id: p.name,
      module: p.module,
      settings: c.settings ?? p.settings,
      mode: 'protect',
      origin: `${suite.file}:${p.place.line}`,
    };
    if (p.executionMode) spec.executionMode = p.executionMode as ExecutionMode;
    out.push(spec);
  }
  // A case may name a policy of a configuration file: keep the suite order, without duplicates.
  return out.filter((e, i) => out.findIndex((x) => x.id === e.id) === i);
}

async function runBatch(
  suite: Suite,
  batch: TestCase[],
  config: ConfigPolicies,
  opts: ExecuteOptions,
): Promise<CaseOutcome[]> {
  const first = batch[0];
  const started = Date.now();
  const fail = (error: string): CaseOutcome[] =>
    batch.map((c) => ({
      suite,
      case: c,
      status: 'error',
      failures: [],
      error,
      results: [],
      original: () => undefined,
      durationMs: Date.now() - started,
    }));
  if ('error' in config) return fail(config.error);
  const policies = policiesFor(suite, first, config.entries);
  const unknown = first.policies.filter((n) => !policies.some((p) => p.id === n));
  if (unknown.length > 0)
    return fail(
      `no policy named ${unknown.join(', ')} in the suite; its policies: ${policiesFor(
        suite,
        { ...first, policies: [] },
        config.entries,
      )
        .map((p) => p.id)
        .join(', ')}`,
    );
  if (policies.length === 0) return fail('the case selects no policy');
  const files = [...new Set(batch.flatMap((c) => c.files))];
  let labelsFile: string | undefined;
  try {
    if (Object.keys(first.namespaceLabels).length > 0) {
      labelsFile = await writeNamespaces(first.namespaceLabels);
      files.push(labelsFile);
    }
    // A missing kubectl or helm is named, as check -k / --helm name it.
    if (first.render.length > 0) checkRenderTools(first.render);
    const replay =
      first.session !== undefined ? { file: first.session, exchanges: await readSession(first.session) } : undefined;
    const report = await runCheck({
      files,
      ...(first.render.length > 0 ? { render: first.render } : {}),
      recursive: true,
      policies,
      ...(first.oldFiles.length > 0 ? { oldFiles: first.oldFiles } : {}),
      request: {
        operation: first.operation,
        userInfo: { username: first.user ?? DEFAULT_USER.username, groups: first.groups ?? DEFAULT_USER.groups },
        ...(first.namespace !== undefined ? { defaultNamespace: first.namespace } : {}),
      },
      ...(opts.limits ? { limits: opts.limits } : {}),
      ...(opts.evaluationLimits ? { evaluationLimits: opts.evaluationLimits } : {}),
      workers: opts.workers,
      log: opts.log,
      ...(opts.logLevel ? { logLevel: opts.logLevel } : {}),
      ...(opts.fetch ? { fetch: opts.fetch } : {}),
      ...(replay ? { hostCapabilities: { replay } } : {}),
    });
    const original = report.original ?? (() => undefined);
    const durationMs = Date.now() - started;
    return batch.map((c): CaseOutcome => {
      const mine = report.results.filter(
        (r) => r.source.file !== labelsFile && (batch.length === 1 || belongsTo(r, c)),
      );
      // An input that cannot be read (a missing file, bad YAML) means the case cannot run, unless it expects so.
      const unreadable = mine.filter((r) => r.policy === undefined && r.verdict === 'error');
      if (unreadable.length > 0 && c.expectation.expect !== 'error') {
        const error = unreadable
          .map(
            (r) => `${r.source.file}${r.source.line > 0 ? `:${r.source.line}` : ''}: ${r.message ?? 'cannot be read'}`,
          )
          .join('; ');
        return { suite, case: c, status: 'error', failures: [], error, results: mine, original, durationMs };
      }
      const failures = compareCase(c, mine, original);
      return {
        suite,
        case: c,
        status: failures.length > 0 ? 'fail' : 'pass',
        failures,
        results: mine,
        original,
        durationMs,
      };
    });
  } catch (err) {
    return fail((err as Error).message);
  } finally {
    if (labelsFile) await fs.rm(path.dirname(labelsFile), { recursive: true, force: true });
  }
}

/** Whether a result came from one of the case's files (or directories). */
function belongsTo(r: Result, c: TestCase): boolean {
  return c.files.some((f) => r.source.file === f || r.source.file.startsWith(f.endsWith(path.sep) ? f : f + path.sep));
}

/** `namespaceLabels` as Namespace objects in a file of their own, which namespaceSelector reads as check does. */
async function writeNamespaces(labels: Record<string, Record<string, string>>): Promise<string> {
  const dir = await fs.mkdtemp(path.join(tmpdir(), 'wasmpolicy-test-'));
  const file = path.join(dir, 'namespaces.yaml');
  const docs = Object.entries(labels).map(([name, l]) =>
    jsyaml.dump({ apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: l } }),
  );
  await fs.writeFile(file, docs.join('---\n'));
  return file;
}
