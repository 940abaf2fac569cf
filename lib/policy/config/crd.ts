import { METADATA_NAME_LABEL } from '../../admission/match';
import type { LabelSelector } from '../../kube/label-selector';
import type { PolicyRule } from '../../wasm/metadata';
import { checkMembers, GroupExpressionError, MEMBER_NAME, parseGroupExpression, RESERVED_MEMBER_NAMES } from '../group';
import type {
  PolicyEntry,
  PolicyGroupMember,
  PolicyGroupSpec,
  PolicyResourceRef,
  PolicySpec,
  WebhookSpec,
} from '../spec';
import {
  annotationModule,
  memberModuleAnnotation,
  MODULE_ANNOTATION,
  normaliseModule,
  readContextAwareResources,
  readMatchConditions,
  readRules,
  readSelector,
  readSettings,
} from './common';
import type { FieldReader } from './fields';

export const POLICIES_API_VERSION = 'policies.kubewarden.io/v1';

export type PolicyKind =
  'ClusterAdmissionPolicy' | 'AdmissionPolicy' | 'ClusterAdmissionPolicyGroup' | 'AdmissionPolicyGroup';
export const POLICY_KINDS: readonly PolicyKind[] = [
  'ClusterAdmissionPolicy',
  'AdmissionPolicy',
  'ClusterAdmissionPolicyGroup',
  'AdmissionPolicyGroup',
];

export interface CrdOptions {
  /** Where Kubewarden runs; cluster-wide policies exclude it (the controller's deployments namespace). */
  kubewardenNamespace: string;
  /** Namespace of AdmissionPolicies that do not name one (kubectl: the context's namespace). */
  defaultNamespace: string;
}

