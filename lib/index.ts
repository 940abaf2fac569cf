/**
 * kubectl-wasmpolicy as a library: the use cases behind `check` and `audit`, what they take (manifests, policies) and
 * what they give (a Report, rendered by the reporters). The CLI (cmd/) imports the layers directly, one command's
 * share at a time; other programs import this file. docs/architecture.md describes the layers below it.
 */
export { runCheck, type CheckOptions } from './check/run';
export { runAudit, type AuditOptions } from './audit/run';
export { parseShard, type Shard } from './audit/shard';

export {
  readManifests,
  streamManifests,
  DEFAULT_LIMITS,
  type InputLimits,
  type ManifestReadOptions,
  type ManifestEntry,
  type ManifestObject,
} from './manifests';
export type { KubeObject } from './kube/object';

export type { PolicyEntry, PolicySpec, PolicyGroupSpec, PolicyMode } from './policy/spec';
export { readPolicyConfig, PolicyConfigError, type PolicyConfigOptions } from './policy/config';
export { policiesFromRefs } from './policy/from-flags';
export { bundledPolicySet } from './policy/bundled';
export { resolvePolicy, PolicyFetchError, type FetchOptions, type ResolvedPolicy } from './store/fetch';
export { PolicyLoadError } from './wasm/compile';
export { DEFAULT_EVALUATION_LIMITS, type EvaluationLimits } from './wasm/limits';
export { DEFAULT_USER, type RequestOptions } from './admission/request';

export type { Report, Result, Verdict, Summary, PolicySummary } from './evaluation/result';
export {
  REPORTERS,
  exitCode,
  parseOutputs,
  writeOutputs,
  reportDocument,
  type OutputSpec,
  type Reporter,
  type ReporterOptions,
} from './report';

export { createLogger, silentLogger, type Logger, type LogLevel } from './base/log';
export { UserError, isUserError } from './base/user-error';
