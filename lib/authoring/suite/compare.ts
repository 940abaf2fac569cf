import { isDeepStrictEqual } from 'node:util';
import * as jsyaml from 'js-yaml';
import { applyPatch } from '../../kube/json-patch';
import type { KubeObject } from '../../manifests';
import { unifiedDiff } from '../../report/diff';
import type { Result } from '../../evaluation/result';
import type { Expectation, Expected, MessageMatcher, Place, ResultExpectation, TestCase } from './types';

/** One expectation a result did not meet. */
export interface Failure {
  /** The case's line, or the line of the results entry the expectation came from. */
  place: Place;
  object: string;
  policy: string;
  expected: string;
  actual: string;
  /** The result's message, if any. */
  message?: string;
  /** A unified diff (expected → actual) of patches or mutated objects, lines prefixed with ' ', '-', '+'. */
  diff?: string[];
}

/** The verdict a suite speaks of: `mutate` is an admission with a patch. */
export function actualOf(r: Result): Expected {
  return r.verdict === 'pass' && r.patch && r.patch.length > 0 ? 'mutate' : r.verdict;
}

/** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects. */
export function objectKey(r: Result): string {
  const o = r.object;
  if (!o) return `${r.source.file}:${r.source.line}`;
  return [o.kind, o.namespace, o.name ?? '(no name)'].filter((p) => p !== undefined).join('/');
}

/** Whether a results entry's `object` (Kind/name or Kind/namespace/name) names the result's object. */
function objectMatches(sel: string, r: Result): boolean {
  const key = objectKey(r);
  if (sel === key) return true;
  const o = r.object;
  return o !== undefined && sel === `${o.kind}/${o.name ?? ''}`;
}

/** The expectation that applies to a result: the first results entry naming it, else the case's own. */
function expectationFor(
  c: TestCase,
  r: Result,
): { e: Expectation; place: Place; entry?: ResultExpectation } | undefined {
  for (const x of c.results) {
    if ((x.object === undefined || objectMatches(x.object, r)) && (x.policy === undefined || x.policy === r.policy))
      return { e: x, place: x.place, entry: x };
  }
  return c.expectation.expect !== undefined ? { e: c.expectation, place: c.place } : undefined;
}

/** Checks a case's results against its expectations; `original` gives the object a result was evaluated on. */
export function compareCase(
  c: TestCase,
  results: readonly Result[],
  original: (r: Result) => KubeObject | undefined,
): Failure[] {
  const failures: Failure[] = [];
  const used = new Set<ResultExpectation>();
  const evaluated = results.filter((r) => r.policy !== undefined || r.verdict === 'error');
  if (c.hasExpectations && evaluated.length === 0) {
    failures.push({
      place: c.place,
      object: '-',
      policy: '-',
      expected: c.expectation.expect ?? 'results',
      actual: 'no objects',
      message: 'the resources of the case hold no objects',
    });
  }
  for (const r of evaluated) {
    const found = expectationFor(c, r);
    if (!found) continue;
    if (found.entry) used.add(found.entry);
    const f = check(found.e, r, original(r));
    if (f) failures.push({ place: found.place, object: objectKey(r), policy: r.policy ?? '(input)', ...f });
  }
  for (const x of c.results) {
    if (!used.has(x))
      failures.push({
        place: x.place,
        object: x.object ?? '*',
        policy: x.policy ?? '*',
        expected: x.expect!,
        actual: 'no such result',
        message: 'no object × policy of the case matches this entry',
      });
  }
  return failures;
}

function check(
  e: Expectation,
  r: Result,
  before: KubeObject | undefined,
): Omit<Failure, 'place' | 'object' | 'policy'> | undefined {
  const actual = actualOf(r);
  const base = { expected: e.expect!, actual, ...(r.message !== undefined ? { message: r.message } : {}) };
  if (actual !== e.expect) return base;
  if (e.message && !matches(e.message, r.message ?? ''))
    return {
      ...base,
      expected: `${e.expect} with message ${describeMatcher(e.message)}`,
      actual: `${actual} with message ${JSON.stringify(r.message ?? '')}`,
    };
  if (e.patch !== undefined && !isDeepStrictEqual(e.patch, r.patch ?? [])) {
    return {
      ...base,
      expected: 'mutate with the patch of the suite',
      actual: 'mutate with another patch',
      diff: yamlDiff(e.patch, r.patch ?? []),
    };
  }
  if (e.mutated !== undefined) {
    let after: unknown;
    try {
      after = applyPatch(structuredClone(before), [...(r.patch ?? [])]);
    } catch (err) {
      return { ...base, actual: `a patch that does not apply: ${(err as Error).message}` };
    }
    if (!isDeepStrictEqual(JSON.parse(JSON.stringify(e.mutated)), after))
      return {
        ...base,
        expected: 'mutate to the object of the suite',
        actual: 'mutate to another object',
        diff: yamlDiff(e.mutated, after),
      };
  }
  return undefined;
}

export function matches(m: MessageMatcher, text: string): boolean {
  return m.kind === 'substring' ? text.includes(m.text) : m.re.test(text);
}

function describeMatcher(m: MessageMatcher): string {
  return m.kind === 'substring' ? `containing ${JSON.stringify(m.text)}` : `matching ${m.source}`;
}

function yamlDiff(expected: unknown, actual: unknown): string[] {
  const lines = (v: unknown): string[] =>
    jsyaml.dump(v, { noRefs: true, lineWidth: -1 }).replace(/\n$/, '').split('\n');
  return unifiedDiff(lines(expected), lines(actual)).map((l) => (l.kind === '@' ? l.text : `${l.kind}${l.text}`));
}
