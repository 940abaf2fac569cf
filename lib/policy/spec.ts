import type { PolicyMode } from '../admission/policy-mode';
import type { WebhookSelection } from '../admission/match';
import type { ContextAwareResource, ExecutionMode } from '../wasm/metadata';

/** The namespace Kubewarden runs in unless told otherwise (`--kubewarden-namespace`). */
export const DEFAULT_KUBEWARDEN_NAMESPACE = 'kubewarden';

export type { PolicyMode } from '../admission/policy-mode';

/** The webhook the Kubewarden controller registers for a policy resource: what selects requests, and its limits. */
export interface WebhookSpec extends WebhookSelection {
  /** The API server's deadline for the whole webhook call (`timeoutSeconds`, default 10). */
  timeoutSeconds: number;
}

/** What to run and how: one entry of a policies.yml, a policy resource, a -p flag, or one of the bundled policies. */
export interface PolicySpec {
  /** Name shown in results (the policies.yml key, the controller's unique name, the builtin name, or the file's base name). */
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
export function evaluationDeadline(spec: Pick<PolicySpec, 'timeoutEvalSeconds' | 'webhook'>, defaultMs: number): { timeoutMs: number; webhook: boolean } {
  const evalMs = defaultMs === 0 ? 0 : spec.timeoutEvalSeconds !== undefined ? spec.timeoutEvalSeconds * 1000 : defaultMs;
  const webhookMs = spec.webhook ? spec.webhook.timeoutSeconds * 1000 : 0;
  if (webhookMs > 0 && (evalMs === 0 || webhookMs < evalMs)) return { timeoutMs: webhookMs, webhook: true };
  return { timeoutMs: evalMs, webhook: false };
}
