import { createHash } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import {
  anyRuleMatches,
  selectWebhook,
  type EquivalentResource,
  type SelectionDecision,
  METADATA_NAME_LABEL,
} from '../admission/match';
import { applyPatch } from '../kube/json-patch';
import { ReinvocationContext, type ReinvocationPolicy } from '../admission/reinvocation';
import { webhookCallOrder } from '../admission/webhook-order';
import { postProcess } from '../admission/postprocess';
import { toAdmissionResponse, type EvaluatedResponse } from '../admission/response';
import type { SynthesizedRequest } from '../admission/request';
import { labelsOf } from '../kube/label-selector';
import type { AdmissionRequest } from '../kube/admission-review';
import type { KubeObject, SourceLocation } from '../manifests/types';
import { newResult, type ObjectRef, type PolicySummary, type Result } from './result';
import type { EvaluationPool } from '../wasm/pool/pool';
import type { RuntimeOutcome } from '../wasm/runtime';
import { groupResponse, parseGroupExpression, type GroupExpr } from '../policy/group';
import type { LoadedPolicy } from './load-policies';
import {
  evaluationDeadline,
  isGroup,
  memberId,
  type PolicyEntry,
  type PolicyGroupSpec,
  type PolicySpec,
  type WebhookSpec,
} from '../policy/spec';

/**
 * Evaluation units: what gets one result per object. A single policy is one unit; a policy group is one unit
 * whose members are loaded (and evaluated) as policies of their own.
 */
export type UnitPlan =
  | { kind: 'single'; spec: PolicySpec; index: number }
  | { kind: 'group'; spec: PolicyGroupSpec; indices: number[]; expr: GroupExpr };

export type EvaluationUnit =
  | {
      kind: 'single';
      id: string;
      spec: PolicySpec;
      policy: LoadedPolicy;
      webhook?: WebhookSpec;
      webhookDeadline: boolean;
    }
  | {
      kind: 'group';
      id: string;
      spec: PolicyGroupSpec;
      members: LoadedPolicy[];
      expr: GroupExpr;
      webhook?: WebhookSpec;
      webhookDeadline: boolean[];
    };

/** Flattens policies and groups into the policies to load, remembering which unit each belongs to. */
export function planUnits(entries: readonly PolicyEntry[]): { specs: PolicySpec[]; plans: UnitPlan[] } {
  const specs: PolicySpec[] = [];
  const plans: UnitPlan[] = [];
  for (const e of entries) {
    if (!isGroup(e)) {
      plans.push({ kind: 'single', spec: e, index: specs.length });
      specs.push(e);
      continue;
    }
    const indices: number[] = [];
    for (const m of e.members) {
      indices.push(specs.length);
      // Members run in protect mode, may not mutate and have no custom message (docs/host-interface.md §6.1).
      const spec: PolicySpec = {
        id: memberId(e.id, m.name),
        module: m.module,
        settings: m.settings,
        mode: 'protect',
        allowedToMutate: false,
        origin: `${e.origin}, member ${m.name}`,
      };
      if (m.timeoutEvalSeconds !== undefined) spec.timeoutEvalSeconds = m.timeoutEvalSeconds;
      if (m.contextAwareResources) spec.contextAwareResources = m.contextAwareResources;
      if (e.policyServerChecks) spec.policyServerChecks = true;
      if (e.sources) spec.sources = e.sources;
      // The group's webhook timeout bounds each member's evaluation too.
      if (e.webhook) spec.webhook = e.webhook;
      specs.push(spec);
    }
    plans.push({ kind: 'group', spec: e, indices, expr: parseGroupExpression(e.expression) });
  }
  return { specs, plans };
}

/** Units with their loaded policies; `defaultTimeoutMs` is --timeout (to know which deadline an evaluation runs under). */
export function bindUnits(
  plans: readonly UnitPlan[],
  loaded: readonly LoadedPolicy[],
  defaultTimeoutMs: number,
): EvaluationUnit[] {
  return plans.map((p): EvaluationUnit => {
    if (p.kind === 'single') {
      const unit: EvaluationUnit = {
        kind: 'single',
        id: p.spec.id,
        spec: p.spec,
        policy: loaded[p.index],
        webhookDeadline: evaluationDeadline(p.spec, defaultTimeoutMs).webhook,
      };
      if (p.spec.webhook) unit.webhook = p.spec.webhook;
      return unit;
    }
    const members = p.indices.map((i) => loaded[i]);
    const unit: EvaluationUnit = {
      kind: 'group',
      id: p.spec.id,
      spec: p.spec,
      members,
      expr: p.expr,
      webhookDeadline: members.map((m) => evaluationDeadline(m.spec, defaultTimeoutMs).webhook),
    };
    if (p.spec.webhook) unit.webhook = p.spec.webhook;
    return unit;
  });
}

