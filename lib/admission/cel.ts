import type { AdmissionRequest } from '../kube/admission-review';

/**
 * CEL for webhook `matchConditions`, as the API server evaluates them (k8s.io/apiserver
 * `admission/plugin/webhook/matchconditions`): variables `object`, `oldObject`, `request` and
 * `namespaceObject`; every condition must evaluate to a bool. Backed by @marcbachmann/cel-js (docs/decisions.md),
 * used by ./cel-compile.ts only: evaluating compiled conditions (here) does not load it.
 *
 * Differences from the API server, documented in docs/policy-config.md:
 * - values are untyped JSON (the API server types `object` from the OpenAPI schema): JSON integers become CEL
 *   `int`, other numbers `double`; comparisons between the two work, as in Kubernetes' CEL.
 * - `authorizer` and `authorizer.requestResource` cannot be evaluated without a cluster: an expression that uses
 *   them fails at evaluation time, and `failurePolicy` decides.
 * - `namespaceObject` is declared but null, as the API server leaves it for webhook match conditions.
 * - Kubernetes' extension libraries are partly available: the string functions of cel-go's strings extension,
 *   `matches` (ECMAScript regular expressions, not RE2), optionals (`?.`, `orValue`), plus the Kubernetes list
 *   and regex helpers registered below; `url()`, `ip()`, `cidr()`, `quantity()`, `semver()` and `format()` are not.
 * - no cost budget: limits are structural (AST size and depth).
 */

export interface MatchCondition {
  name: string;
  expression: string;
}

/** A condition compiled once and evaluated per request. */
export interface CompiledCondition {
  name: string;
  expression: string;
  run(activation: CelActivation): unknown;
}

export interface CelActivation {
  object: unknown;
  oldObject: unknown;
  request: unknown;
  namespaceObject: unknown;
  authorizer: unknown;
}

/** The API server's limit per webhook (and Kubewarden's CRD validation). */
export const MAX_MATCH_CONDITIONS = 64;

/** Expressions that call the authorizer library, which cannot run without a cluster. */
export const AUTHORIZER = /\bauthorizer\b/;

export function firstLine(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.split('\n')[0].trim();
}

/** JSON → CEL values: integers become `int` (bigint), objects and arrays are copied through. */
export function toCel(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCel);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) out[k] = toCel(x);
    return out;
  }
  return v;
}

/** The `request` variable: the AdmissionRequest without uid, object and oldObject, absent strings as "". */
export function celRequest(r: AdmissionRequest): unknown {
  return toCel({
    kind: r.kind,
    resource: r.resource,
    subResource: r.subResource ?? '',
    requestKind: r.requestKind ?? r.kind,
    requestResource: r.requestResource ?? r.resource,
    requestSubResource: r.requestSubResource ?? '',
    name: r.name ?? '',
    namespace: r.namespace ?? '',
    operation: r.operation,
    userInfo: {
      username: r.userInfo.username,
      uid: r.userInfo.uid ?? '',
      groups: r.userInfo.groups ?? [],
      extra: r.userInfo.extra ?? {},
    },
    dryRun: r.dryRun ?? false,
    options: r.options ?? null,
  });
}

const activations = new WeakMap<AdmissionRequest, CelActivation>();

/** The variables for one request; converted once and shared by every policy whose conditions look at it. */
export function activationFor(r: AdmissionRequest): CelActivation {
  const known = activations.get(r);
  if (known) return known;
  const a: CelActivation = {
    object: r.object === undefined ? null : toCel(r.object),
    oldObject: r.oldObject === undefined ? null : toCel(r.oldObject),
    request: celRequest(r),
    namespaceObject: null,
    authorizer: null,
  };
  activations.set(r, a);
  return a;
}

/** The outcome of a webhook's match conditions (matchconditions/matcher.go). */
export type ConditionsOutcome =
  { kind: 'match' } | { kind: 'no-match'; condition: string } | { kind: 'error'; errors: string[] };

/**
 * Evaluates every condition: any false → no match (even if others failed); otherwise any error → error;
 * otherwise match. The caller applies the failure policy to an error.
 */
export function evaluateConditions(conditions: CompiledCondition[], activation: CelActivation): ConditionsOutcome {
  const errors: string[] = [];
  for (const c of conditions) {
    let value: unknown;
    try {
      value = c.run(activation);
    } catch (err) {
      const hint = AUTHORIZER.test(c.expression) ? ' (authorizer checks cannot be evaluated without a cluster)' : '';
      errors.push(`matchConditions[${c.name}]: ${firstLine(err)}${hint}`);
      continue;
    }
    if (value === false) return { kind: 'no-match', condition: c.name };
    if (value !== true)
      errors.push(`matchConditions[${c.name}]: expression must evaluate to bool, got ${describeCel(value)}`);
  }
  return errors.length > 0 ? { kind: 'error', errors } : { kind: 'match' };
}

function describeCel(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (Array.isArray(v)) return 'list';
  return typeof v === 'object' ? 'map' : typeof v;
}
