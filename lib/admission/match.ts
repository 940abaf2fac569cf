import type { ReinvocationPolicy } from './reinvocation';
import type { PolicyRule } from '../wasm/metadata';
import { apiVersionOf } from '../kube/api-path';
import { activationFor, evaluateConditions, type CompiledCondition } from './cel';
import { formatSelector, isEmptySelector, labelsOf, selectorMatches, type LabelSelector } from '../kube/label-selector';
import type { AdmissionRequest, Operation } from '../kube/admission-review';
import type { ResourceNames, ResourceType } from '../kube/resource-type';

/** What a rule is matched against: the request's resource, scope and operation. */
export interface RuleTarget extends ResourceNames {
  subResource?: string;
  operation: Operation;
}

/**
 * admissionregistration/v1 RuleWithOperations matching, as the API server does it for webhooks:
 * `*` in groups/versions/operations, `*`, `*\/*`, `res/*`, `*\/sub` and `res/sub` in resources, and scope.
 */
export function ruleMatches(rule: PolicyRule, t: RuleTarget): boolean {
  if (!rule.operations.includes('*') && !rule.operations.includes(t.operation)) return false;
  if (!rule.apiGroups.includes('*') && !rule.apiGroups.includes(t.group)) return false;
  if (!rule.apiVersions.includes('*') && !rule.apiVersions.includes(t.version)) return false;
  const scope = rule.scope ?? '*';
  if (scope === 'Cluster' && t.namespaced) return false;
  if (scope === 'Namespaced' && !t.namespaced) return false;
  return rule.resources.some((r) => resourceMatches(r, t.resource, t.subResource ?? ''));
}

function resourceMatches(pattern: string, resource: string, sub: string): boolean {
  if (pattern === '*/*') return true;
  const slash = pattern.indexOf('/');
  if (slash < 0) return sub === '' && (pattern === '*' || pattern === resource);
  const pr = pattern.slice(0, slash);
  const ps = pattern.slice(slash + 1);
  return (pr === '*' || pr === resource) && (ps === '*' || ps === sub);
}

export function anyRuleMatches(rules: PolicyRule[], t: RuleTarget): boolean {
  return rules.some((r) => ruleMatches(r, t));
}

// ---------------------------------------------------------------------------------------------------------------
// Whole-webhook selection: which requests reach a policy, as the API server decides it for a webhook
// (k8s.io/apiserver admission/plugin/webhook/generic/webhook.go ShouldCallHook and Dispatch).
// ---------------------------------------------------------------------------------------------------------------

/** How a policy is registered with the API server: the parts of one admissionregistration/v1 webhook that select requests. */
export interface WebhookSelection {
  /** The webhook name (`<uniqueName>.kubewarden.admission`), for messages. */
  name: string;
  rules: PolicyRule[];
  matchPolicy: 'Exact' | 'Equivalent';
  /** The effective selector, after the Kubewarden controller's changes (kubewarden namespace, AdmissionPolicy pin). */
  namespaceSelector?: LabelSelector;
  objectSelector?: LabelSelector;
  matchConditions: CompiledCondition[];
  failurePolicy: 'Fail' | 'Ignore';
  /**
   * A MutatingWebhook's reinvocationPolicy (lib/admission/reinvocation.ts). Kubewarden's controller never writes
   * one (internal/controller/policy_subreconciler_webhook.go; the policy CRDs have no such field), so for policy
   * resources it stays absent and the API server's default, Never, applies.
   */
  reinvocationPolicy?: ReinvocationPolicy;
}

/** A resource the request could be converted to under `matchPolicy: Equivalent`. */
export interface EquivalentResource extends Omit<ResourceType, 'namespaced'> {
  /** Why the object cannot be converted on the client; undefined when it can (only apiVersion changes). */
  conversionProblem?: string;
}

export interface SelectionContext {
  request: AdmissionRequest;
  namespaced: boolean;
  /** Labels of a namespace: from a Namespace object in the input, else only the automatic `kubernetes.io/metadata.name`. */
  namespaceLabels(name: string): Record<string, string>;
  /** Other group-versions serving the same resource (for matchPolicy Equivalent). */
  equivalents(): EquivalentResource[];
}

export type SelectionDecision =
  | { action: 'call'; request: AdmissionRequest; converted?: EquivalentResource }
  | { action: 'skip'; reason: string }
  /** The API server fails the request before calling the webhook (matchConditions error under failurePolicy Fail). */
  | { action: 'fail'; message: string }
  /** matchConditions error under failurePolicy Ignore: the webhook is skipped, the object admitted. */
  | { action: 'ignore'; message: string }
  /** The request would match after a conversion the client cannot do. */
  | { action: 'error'; message: string };

/** Kinds the API server never sends to webhooks, so that a webhook cannot lock itself in (rules.IsExemptAdmissionConfigurationResource). */
const EXEMPT_KINDS = new Set([
  'ValidatingWebhookConfiguration',
  'MutatingWebhookConfiguration',
  'ValidatingAdmissionPolicy',
  'ValidatingAdmissionPolicyBinding',
  'MutatingAdmissionPolicy',
  'MutatingAdmissionPolicyBinding',
]);

