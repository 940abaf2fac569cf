import type { Route } from './routes';

/**
 * Which host capabilities a run grants its policies: kwctl's `--allowed-host-capabilities` (kwctl ≥ 1.35), with
 * Kubewarden's capability identifiers (`<namespace>/<operation>`, e.g. `oci/v1/manifest_digest`,
 * `kubernetes/get_resource`) and patterns (`*`, `oci/*`, `oci/v2/*`). docs/host-capabilities.md, "Grants".
 */
export const HOST_CAPABILITY_IDS = [
  'kubernetes/list_resources_by_namespace',
  'kubernetes/list_resources_all',
  'kubernetes/get_resource',
  'kubernetes/can_i',
  'kubernetes/ingresses',
  'kubernetes/namespaces',
  'kubernetes/services',
  'oci/v1/manifest_digest',
  'oci/v1/oci_manifest',
  'oci/v1/oci_manifest_config',
  'oci/v1/verify',
  'oci/v2/verify',
  'net/v1/dns_lookup_host',
  'crypto/v1/is_certificate_trusted',
] as const;

/**
 * Granted when the flag is not given. Kubernetes reads stay gated by each policy's contextAwareResources, and
 * reach a live cluster only with a flag that chooses it (--context-from-cluster, --from-cluster, audit).
 * Registries (with the user's Docker credentials) and DNS leave the machine at a policy's choice: never by default.
 */
export const DEFAULT_ALLOWED_HOST_CAPABILITIES: readonly string[] = ['kubernetes/*'];

/** The identifier of a routed call; undefined for what is answered without leaving the process (tracing, crypto). */
export function capabilityId(route: Route, namespace: string, operation: string): string | undefined {
  switch (route.kind) {
    case 'tracing-log':
    case 'crypto':
      return undefined;
    case 'legacy-kubernetes':
      return `kubernetes/${route.resource}`;
    default:
      return `${namespace}/${operation}`;
  }
}

/** Whether `id` matches a pattern: `*`, an exact identifier, or `prefix/*` for everything under prefix/. */
export function isGranted(id: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => p === '*' || p === id || (p.endsWith('/*') && id.startsWith(p.slice(0, -1))));
}

/** The flag's patterns, checked: each must name or cover at least one capability. Throws an Error saying which. */
export function parseAllowedHostCapabilities(values: readonly string[]): string[] {
  const out: string[] = [];
  for (const raw of values.flatMap((v) => v.split(','))) {
    const p = raw.trim();
    if (p === '') continue;
    if (!HOST_CAPABILITY_IDS.some((id) => isGranted(id, [p]))) {
      throw new Error(
        `--allowed-host-capabilities: "${p}" matches no host capability (known: ${HOST_CAPABILITY_IDS.join(', ')}; patterns: *, oci/*, oci/v2/*, ...)`,
      );
    }
    out.push(p);
  }
  return out;
}

/** What the policy gets, as a host error, for a capability the run did not grant. */
export function notGrantedMessage(id: string): string {
  const family = id.split('/')[0];
  return `Policy has not been granted the host capability ${id}. Grant it with --allowed-host-capabilities ${id} (or ${family}/*)`;
}