/** The report's `policies` list: one line per unit. */
export function unitSummary(u: EvaluationUnit): PolicySummary {
  if (u.kind === 'single') {
    const p = u.policy;
    return {
      id: u.id,
      module: p.spec.module,
      ...(p.metadata.annotations['io.kubewarden.policy.title']
        ? { title: p.metadata.annotations['io.kubewarden.policy.title'] }
        : {}),
      mode: p.spec.mode,
      mutating: p.allowedToMutate,
      sha256: p.sha256,
    };
  }
  return {
    id: u.id,
    module: `group(${u.spec.expression})`,
    mode: u.spec.mode,
    mutating: false,
    sha256: createHash('sha256')
      .update(u.members.map((m) => m.sha256).join('\n'))
      .digest('hex'),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// One object against every unit.
// ---------------------------------------------------------------------------------------------------------------

/** Labels of a namespace, as namespaceSelector sees them. */
export interface NamespaceLabels {
  get(name: string): Record<string, string>;
}

/** Namespace labels for namespaceSelector: from Namespace objects of the input, else the automatic label only. */
export class NamespaceIndex implements NamespaceLabels {
  private readonly labels = new Map<string, Record<string, string>>();

  /** Later objects win; `fallback` objects (e.g. --old) only fill namespaces not seen in `objects`. */
  constructor(objects: Iterable<KubeObject> = [], fallback: Iterable<KubeObject> = []) {
    for (const o of fallback) this.add(o);
    for (const o of objects) this.add(o);
  }

  /** Learns `o` when it is a Namespace (over any earlier one of that name); returns whether it was. */
  add(o: KubeObject): boolean {
    const name = namespaceName(o);
    if (name) this.labels.set(name, { ...(labelsOf(o) ?? {}), [METADATA_NAME_LABEL]: name });
    return name !== undefined;
  }

  get(name: string): Record<string, string> {
    return this.labels.get(name) ?? { [METADATA_NAME_LABEL]: name };
  }
}

function namespaceName(o: KubeObject): string | undefined {
  return o.apiVersion === 'v1' && o.kind === 'Namespace' && typeof o.metadata?.name === 'string'
    ? o.metadata.name
    : undefined;
}

/**
 * An object after the API server's own steps (lib/apiserver/stage.ts): mutating policies see `synth` (or, in the
 * chain, the object as the mutating policies before them left it), validating policies the object the chain
 * leaves, after the steps that run between mutating and validating admission.
 */
export interface StagedObject {
  /** The object mutating policies see first. */
  object: KubeObject;
  /** The request for an object state (the object mutating admission has reached). */
  request(object: KubeObject): SynthesizedRequest;
  /**
   * The request validating policies see, built from the object mutating admission left; or why there is none.
   * `owned`: nothing reads `mutated` afterwards (the mutating requests built from it were answered), so it may
   * become that object itself instead of a copy.
   */
  validating(
    mutated: KubeObject,
    owned: boolean,
  ): SynthesizedRequest | { message: string; code: number; fieldPath?: (string | number)[] };
  /** false: each policy on the stage's object (`--independent`); true: mutating policies in webhook order, patching. */
  chain: boolean;
  /** The built-in mutating plugins run again on an object a mutating policy changed (the API server's re-invocation). */
  reinvokeBuiltins(object: KubeObject): KubeObject;
}

/** What evaluating one object needs besides its request. */
export interface EvaluationContext {
  source: SourceLocation;
  ref: ObjectRef;
  namespaced: boolean;
  namespaces: NamespaceLabels;
  equivalents(): EquivalentResource[];
  /** Called once per failed-open webhook, so that the run can say it on stderr. */
  onFailOpen?(message: string): void;
  /**
   * policy-server's `--always-accept-admission-reviews-on-namespace` (the Helm chart's
   * alwaysAcceptAdmissionReviewsOnDeploymentsNamespace): a request in this namespace is accepted without evaluation.
   */
  alwaysAcceptNamespace?: string;
}

/** One object to evaluate: its request, or (with the API-server stage) the staged object its requests are built from. */
export type ObjectEvaluation = EvaluationContext &
  ({ synth: SynthesizedRequest; staged?: undefined } | { staged: StagedObject; synth?: undefined });

type Requested = EvaluationContext & { synth: SynthesizedRequest };

type Call = { request: AdmissionRequest; json: string; indices: number[] };

/** Whether a unit is called as a mutating webhook (Kubewarden: the policy's `mutating`); groups never are. */
export function isMutatingUnit(u: EvaluationUnit): boolean {
  return u.kind === 'single' && u.policy.allowedToMutate;
}

/**
 * Every unit for one object, results in unit order. With the API-server stage, mutating policies run first —
 * in the chain one after another in the API server's webhook order (lib/admission/webhook-order.ts), each on the
 * object the ones before patched, and when one changed the object the chain runs again as the API server
 * re-invokes it (lib/admission/reinvocation.ts) — then the validating policies, all on the final object.
 */
export async function evaluateObject(
  units: readonly EvaluationUnit[],
  pool: EvaluationPool,
  o: ObjectEvaluation,
): Promise<Result[]> {
  const staged = o.staged;
  if (!staged) return evaluateUnits(units, pool, o);
  const results = new Array<Result>(units.length);
  const mutating = units.map((u, i) => i).filter((i) => isMutatingUnit(units[i]));
  const validating = units.map((u, i) => i).filter((i) => !isMutatingUnit(units[i]));
  // The first request is built only when a mutating policy is there to receive it.
  let first: SynthesizedRequest | undefined;
  const requestFor = (obj: KubeObject): SynthesizedRequest =>
    obj === staged.object ? (first ??= staged.request(obj)) : staged.request(obj);
  let current = staged.object;
  if (staged.chain) {
    current = await runMutatingChain(units, mutating, pool, o, staged, results, requestFor);
  } else if (mutating.length > 0) {
    const rs = await evaluateUnits(
      mutating.map((i) => units[i]),
      pool,
      { ...o, synth: requestFor(current) },
    );
    mutating.forEach((i, k) => {
      results[i] = rs[k];
      rs[k].stage = 'mutating';
    });
  }
  if (validating.length > 0) {
    // The mutating requests were answered and their results hold no object (patches apply to copies:
    // lib/kube/json-patch.ts), so the validating stage may take `current` itself.
    const v = staged.validating(current, true);
    if ('message' in v) {
      for (const i of validating) {
        const r = newResult({ source: o.source, object: o.ref, policy: units[i].id }, 'error', v.message, v.code);
        if (v.fieldPath) r.fieldPath = v.fieldPath;
        r.stage = 'validating';
        results[i] = r;
      }
    } else {
      const rs = await evaluateUnits(
        validating.map((i) => units[i]),
        pool,
        { ...o, synth: v },
      );
      validating.forEach((i, k) => {
        results[i] = rs[k];
        rs[k].stage = 'validating';
      });
    }
  }
  return results;
}

/** The webhook's reinvocationPolicy (absent: the API server's default, Never). */
function reinvocationPolicyOf(u: EvaluationUnit): ReinvocationPolicy {
  return u.webhook?.reinvocationPolicy ?? 'Never';
}

/**
 * The mutating webhooks in call order, each on the object the ones before left; a second run when one changed it
 * (the built-in plugins again, then the IfNeeded webhooks called before a later change). Returns the object
 * validating admission starts from.
 */
async function runMutatingChain(
  units: readonly EvaluationUnit[],
  mutating: readonly number[],
  pool: EvaluationPool,
  o: EvaluationContext,
  staged: StagedObject,
  results: Result[],
  requestFor: (obj: KubeObject) => SynthesizedRequest,
): Promise<KubeObject> {
  const order = webhookCallOrder(mutating.map((i) => units[i].id)).map((k) => mutating[k]);
  const reinvocation = new ReinvocationContext();
  let current = staged.object;
  const call = async (i: number): Promise<boolean> => {
    const [r] = await evaluateUnits([units[i]], pool, { ...o, synth: requestFor(current) });
    r.stage = 'mutating';
    const first = results[i];
    // A second call's verdict is the webhook's last word, unless its first call already rejected the request or
    // the webhook no longer matches (the API server then does not call it again).
    if (first === undefined || (first.verdict !== 'fail' && first.verdict !== 'error' && r.verdict !== 'skip'))
      results[i] = r;
    // An accepted patch changes the object the next webhooks (and the validating ones) receive.
    if (!r.patch || !(r.verdict === 'pass' || (r.verdict === 'warn' && !r.message?.startsWith('monitor mode'))))
      return false;
    const next = applyPatch(current, r.patch) as KubeObject;
    const changed = !isDeepStrictEqual(next, current);
    current = next;
    return changed;
  };
  for (const i of order) {
    const changed = await call(i);
    if (results[i].verdict !== 'skip') reinvocation.called(i, reinvocationPolicyOf(units[i]), changed);
  }
  if (!reinvocation.shouldReinvoke) return current;
  const before = current;
  current = staged.reinvokeBuiltins(current);
  if (!isDeepStrictEqual(before, current)) reinvocation.builtinsChanged();
  for (const i of order) if (reinvocation.reinvokes(i)) await call(i);
  return current;
}

async function evaluateUnits(units: readonly EvaluationUnit[], pool: EvaluationPool, o: Requested): Promise<Result[]> {
  const base = (u: EvaluationUnit): Pick<Result, 'source' | 'object' | 'policy'> => ({
    source: o.source,
    object: o.ref,
    policy: u.id,
  });
  const decisions = units.map((u) => alwaysAccepted(decide(u, o), o.alwaysAcceptNamespace));
  // One pool call per distinct request (a conversion under matchPolicy Equivalent makes another request).
  const calls = new Map<string, Call>();
  const callOf: (Call | undefined)[] = decisions.map((d, i) => {
    if (d.action !== 'call') return undefined;
    const json = d.request === o.synth.request ? o.synth.json : JSON.stringify(d.request);
    let c = calls.get(json);
    if (!c) {
      c = { request: d.request, json, indices: [] };
      calls.set(json, c);
    }
    const u = units[i];
    c.indices.push(...(u.kind === 'single' ? [u.policy.index] : u.members.map((m) => m.index)));
    return c;
  });
  const outcomes = new Map<Call, Map<number, RuntimeOutcome>>();
  await Promise.all(
    [...calls.values()].map(async (c) => {
      const unique = [...new Set(c.indices)];
      const out = await pool.evaluate(c.json, unique);
      outcomes.set(c, new Map(unique.map((idx, k) => [idx, out[k]])));
    }),
  );
  return units.map((u, i): Result => {
    const d = decisions[i];
    switch (d.action) {
      case 'accept':
        return newResult(base(u), 'pass', d.reason);
      case 'skip':
        return newResult(base(u), 'skip', d.reason);
      case 'error':
      case 'fail':
        return newResult(base(u), 'error', d.message);
      case 'ignore':
        o.onFailOpen?.(`${u.id}: ${d.message}`);
        return newResult(base(u), 'warn', d.message);
      case 'call': {
        const c = callOf[i]!;
        const got = outcomes.get(c)!;
        return u.kind === 'single'
          ? singleResult(base(u), u, c.request, got.get(u.policy.index)!, o)
          : groupResult(base(u), u, c.request, got, o);
      }
    }
  });
}

type UnitDecision = SelectionDecision | { action: 'accept'; reason: string };

/**
 * policy-server accepts a request whose namespace is its always-accept namespace before evaluating anything
 * (crates/policy-server `evaluation` `evaluate`, should_always_accept_requests_made_inside_of_namespace): the API
 * server calls the webhook, the answer is allowed.
 */
export function alwaysAccepted(d: SelectionDecision, namespace: string | undefined): UnitDecision {
  if (namespace === undefined || d.action !== 'call' || d.request.namespace !== namespace) return d;
  return {
    action: 'accept',
    reason: `policy-server always accepts requests in namespace ${namespace} (alwaysAcceptAdmissionReviewsOnDeploymentsNamespace)`,
  };
}

function decide(u: EvaluationUnit, o: Requested): SelectionDecision {
  if (u.webhook) {
    return selectWebhook(u.webhook, {
      request: o.synth.request,
      namespaced: o.namespaced,
      namespaceLabels: (name) => o.namespaces.get(name),
      equivalents: o.equivalents,
    });
  }
  // No webhook configuration (-p, bundled set, policies.yml): the module's metadata rules decide.
  const r = o.synth.request;
  const target = {
    group: r.resource.group,
    version: r.resource.version,
    resource: r.resource.resource,
    namespaced: o.namespaced,
    operation: r.operation,
  };
  const rules = u.kind === 'single' ? u.policy.metadata.rules : u.members.flatMap((m) => m.metadata.rules);
  return anyRuleMatches(rules, target)
    ? { action: 'call', request: r }
    : { action: 'skip', reason: 'the policy rules do not match this resource and operation' };
}

/** The API server's handling of a webhook call that did not complete in time (failurePolicy). */
function callFailure(
  b: Pick<Result, 'source' | 'object' | 'policy'>,
  webhook: WebhookSpec,
  o: ObjectEvaluation,
): Result {
  const what = `failed calling webhook "${webhook.name}": no answer within timeoutSeconds (${webhook.timeoutSeconds}s)`;
  if (webhook.failurePolicy === 'Ignore') {
    const message = `${what}; failurePolicy Ignore: the API server admits the object`;
    o.onFailOpen?.(`${b.policy}: ${message}`);
    return newResult(b, 'warn', message, 500);
  }
  return newResult(b, 'error', `${what}; failurePolicy Fail: the API server rejects the request`, 500);
}

function singleResult(
  b: Pick<Result, 'source' | 'object' | 'policy'>,
  u: Extract<EvaluationUnit, { kind: 'single' }>,
  request: AdmissionRequest,
  outcome: RuntimeOutcome,
  o: ObjectEvaluation,
): Result {
  if (!outcome.ok && outcome.reason === 'timeout' && u.webhookDeadline && u.webhook)
    return callFailure(b, u.webhook, o);
  return resultOf(b, request, u.policy, outcome);
}

function groupResult(
  b: Pick<Result, 'source' | 'object' | 'policy'>,
  u: Extract<EvaluationUnit, { kind: 'group' }>,
  request: AdmissionRequest,
  got: Map<number, RuntimeOutcome>,
  o: ObjectEvaluation,
): Result {
  const outcomes = u.members.map((m) => got.get(m.index)!);
  if (u.webhook && outcomes.some((x, k) => !x.ok && x.reason === 'timeout' && u.webhookDeadline[k]))
    return callFailure(b, u.webhook, o);
  // A member's runtime error is its (rejecting) response, as policy-server turns it into one.
  const members = u.members.map((m, k) => ({
    name: u.spec.members[k].name,
    response: toAdmissionResponse(request, outcomes[k]),
  }));
  const evaluated = groupResponse(request.uid, u.expr, u.spec.message, members);
  if (evaluated.response.status?.code === 500 && !evaluated.response.allowed) {
    return newResult(b, 'error', evaluated.response.status.message ?? 'error evaluating policy group expression', 500);
  }
  const final = postProcess(evaluated, { policyId: u.id, mode: u.spec.mode, allowedToMutate: false });
  return toResult(b, final, final.monitored);
}

/** One policy's outcome → result, through policy-server's post-processing (docs/host-interface.md §1.5, §1.6). */
export function resultOf(
  base: Pick<Result, 'source' | 'object' | 'policy'>,
  request: AdmissionRequest,
  policy: LoadedPolicy,
  outcome: RuntimeOutcome,
): Result {
  if (!outcome.ok) return newResult(base, 'error', outcome.message, outcome.code);
  const evaluated = toAdmissionResponse(request, outcome);
  const final = postProcess(evaluated, {
    policyId: policy.spec.id,
    mode: policy.spec.mode,
    allowedToMutate: policy.allowedToMutate,
    ...(policy.spec.message !== undefined ? { message: policy.spec.message } : {}),
  });
  return toResult(base, final, final.monitored);
}

export function toResult(
  base: Pick<Result, 'source' | 'object' | 'policy'>,
  ev: EvaluatedResponse,
  monitored?: EvaluatedResponse,
): Result {
  const r = ev.response;
  const warnings = r.warnings;
  // Monitor mode hides the status; its causes are still worth showing.
  const withStatus = monitored && !monitored.response.allowed ? monitored.response : r;
  const causes = withStatus.status?.details?.causes
    ?.map((c) => (c.field ? `${c.field}: ${c.message ?? ''}`.trimEnd() : (c.message ?? '')))
    .filter((m) => m !== '');
  const out = newResult(base, 'pass');
  if (monitored && !monitored.response.allowed) {
    out.verdict = 'warn';
    out.message = `monitor mode: would be rejected: ${monitored.response.status?.message ?? ''}`.trimEnd();
    if (monitored.patch) out.patch = monitored.patch;
  } else if (!r.allowed) {
    out.verdict = 'fail';
    if (r.status?.message !== undefined) out.message = r.status.message;
    if (r.status?.code !== undefined) out.code = r.status.code;
  } else {
    if (ev.patch) out.patch = ev.patch;
    if (warnings && warnings.length > 0) out.verdict = 'warn';
    if (r.status?.message) out.message = r.status.message;
  }
  if (warnings && warnings.length > 0) out.warnings = warnings;
  if (causes && causes.length > 0) out.causes = causes;
  return out;
}