/** Spec fields of each kind (policies.kubewarden.io/v1; KC api/policies/v1/*_types.go). */
const COMMON = [
  'policyServer',
  'mode',
  'rules',
  'failurePolicy',
  'backgroundAudit',
  'matchPolicy',
  'matchConditions',
  'objectSelector',
  'sideEffects',
  'timeoutSeconds',
];
const SINGLE = [...COMMON, 'module', 'settings', 'mutating', 'message', 'timeoutEvalSeconds'];
const GROUP = [...COMMON, 'expression', 'message', 'policies'];
const CLUSTER_EXTRA = ['namespaceSelector', 'allowInsideAdmissionControllerNamespace'];
const SPEC_FIELDS: Record<PolicyKind, readonly string[]> = {
  ClusterAdmissionPolicy: [...SINGLE, ...CLUSTER_EXTRA, 'contextAwareResources'],
  AdmissionPolicy: SINGLE,
  ClusterAdmissionPolicyGroup: [...GROUP, ...CLUSTER_EXTRA],
  AdmissionPolicyGroup: GROUP,
};

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Reads one Kubewarden policy resource. Problems go to the reader; returns undefined when unusable. */
export function readPolicyResource(
  r: FieldReader,
  obj: Record<string, unknown>,
  kind: PolicyKind,
  opts: CrdOptions,
): PolicyEntry | undefined {
  r.unknownFields(obj, [], ['apiVersion', 'kind', 'metadata', 'spec', 'status'], 'error');
  const meta = r.mapping(obj.metadata, ['metadata'], true) ?? {};
  const name = r.string(meta.name, ['metadata', 'name'], true);
  if (name !== undefined && (name.length > 253 || !DNS_SUBDOMAIN.test(name))) {
    r.fail(['metadata', 'name'], `${JSON.stringify(name)} must be a lowercase RFC 1123 subdomain`);
  }
  const namespaced = kind === 'AdmissionPolicy' || kind === 'AdmissionPolicyGroup';
  let namespace: string | undefined;
  if (namespaced) {
    namespace = r.string(meta.namespace, ['metadata', 'namespace']) || opts.defaultNamespace;
  } else if (meta.namespace !== undefined) {
    r.warn(['metadata', 'namespace'], `${kind} is cluster-scoped: metadata.namespace is ignored`);
  }
  const annotations = (r.mapping(meta.annotations, ['metadata', 'annotations']) ?? {}) as Record<string, unknown>;
  const spec = r.mapping(obj.spec, ['spec'], true);
  if (!spec || name === undefined) return undefined;
  r.unknownFields(spec, ['spec'], SPEC_FIELDS[kind], 'error', ` in a ${kind}`);
  const isGroupKind = kind === 'ClusterAdmissionPolicyGroup' || kind === 'AdmissionPolicyGroup';
  const id = uniqueName(kind, name, namespace ?? '');

  const mode = r.oneOf(spec.mode, ['spec', 'mode'], ['protect', 'monitor'] as const, 'protect');
  let rules = readRules(r, spec.rules, ['spec', 'rules']);
  if (namespaced) {
    checkNamespacedRules(r, rules, kind);
    // KC: an AdmissionPolicy only watches namespaced resources.
    rules = rules.map((rule) => ({ ...rule, scope: 'Namespaced' }));
  }
  const failurePolicy = r.oneOf(spec.failurePolicy, ['spec', 'failurePolicy'], ['Fail', 'Ignore'] as const, 'Fail');
  const matchPolicy = r.oneOf(
    spec.matchPolicy,
    ['spec', 'matchPolicy'],
    ['Exact', 'Equivalent'] as const,
    'Equivalent',
  );
  const matchConditions = readMatchConditions(r, spec.matchConditions, ['spec', 'matchConditions']);
  const objectSelector = readSelector(r, spec.objectSelector, ['spec', 'objectSelector']);
  // The CRDs' OpenAPI schema bounds it to 2..30 (the API server would take 1..30 on a webhook, but the policy
  // resource is refused first).
  const timeoutSeconds = r.int(spec.timeoutSeconds, ['spec', 'timeoutSeconds'], 2, 30) ?? 10;
  const sideEffects = r.oneOf(spec.sideEffects, ['spec', 'sideEffects'], ['None', 'NoneOnDryRun'] as const, 'None');
  if (spec.sideEffects !== undefined && spec.sideEffects !== null) {
    r.ignore(
      ['spec', 'sideEffects'],
      'it only matters for dry-run requests, and check never sends one (dryRun: false)',
      sideEffects !== 'None',
    );
  }
  const policyServer = r.string(spec.policyServer, ['spec', 'policyServer']);
  if (policyServer !== undefined)
    r.ignore(
      ['spec', 'policyServer'],
      'it only picks the PolicyServer deployment that runs the policy',
      policyServer !== 'default',
    );
  // Only `audit` reads these two: admission does not depend on them.
  const backgroundAudit = r.bool(spec.backgroundAudit, ['spec', 'backgroundAudit']) ?? true;
  const status = readPolicyStatus(obj.status);

  let namespaceSelector: LabelSelector | undefined;
  let auditNamespaceSelector: LabelSelector | undefined;
  if (namespaced) {
    // KC: the webhook of a namespaced policy selects its own namespace only.
    namespaceSelector = { matchLabels: { [METADATA_NAME_LABEL]: namespace! } };
    auditNamespaceSelector = namespaceSelector;
  } else {
    const user = readSelector(r, spec.namespaceSelector, ['spec', 'namespaceSelector']);
    auditNamespaceSelector = user;
    const allowInside =
      r.bool(spec.allowInsideAdmissionControllerNamespace, ['spec', 'allowInsideAdmissionControllerNamespace']) ??
      false;
    if (allowInside) {
      namespaceSelector = user;
    } else {
      // KC: exclude the Kubewarden namespace, then append the user's matchExpressions; its matchLabels are dropped.
      if (user?.matchLabels && Object.keys(user.matchLabels).length > 0) {
        r.warn(
          ['spec', 'namespaceSelector', 'matchLabels'],
          'the Kubewarden controller drops namespaceSelector.matchLabels of cluster-wide policies (it keeps only matchExpressions, after excluding its own namespace), so they select nothing here either; write them as matchExpressions with operator In',
        );
      }
      namespaceSelector = {
        matchExpressions: [
          { key: METADATA_NAME_LABEL, operator: 'NotIn', values: [opts.kubewardenNamespace] },
          ...(user?.matchExpressions ?? []),
        ],
      };
    }
  }

  const webhook: WebhookSpec = {
    name: `${id}.kubewarden.admission`,
    rules,
    matchPolicy,
    ...(namespaceSelector ? { namespaceSelector } : {}),
    ...(objectSelector ? { objectSelector } : {}),
    matchConditions,
    failurePolicy,
    timeoutSeconds,
  };
  const origin = `${r.file}:${r.line([])} (${kind} ${namespaced ? `${namespace}/` : ''}${name})`;
  const resource = resourceRef(kind, name, namespace, meta, annotations, auditNamespaceSelector);

  if (!isGroupKind) {
    const module = policyModule(
      r,
      spec.module,
      annotations[MODULE_ANNOTATION],
      ['spec', 'module'],
      ['metadata', 'annotations', MODULE_ANNOTATION],
    );
    const settings = readSettings(r, spec.settings, ['spec', 'settings']);
    const mutating = r.bool(spec.mutating, ['spec', 'mutating']) ?? false;
    const message = r.string(spec.message, ['spec', 'message']);
    const timeoutEvalSeconds = r.int(spec.timeoutEvalSeconds, ['spec', 'timeoutEvalSeconds'], 2, 30);
    const contextAwareResources =
      kind === 'ClusterAdmissionPolicy'
        ? readContextAwareResources(r, spec.contextAwareResources, ['spec', 'contextAwareResources'])
        : undefined;
    if (module === undefined) return undefined;
    const out: PolicySpec = {
      id,
      module,
      settings,
      mode,
      allowedToMutate: mutating,
      origin,
      webhook,
      backgroundAudit,
      resource,
    };
    if (status) out.policyStatus = status;
    if (message) out.message = message;
    if (timeoutEvalSeconds !== undefined) out.timeoutEvalSeconds = timeoutEvalSeconds;
    // Only what the resource grants (AdmissionPolicies: nothing), as the controller configures policy-server.
    out.contextAwareResources = contextAwareResources ?? [];
    return out;
  }

  const expression = r.string(spec.expression, ['spec', 'expression'], true);
  const message = r.string(spec.message, ['spec', 'message'], true);
  const membersMap = r.mapping(spec.policies, ['spec', 'policies'], true);
  const members: PolicyGroupMember[] = [];
  let sumEval = 0;
  if (membersMap) {
    if (Object.keys(membersMap).length === 0)
      r.fail(['spec', 'policies'], 'policy groups must have at least one policy member');
    for (const [memberName, value] of Object.entries(membersMap)) {
      const at = ['spec', 'policies', memberName];
      if (!MEMBER_NAME.test(memberName) || RESERVED_MEMBER_NAMES.has(memberName)) {
        r.fail(
          at,
          `policy group member name ${JSON.stringify(memberName)} is invalid: it must be an identifier ([_a-zA-Z][_a-zA-Z0-9]*) and not a reserved word`,
        );
      }
      const m = r.mapping(value, at, true);
      if (!m) continue;
      r.unknownFields(
        m,
        at,
        kind === 'ClusterAdmissionPolicyGroup'
          ? ['module', 'settings', 'timeoutEvalSeconds', 'contextAwareResources']
          : ['module', 'settings', 'timeoutEvalSeconds'],
        'error',
      );
      const module = policyModule(
        r,
        m.module,
        annotations[memberModuleAnnotation(memberName)],
        [...at, 'module'],
        ['metadata', 'annotations', memberModuleAnnotation(memberName)],
      );
      const settings = readSettings(r, m.settings, [...at, 'settings']);
      const timeoutEvalSeconds = r.int(m.timeoutEvalSeconds, [...at, 'timeoutEvalSeconds'], 1, 30);
      if (timeoutEvalSeconds !== undefined) {
        sumEval += timeoutEvalSeconds;
        if (spec.timeoutSeconds !== undefined && timeoutEvalSeconds > timeoutSeconds) {
          r.fail(
            [...at, 'timeoutEvalSeconds'],
            `timeoutEvalSeconds cannot be greater than group timeoutSeconds (${timeoutSeconds})`,
          );
        }
      }
      const car =
        kind === 'ClusterAdmissionPolicyGroup'
          ? readContextAwareResources(r, m.contextAwareResources, [...at, 'contextAwareResources'])
          : undefined;
      if (module === undefined) continue;
      const member: PolicyGroupMember = { name: memberName, module, settings };
      if (timeoutEvalSeconds !== undefined) member.timeoutEvalSeconds = timeoutEvalSeconds;
      member.contextAwareResources = car ?? [];
      members.push(member);
    }
    if (spec.timeoutSeconds !== undefined && sumEval > timeoutSeconds) {
      r.fail(
        ['spec', 'policies'],
        `the sum of all members' timeoutEvalSeconds (${sumEval}) cannot be greater than group timeoutSeconds (${timeoutSeconds})`,
      );
    }
    if (sumEval > 30)
      r.fail(
        ['spec', 'policies'],
        `the sum of all members' timeoutEvalSeconds (${sumEval}) cannot be greater than 30 (Kubernetes webhook max timeout)`,
      );
  }
  if (expression !== undefined && membersMap)
    checkExpression(r, expression, Object.keys(membersMap), ['spec', 'expression']);
  if (expression === undefined || message === undefined || !membersMap) return undefined;
  const group: PolicyGroupSpec = {
    kind: 'group',
    id,
    mode,
    expression,
    message,
    members,
    origin,
    webhook,
    backgroundAudit,
    resource,
  };
  if (status) group.policyStatus = status;
  return group;
}

