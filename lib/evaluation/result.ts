import type { JsonPatchOperation } from '../kube/admission-review';
import type { KubeObject, SourceLocation } from '../manifests/types';

/** pass: admitted (possibly with a patch); fail: rejected; warn: admitted with warnings or rejected in monitor mode. */
export type Verdict = 'pass' | 'fail' | 'warn' | 'skip' | 'error';

export interface ObjectRef {
  apiVersion: string;
  kind: string;
  name?: string;
  namespace?: string;
}

/** One object × one policy, or one input problem (then `policy` is absent). */
export interface Result {
  source: SourceLocation;
  object?: ObjectRef;
  policy?: string;
  verdict: Verdict;
  message?: string;
  code?: number;
  /** RFC 6902 patch the policy's mutation produces (also on monitor-mode results, as information). */
  patch?: JsonPatchOperation[];
  warnings?: string[];
  /** Further causes (custom messages keep the policy's own text here). */
  causes?: string[];
  /**
   * Where the field the result is about is written (a mutation's first patched path, or the container/volume
   * the message names), when it could be located in the input. `source` stays where the object starts.
   */
  location?: FieldLocation;
  /**
   * The object state the verdict was given on, when the API-server stage ran: `mutating` (after defaulting and
   * the built-in plugins, patched by the mutating policies before) or `validating` (the final object).
   */
  stage?: 'mutating' | 'validating';
  /** The field an input error is about (not shown in documents: it becomes `location`). */
  fieldPath?: (string | number)[];
}

/** A field's own position in the input file. */
export interface FieldLocation {
  /** 1-based line and column (UTF-16 code units) in `source.file`. */
  line: number;
  column: number;
  /** JSON pointer, relative to the object, of the field located (the longest existing prefix of the one asked for). */
  path: string;
}

/** What every result about one object × policy (or unit) starts from. */
export type ResultBase = Pick<Result, 'source' | 'object' | 'policy'>;

/**
 * Results are made by `new` on a plain function whose prototype is `Object.prototype`: to every reader (JSON,
 * deep equality, spread) a result is the plain object a literal would be. What differs is its size. V8 gives a
 * literal room for its own four properties only, so the `stage` set on almost every result afterwards went into a
 * separate property array (40 of a result's 96 bytes); objects made by `new` keep in-object room for the
 * properties their first instances received (slack tracking), and the instance below teaches it `message` and
 * `stage`: 72 bytes a result, 24 MB less per 1,000,000 results (50,000 objects). Copies by spread
 * (`{ ...base, verdict }`) are avoided for the reason they were before: each got a hidden class of its own
 * (180,000 at 20,000 objects, measured in a heap snapshot).
 */
const ResultObject = function (this: Result, b: ResultBase, verdict: Verdict) {
  this.source = b.source;
  this.object = b.object;
  this.policy = b.policy;
  this.verdict = verdict;
} as unknown as new (b: ResultBase, verdict: Verdict) => Result;
ResultObject.prototype = Object.prototype;
{
  // V8 fixes the instance size after its first few constructions: this one, made first, reserves the room.
  const first = new ResultObject({ source: { file: '', line: 0, docIndex: 0 } }, 'pass');
  first.message = '';
  first.stage = 'validating';
}

/** A result about one object × policy, always of one shape (see ResultObject). */
export function newResult(b: ResultBase, verdict: Verdict, message?: string, code?: number): Result {
  const r = new ResultObject(b, verdict);
  if (message !== undefined) r.message = message;
  if (code !== undefined) r.code = code;
  return r;
}

export interface PolicySummary {
  id: string;
  module: string;
  title?: string;
  /** From the policy metadata annotations (io.kubewarden.policy.description, .severity, .url, .category, .version). */
  description?: string;
  severity?: string;
  url?: string;
  category?: string;
  version?: string;
  mode: string;
  mutating: boolean;
  sha256: string;
}

export interface Summary {
  objects: number;
  policies: number;
  pass: number;
  fail: number;
  warn: number;
  skip: number;
  error: number;
  mutated: number;
}

export interface Report {
  results: Result[];
  policies: PolicySummary[];
  summary: Summary;
  /**
   * Not part of the serialised report: the object a result was evaluated on, as read, for reporters that
   * show it (the text reporter's mutation diffs, the policy reports' uid).
   */
  original?: (r: Result) => KubeObject | undefined;
  /** Not serialised: the policy resource a unit was read from, for the PolicyReport properties audit-scanner writes. */
  policyResource?: (policyId: string) => PolicyResourceInfo | undefined;
  /**
   * Not serialised: audit-scanner's `summary.skip` of an object's report, the policies it skipped in the object's
   * scope (its namespace, or cluster-wide); without it, skip results are counted.
   */
  skippedPolicies?: (object: ObjectRef) => number;
}

/** What a PolicyReport says about the policy resource behind a result (audit-scanner's computeProperties). */
export interface PolicyResourceInfo {
  name: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  contextAware: boolean;
}

export function summarize(results: Result[], objects: number, policies: number): Summary {
  const s: Summary = { objects, policies, pass: 0, fail: 0, warn: 0, skip: 0, error: 0, mutated: 0 };
  for (const r of results) {
    s[r.verdict]++;
    if (r.patch && r.verdict === 'pass') s.mutated++;
  }
  return s;
}
