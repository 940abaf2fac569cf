import type { Sources } from '../store/sources';
import type { PolicyMode } from '../admission/policy-mode';
import type { WebhookSelection } from '../admission/match';
import type { LabelSelector } from '../kube/label-selector';
import type { ContextAwareResource, ExecutionMode } from '../wasm/metadata';

/** The namespace Kubewarden runs in unless told otherwise (`--kubewarden-namespace`). */
export const DEFAULT_KUBEWARDEN_NAMESPACE = 'kubewarden';

export type { PolicyMode } from '../admission/policy-mode';

/** The webhook the Kubewarden controller registers for a policy resource: what selects requests, and its limits. */
export interface WebhookSpec extends WebhookSelection {
  /** The API server's deadline for the whole webhook call (`timeoutSeconds`, default 10). */
  timeoutSeconds: number;
}

/**
 * The Kubewarden policy resource an entry was read from (ClusterAdmissionPolicy and the other three kinds), with
 * what audit-scanner reads of it besides the webhook: its own namespaceSelector, its identity for PolicyReports,
 * and the severity/category annotations.
 */
export interface PolicyResourceRef {
  kind: string;
  name: string;
  /** AdmissionPolicy(Group) only. */
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  /** `io.kubewarden.policy.severity` / `.category` on the resource (they win over the module's). */
  severity?: string;
  category?: string;
  /**
   * The namespaces audit-scanner audits the policy in (`policies/client.go` policyMatchesNamespace): a cluster-wide
   * kind's own `spec.namespaceSelector`, matchLabels included (not the webhook's, from which the controller drops
   * them); an AdmissionPolicy(Group)'s own namespace. Undefined selects every namespace.
   */
  auditNamespaceSelector?: LabelSelector;
}

/** What to run and how: one entry of a policies.yml, a policy resource, a -p flag, or one of the bundled policies. */
export interface PolicySpec {
  /** Name shown in results (the policies.yml key, the controller's unique name, the bundled policy's name, or the file's base name). */
  id: string;
  /** Where the module comes from: builtin://NAME, file://..., a path, https://..., registry://... */
  module: string;
  settings: Record<string, unknown>;
  executionMode?: ExecutionMode;
  mode: PolicyMode;
  /** Whether a patch is let through (Kubewarden: the CRD's `mutating`); undefined means "as the metadata says". */
  allowedToMutate?: boolean;
  /** Custom rejection message (policy-server's `message`). */
  message?: string;
  /** Where the spec was written, for error messages ("-p flag", "bundled set", "policies.yml:12"). */
  origin: string;
  /** policy-server's per-policy evaluation deadline (`timeoutEvalSeconds`); overrides --timeout. */
  timeoutEvalSeconds?: number;
  /** Resources the policy may read through host capabilities (`contextAwareResources`). */
  contextAwareResources?: ContextAwareResource[];
  /**
   * How the API server selects requests for the policy (policy resources). Absent for -p, the bundled set and
   * policies.yml entries: then every request the module's metadata rules allow reaches it.
   */
  webhook?: WebhookSpec;
  /** Policy resources: `spec.backgroundAudit` (default true); `audit` leaves out policies that set it false. */
  backgroundAudit?: boolean;
  /** Policy resources read from a cluster: `status.policyStatus`; audit-scanner only audits `active` policies. */
  policyStatus?: string;
  /** Policy resources: the resource itself (audit selection and PolicyReports). */
  resource?: PolicyResourceRef;
  /**
   * Read from a configuration (`--policies`, `--from-cluster`): loaded with policy-server's checks, which refuse a
   * waPC module without protocolVersion, where `-p` keeps kwctl's leniency.
   */
  policyServerChecks?: boolean;
  /** Read from a cluster: the insecureSources and sourceAuthorities of the PolicyServer that runs it, for its pull only. */
  sources?: Sources;
}

/** One member of a policy group: a policy that always runs in protect mode, may not mutate, has no message. */
export interface PolicyGroupMember {
  name: string;
  module: string;
  settings: Record<string, unknown>;
  timeoutEvalSeconds?: number;
  contextAwareResources?: ContextAwareResource[];
}

/** A policy group (policies.yml entry with `policies`, or a ...PolicyGroup resource). */
export interface PolicyGroupSpec {
  kind: 'group';
  id: string;
  mode: PolicyMode;
  /** Rhai/CEL-subset expression over the members (lib/policy/group.ts). */
  expression: string;
  /** The rejection message (required). */
  message: string;
  members: PolicyGroupMember[];
  origin: string;
  webhook?: WebhookSpec;
  backgroundAudit?: boolean;
  policyStatus?: string;
  resource?: PolicyResourceRef;
  policyServerChecks?: boolean;
  /** As PolicySpec.sources, for every member. */
  sources?: Sources;
}

export type PolicyEntry = PolicySpec | PolicyGroupSpec;

/** Whether the cluster enforces the policy: `status.policyStatus` is active, or there is no status (not read from a cluster). */
export function isActive(e: PolicyEntry): boolean {
  return e.policyStatus === undefined || e.policyStatus === 'active';
}

export function isGroup(e: PolicyEntry): e is PolicyGroupSpec {
  return (e as PolicyGroupSpec).kind === 'group';
}

/** The id a group member is loaded under (policy-evaluator names it `<group>/<member>` in its errors). */
export function memberId(group: string, member: string): string {
  return `${group}/${member}`;
}

/**
 * The deadline one evaluation of `spec` runs under: policy-server's (`timeoutEvalSeconds`, else --timeout; 0
 * disables it, like --disable-timeout-protection) or the API server's webhook timeout, whichever is shorter.
 * `webhook` tells which one it is: only the API server's makes the call fail, so that `failurePolicy` applies.
 */
export function evaluationDeadline(
  spec: Pick<PolicySpec, 'timeoutEvalSeconds' | 'webhook'>,
  defaultMs: number,
): { timeoutMs: number; webhook: boolean } {
  const evalMs =
    defaultMs === 0 ? 0 : spec.timeoutEvalSeconds !== undefined ? spec.timeoutEvalSeconds * 1000 : defaultMs;
  const webhookMs = spec.webhook ? spec.webhook.timeoutSeconds * 1000 : 0;
  if (webhookMs > 0 && (evalMs === 0 || webhookMs < evalMs)) return { timeoutMs: webhookMs, webhook: true };
  return { timeoutMs: evalMs, webhook: false };
}