const SEVERITY_ANNOTATION = 'io.kubewarden.policy.severity';
const CATEGORY_ANNOTATION = 'io.kubewarden.policy.category';

/** What audit-scanner reads of the resource besides its spec: identity, severity/category annotations, own namespaceSelector. */
function resourceRef(
  kind: PolicyKind,
  name: string,
  namespace: string | undefined,
  meta: Record<string, unknown>,
  annotations: Record<string, unknown>,
  auditNamespaceSelector: LabelSelector | undefined,
): PolicyResourceRef {
  const ref: PolicyResourceRef = { kind, name };
  if (namespace !== undefined) ref.namespace = namespace;
  if (typeof meta.uid === 'string') ref.uid = meta.uid;
  if (typeof meta.resourceVersion === 'string') ref.resourceVersion = meta.resourceVersion;
  if (typeof annotations[SEVERITY_ANNOTATION] === 'string') ref.severity = annotations[SEVERITY_ANNOTATION];
  if (typeof annotations[CATEGORY_ANNOTATION] === 'string') ref.category = annotations[CATEGORY_ANNOTATION];
  if (auditNamespaceSelector) ref.auditNamespaceSelector = auditNamespaceSelector;
  return ref;
}

/** `status.policyStatus` as the controller writes it (unscheduled, scheduled, pending, active), when present. */
function readPolicyStatus(status: unknown): string | undefined {
  if (!status || typeof status !== 'object') return undefined;
  const v = (status as Record<string, unknown>).policyStatus;
  return typeof v === 'string' ? v : undefined;
}

