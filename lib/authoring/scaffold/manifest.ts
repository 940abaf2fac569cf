import type { ContextAwareResource, PolicyMetadata, PolicyRule } from '../../wasm/metadata';
import { ANNOTATION } from '../../wasm/metadata';
import { UserError } from '../../base/user-error';

export const MANIFEST_TYPES = [
  'ClusterAdmissionPolicy',
  'AdmissionPolicy',
  'ClusterAdmissionPolicyGroup',
  'AdmissionPolicyGroup',
  'policies.yml',
] as const;
export type ManifestType = (typeof MANIFEST_TYPES)[number];

export class ScaffoldError extends UserError<'scaffold'> {
  override name = 'ScaffoldError';
  constructor(message: string) {
    super(message, 'scaffold');
  }
}

export interface ManifestInput {
  /** The module reference written into spec.module (kwctl: the policy URI). */
  uri: string;
  metadata: PolicyMetadata;
  type: ManifestType;
  settings: Record<string, unknown>;
  /** `--title`; default: the io.kubewarden.policy.title annotation. */
  title?: string;
  allowContextAware: boolean;
}

/** RFC 1123 subdomain, as kwctl checks the title it uses as the resource name. */
const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/**
 * The policy resource kwctl `scaffold manifest` writes for a module (kubewarden/kwctl src/scaffold/manifest.rs,
 * kubewarden/adm-controller crates/kwctl/src/scaffold/kubewarden_crds.rs): name from the title, the severity and
 * category annotations, module, settings, the metadata's rules and mutating flag, backgroundAudit only when false,
 * contextAwareResources only when allowed (cluster-wide kinds). The group kinds wrap the module as their one
 * member; `policies.yml` gives policy-server's entry for it. Returns the resource and the warnings kwctl logs.
 */
export function scaffoldManifest(input: ManifestInput): { resource: Record<string, unknown>; warnings: string[] } {
  const warnings: string[] = [];
  const title = input.title ?? input.metadata.annotations[ANNOTATION.title];
  if (title !== undefined && !NAME.test(title))
    throw new ScaffoldError(
      `Invalid title '${title}'. Must use lowercase alphanumeric chars, '-' or '.', start/end with alphanumeric.`,
    );
  const clusterWide =
    input.type === 'ClusterAdmissionPolicy' ||
    input.type === 'ClusterAdmissionPolicyGroup' ||
    input.type === 'policies.yml';
  let contextAware: ContextAwareResource[] = input.metadata.contextAwareResources;
  if (contextAware.length > 0 && clusterWide) {
    if (input.allowContextAware) {
      warnings.push(
        'Policy has been granted access to the Kubernetes resources mentioned by its metadata.',
        'Carefully review the contents of the `contextAwareResources` attribute for abuses.',
      );
    } else {
      warnings.push(
        'Policy requires access to Kubernetes resources at evaluation time. For safety reasons, the `contextAwareResources` attribute has been left empty.',
        'Carefully review which types of Kubernetes resources the policy needs via the `inspect` command an populate the `contextAwareResources` accordingly.',
        'Otherwise, invoke the `scaffold` command using the `--allow-context-aware` flag.',
      );
      contextAware = [];
    }
  }
  if (!clusterWide) contextAware = [];
  const annotations: Record<string, string> = {};
  for (const key of [ANNOTATION.severity, ANNOTATION.category]) {
    const v = input.metadata.annotations[key];
    if (v !== undefined) annotations[key] = v;
  }
  const metadata: Record<string, unknown> = {};
  if (title !== undefined) metadata.name = title;
  if (Object.keys(annotations).length > 0) metadata.annotations = annotations;
  if (input.type === 'policies.yml') {
    // policy-server's own configuration: one entry keyed by the policy's name; it has no rules (the webhook does).
    const entry: Record<string, unknown> = {
      module: input.uri,
      settings: input.settings,
      allowedToMutate: input.metadata.mutating,
    };
    if (contextAware.length > 0)
      entry.contextAwareResources = contextAware.map((r) => ({ apiVersion: r.apiVersion, kind: r.kind }));
    return { resource: { [title ?? 'policy']: entry }, warnings };
  }
  const rules = input.metadata.rules.map(ruleOf);
  const tail: Record<string, unknown> = {};
  if (!input.metadata.backgroundAudit) tail.backgroundAudit = false;
  if (contextAware.length > 0)
    tail.contextAwareResources = contextAware.map((r) => ({ apiVersion: r.apiVersion, kind: r.kind }));
  let spec: Record<string, unknown>;
  if (input.type === 'ClusterAdmissionPolicy' || input.type === 'AdmissionPolicy') {
    spec = { module: input.uri, settings: input.settings, rules, mutating: input.metadata.mutating, ...tail };
  } else {
    // Groups: the module is the one member, named for the expression (an identifier), and may not mutate.
    const member = memberName(title ?? 'policy');
    const entry: Record<string, unknown> = { module: input.uri, settings: input.settings };
    if (contextAware.length > 0) entry.contextAwareResources = tail.contextAwareResources;
    if (input.metadata.mutating)
      warnings.push('Policy groups cannot mutate: the mutations of the module are rejected inside a group.');
    spec = {
      rules,
      policies: { [member]: entry },
      expression: `${member}()`,
      message: 'the request was rejected by the policy group',
      ...(tail.backgroundAudit === false ? { backgroundAudit: false } : {}),
    };
  }
  return { resource: { apiVersion: 'policies.kubewarden.io/v1', kind: input.type, metadata, spec }, warnings };
}

function ruleOf(r: PolicyRule): Record<string, unknown> {
  return {
    apiGroups: r.apiGroups,
    apiVersions: r.apiVersions,
    resources: r.resources,
    operations: r.operations,
    ...(r.scope !== undefined ? { scope: r.scope } : {}),
  };
}

/** A group member name usable in the expression: letters, digits and underscores. */
function memberName(title: string): string {
  const n = title.replace(/[^A-Za-z0-9_]/g, '_');
  return /^[A-Za-z_]/.test(n) ? n : `p_${n}`;
}