export const METADATA_NAME_LABEL = 'kubernetes.io/metadata.name';

/** Decides whether the webhook described by `sel` is called for the request, and with which request. */
export function selectWebhook(sel: WebhookSelection, ctx: SelectionContext): SelectionDecision {
  const req = ctx.request;
  if (req.kind.group === 'admissionregistration.k8s.io' && EXEMPT_KINDS.has(req.kind.kind)) {
    return { action: 'skip', reason: `the API server never sends ${req.kind.kind} objects to admission webhooks` };
  }
  const ns = namespaceSelectorMatches(sel.namespaceSelector, ctx);
  if (!ns.matches) return { action: 'skip', reason: ns.reason };
  const obj = objectSelectorMatches(sel.objectSelector, req);
  if (!obj.matches) return { action: 'skip', reason: obj.reason };

  const target = (r: { group: string; version: string; resource: string }): RuleTarget => ({
    group: r.group,
    version: r.version,
    resource: r.resource,
    ...(req.subResource ? { subResource: req.subResource } : {}),
    namespaced: ctx.namespaced,
    operation: req.operation,
  });
  let request: AdmissionRequest | undefined;
  let converted: EquivalentResource | undefined;
  if (anyRuleMatches(sel.rules, target(req.resource))) {
    request = req;
  } else if (sel.matchPolicy === 'Equivalent') {
    // Earlier rules first, then each equivalent resource, as the API server loops.
    outer: for (const rule of sel.rules) {
      for (const eq of ctx.equivalents()) {
        if (
          eq.group === req.resource.group &&
          eq.version === req.resource.version &&
          eq.resource === req.resource.resource
        )
          continue;
        if (ruleMatches(rule, target(eq))) {
          converted = eq;
          break outer;
        }
      }
    }
    if (converted) {
      if (converted.conversionProblem) {
        return {
          action: 'error',
          message: `matchPolicy Equivalent: the API server would convert this ${apiVersionOf(req.kind.group, req.kind.version)} ${req.kind.kind} to ${apiVersionOf(converted.group, converted.version)} before calling the policy, which cannot be done here (${converted.conversionProblem}); give the object in ${apiVersionOf(converted.group, converted.version)}`,
        };
      }
      request = convertRequest(req, converted);
    }
  }
  if (!request) return { action: 'skip', reason: 'the policy rules do not match this resource and operation' };

  if (sel.matchConditions.length > 0) {
    const outcome = evaluateConditions(sel.matchConditions, activationFor(request));
    if (outcome.kind === 'no-match')
      return { action: 'skip', reason: `matchConditions[${outcome.condition}] is false` };
    if (outcome.kind === 'error') {
      const message = `failed evaluating match conditions: ${outcome.errors.join('; ')}`;
      return sel.failurePolicy === 'Ignore'
        ? { action: 'ignore', message: `${message} (failurePolicy Ignore: the API server skips the policy)` }
        : { action: 'fail', message: `${message} (failurePolicy Fail: the API server rejects the request)` };
    }
  }
  return converted ? { action: 'call', request, converted } : { action: 'call', request };
}

function namespaceSelectorMatches(
  s: LabelSelector | undefined,
  ctx: SelectionContext,
): { matches: true } | { matches: false; reason: string } {
  if (isEmptySelector(s)) return { matches: true };
  const req = ctx.request;
  const isNamespace = req.resource.group === '' && req.resource.resource === 'namespaces' && !req.subResource;
  let labels: Record<string, string>;
  let which: string;
  if (isNamespace) {
    // A Namespace is matched on its own labels: the new object on CREATE/UPDATE, the stored one on DELETE.
    const own = req.operation === 'CREATE' || req.operation === 'UPDATE' ? req.object : req.oldObject;
    const name = req.name ?? '';
    labels = { ...(labelsOf(own) ?? {}), ...(name ? { [METADATA_NAME_LABEL]: name } : {}) };
    which = `the Namespace ${name}`;
  } else if (!ctx.namespaced || !req.namespace) {
    // Other cluster-scoped objects are never excluded by a namespaceSelector.
    return { matches: true };
  } else {
    labels = ctx.namespaceLabels(req.namespace);
    which = `namespace ${req.namespace}`;
  }
  if (selectorMatches(s, labels)) return { matches: true };
  return { matches: false, reason: `namespaceSelector (${formatSelector(s)}) does not match the labels of ${which}` };
}

function objectSelectorMatches(
  s: LabelSelector | undefined,
  req: AdmissionRequest,
): { matches: true } | { matches: false; reason: string } {
  if (isEmptySelector(s)) return { matches: true };
  const objectLabels = labelsOf(req.object);
  const oldLabels = labelsOf(req.oldObject);
  if ((objectLabels && selectorMatches(s, objectLabels)) || (oldLabels && selectorMatches(s, oldLabels)))
    return { matches: true };
  const which =
    req.operation === 'DELETE'
      ? 'the labels of oldObject'
      : req.oldObject !== undefined
        ? 'the labels of object or oldObject'
        : 'the labels of the object';
  return { matches: false, reason: `objectSelector (${formatSelector(s)}) does not match ${which}` };
}