/** KC's unique names: the policies.yml key and the `/validate/<id>` path. */
export function uniqueName(kind: PolicyKind, name: string, namespace: string): string {
  switch (kind) {
    case 'ClusterAdmissionPolicy':
      return `clusterwide-${name}`;
    case 'AdmissionPolicy':
      return `namespaced-${namespace}-${name}`;
    case 'ClusterAdmissionPolicyGroup':
      return `clusterwide-group-${name}`;
    case 'AdmissionPolicyGroup':
      return `namespaced-group-${namespace}-${name}`;
  }
}

/** KC refuses namespaced policies that target every group and resource, or policy reports. */
function checkNamespacedRules(r: FieldReader, rules: PolicyRule[], kind: PolicyKind): void {
  rules.forEach((rule, i) => {
    const groupStar = rule.apiGroups.includes('*');
    const resStar = rule.resources.some((x) => x === '*' || x === '*/*');
    if (groupStar && resStar)
      r.fail(['spec', 'rules', i], `apiGroups and resources cannot both use wildcards when using ${kind}`);
    const groupHit = groupStar || rule.apiGroups.includes('wgpolicyk8s.io');
    const resHit = rule.resources.some(
      (x) => x === 'policyreports' || x === '*' || x === '*/*' || x.startsWith('policyreports/'),
    );
    if (groupHit && resHit)
      r.fail(
        ['spec', 'rules', i],
        `{APIGroup: wgpolicyk8s.io, Resource: policyreports} resources cannot be targeted by ${kind}`,
      );
  });
}

function policyModule(
  r: FieldReader,
  module: unknown,
  annotation: unknown,
  at: (string | number)[],
  annotationAt: (string | number)[],
): string | undefined {
  const declared = r.string(module, at, true);
  const normalised = declared === undefined ? undefined : normaliseModule(r, declared, at);
  // The annotation replaces the module for this tool only; the cluster keeps using spec.module.
  if (annotation !== undefined) return annotationModule(r, annotation, annotationAt);
  return normalised;
}

export function checkExpression(r: FieldReader, expression: string, members: string[], at: (string | number)[]): void {
  try {
    checkMembers(parseGroupExpression(expression), members);
  } catch (err) {
    if (!(err instanceof GroupExpressionError)) throw err;
    r.fail(at, `${err.message} (at column ${err.pos + 1} of ${JSON.stringify(expression)})`);
  }
}
