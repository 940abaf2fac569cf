import type { JsonPatchOperation } from '../../kube/admission-review';
import type { Operation } from '../../kube/admission-review';
import type { RenderSpec } from '../../manifests';

export const SUITE_API_VERSION = 'wasmpolicy.kubewarden.io/v1alpha1';
export const SUITE_KIND = 'PolicyTestSuite';
/** Directories are searched for files of this name, and for any YAML file whose `kind` is PolicyTestSuite. */
export const SUITE_FILE_NAME = 'wasmpolicy-test.yaml';

/** What a case expects of one object × policy: the verdicts of check, `mutate` for admitted with a patch. */
export type Expected = 'pass' | 'fail' | 'warn' | 'skip' | 'mutate' | 'error';
export const EXPECTATIONS: readonly Expected[] = ['pass', 'fail', 'warn', 'skip', 'mutate', 'error'];

/** Where something is written in a suite file, for messages. */
export interface Place {
  file: string;
  line: number;
}

/** A message expectation: a substring, or a regular expression written `/.../flags`. */
export type MessageMatcher = { kind: 'substring'; text: string } | { kind: 'regex'; source: string; re: RegExp };

export interface Expectation {
  expect?: Expected;
  message?: MessageMatcher;
  /** mutate: the RFC 6902 patch, exactly. */
  patch?: JsonPatchOperation[];
  /** mutate: the object after the patch (compared as JSON). */
  mutated?: unknown;
}

/** An expectation for some of a case's results: the objects `object` names (Kind[/namespace]/name) and `policy`. */
export interface ResultExpectation extends Expectation {
  object?: string;
  policy?: string;
  place: Place;
}

/** A policy of the suite, as -p takes it, or every policy of a configuration file (policies.yml, policy resources). */
export type SuitePolicy =
  | {
      kind: 'ref';
      name: string;
      module: string;
      settings: Record<string, unknown>;
      executionMode?: string;
      place: Place;
    }
  | { kind: 'config'; path: string; place: Place };

export interface TestCase {
  name: string;
  place: Place;
  /** Manifest files and directories (relative to the suite file). */
  files: string[];
  render: RenderSpec[];
  /** Names of suite policies; empty: all of them. */
  policies: string[];
  /** Settings for the case's policies given by reference (overriding the suite's). */
  settings?: Record<string, unknown>;
  operation: Operation;
  oldFiles: string[];
  user?: string;
  groups?: string[];
  namespace?: string;
  namespaceLabels: Record<string, Record<string, string>>;
  /** A kwctl host-capabilities session to replay (relative to the suite file). */
  session?: string;
  /** The default for every object × policy of the case; `results` refine it. */
  expectation: Expectation;
  results: ResultExpectation[];
  /** Whether the case says anything at all about the results (`--update` fills in those that do not). */
  hasExpectations: boolean;
}

export interface Suite {
  file: string;
  name: string;
  policies: SuitePolicy[];
  cases: TestCase[];
}

/** A suite that cannot run: the file, the line and what is wrong. */
export class SuiteError extends Error {
  override name = 'SuiteError';
  constructor(
    readonly place: Place,
    readonly reason: string,
  ) {
    super(`${place.file}:${place.line}: ${reason}`);
  }
}