/** The request as sent after an Equivalent match: kind and resource of the webhook's version, request* unchanged. */
function convertRequest(req: AdmissionRequest, to: EquivalentResource): AdmissionRequest {
  const apiVersion = apiVersionOf(to.group, to.version);
  const convert = (o: unknown): unknown => (o !== null && typeof o === 'object' ? { ...(o as object), apiVersion } : o);
  const out: AdmissionRequest = {
    ...req,
    kind: { group: to.group, version: to.version, kind: to.kind },
    resource: { group: to.group, version: to.version, resource: to.resource },
    requestKind: req.requestKind ?? req.kind,
    requestResource: req.requestResource ?? req.resource,
  };
  if (req.object !== undefined) out.object = convert(req.object);
  if (req.oldObject !== undefined) out.oldObject = convert(req.oldObject);
  return out;
}

/** Groups that serve the same stored resource under another name (the API server's equivalent resource mapper). */
const CROSS_GROUP: readonly (readonly [string, string, string])[] = [
  // [resource, group, group]
  ['deployments', 'apps', 'extensions'],
  ['daemonsets', 'apps', 'extensions'],
  ['replicasets', 'apps', 'extensions'],
  ['ingresses', 'networking.k8s.io', 'extensions'],
  ['networkpolicies', 'networking.k8s.io', 'extensions'],
  ['podsecuritypolicies', 'policy', 'extensions'],
  ['events', '', 'events.k8s.io'],
];

/**
 * The resources equivalent to a group/resource, from the built-in table and the CustomResourceDefinitions of the
 * input: every version of the same resource, plus the cross-group aliases above. Built-in kinds differ between
 * versions, so converting them needs the API server; a CRD without a conversion webhook only changes apiVersion.
 */
export class EquivalentIndex {
  private readonly byKey = new Map<string, EquivalentResource[]>();

  constructor(
    builtins: readonly { group: string; version: string; resource: string; kind: string }[],
    crds: Iterable<unknown>,
  ) {
    const alias = new Map<string, string>();
    for (const [res, a, b] of CROSS_GROUP) {
      alias.set(`${a}/${res}`, `${a}/${res}`);
      alias.set(`${b}/${res}`, `${a}/${res}`);
    }
    for (const b of builtins) {
      const k = alias.get(`${b.group}/${b.resource}`) ?? `${b.group}/${b.resource}`;
      this.add(k, {
        group: b.group,
        version: b.version,
        resource: b.resource,
        kind: b.kind,
        conversionProblem: 'built-in kinds are converted by the API server',
      });
    }
    for (const o of crds) {
      const crd = o as { apiVersion?: unknown; kind?: unknown; spec?: Record<string, unknown> };
      if (
        crd.kind !== 'CustomResourceDefinition' ||
        typeof crd.apiVersion !== 'string' ||
        !crd.apiVersion.startsWith('apiextensions.k8s.io/')
      )
        continue;
      const spec = crd.spec;
      const names = spec?.names as Record<string, unknown> | undefined;
      if (
        !spec ||
        typeof spec.group !== 'string' ||
        typeof names?.kind !== 'string' ||
        typeof names.plural !== 'string'
      )
        continue;
      const strategy = (spec.conversion as { strategy?: unknown } | undefined)?.strategy;
      const problem =
        strategy === 'Webhook' ? 'the CustomResourceDefinition converts versions through a webhook' : undefined;
      const versions: string[] = [];
      if (Array.isArray(spec.versions)) {
        for (const v of spec.versions as { name?: unknown; served?: unknown }[])
          if (typeof v?.name === 'string' && v.served !== false) versions.push(v.name);
      }
      if (typeof spec.version === 'string' && !versions.includes(spec.version)) versions.push(spec.version);
      const key = `${spec.group}/${names.plural}`;
      this.byKey.delete(key);
      for (const v of versions) {
        this.add(key, {
          group: spec.group,
          version: v,
          resource: names.plural,
          kind: names.kind,
          ...(problem ? { conversionProblem: problem } : {}),
        });
      }
    }
  }

  private add(key: string, e: EquivalentResource): void {
    const list = this.byKey.get(key) ?? [];
    if (!list.some((x) => x.group === e.group && x.version === e.version)) list.push(e);
    this.byKey.set(key, list);
  }

  /** Every resource equivalent to `group`/`resource` (the resource itself included). */
  equivalents(group: string, resource: string): EquivalentResource[] {
    const direct = this.byKey.get(`${group}/${resource}`);
    if (direct) return direct;
    for (const [res, a, b] of CROSS_GROUP)
      if (res === resource && (group === a || group === b)) return this.byKey.get(`${a}/${res}`) ?? [];
    return [];
  }
}
