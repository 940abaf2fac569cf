import { HostCallError } from './errors';

/**
 * The `(binding, namespace, operation)` triples a policy may call (docs/host-interface.md §2). `local` ones are answered in the
 * thread that runs the guest; the others need I/O and go to the main thread.
 */
export type Route =
  | { kind: 'tracing-log' }
  | { kind: 'kubernetes'; operation: KubernetesOperation }
  | { kind: 'legacy-kubernetes'; resource: 'ingresses' | 'namespaces' | 'services' }
  | {
      kind: 'oci';
      operation: 'v1/manifest_digest' | 'v1/oci_manifest' | 'v1/oci_manifest_config' | 'v1/verify' | 'v2/verify';
    }
  | { kind: 'net'; operation: 'v1/dns_lookup_host' }
  | { kind: 'crypto'; operation: 'v1/is_certificate_trusted' };

export type KubernetesOperation = 'list_resources_by_namespace' | 'list_resources_all' | 'get_resource' | 'can_i';

const KUBEWARDEN: Record<string, readonly string[]> = {
  tracing: ['log'],
  oci: ['v1/manifest_digest', 'v1/oci_manifest', 'v1/oci_manifest_config', 'v1/verify', 'v2/verify'],
  net: ['v1/dns_lookup_host'],
  crypto: ['v1/is_certificate_trusted'],
  kubernetes: ['list_resources_by_namespace', 'list_resources_all', 'get_resource', 'can_i'],
};

const LEGACY = ['ingresses', 'namespaces', 'services'] as const;

/** The route of a triple, or the host error policy-evaluator gives for an unknown one (its exact texts). */
export function routeOf(binding: string, namespace: string, operation: string): Route {
  if (binding === 'kubernetes') {
    // The deprecated "ClusterContext" API: the operation and payload are ignored.
    if ((LEGACY as readonly string[]).includes(namespace))
      return { kind: 'legacy-kubernetes', resource: namespace as (typeof LEGACY)[number] };
    throw new HostCallError(`unknown namespace: ${namespace}`);
  }
  if (binding !== 'kubewarden') throw new HostCallError(`unknown binding: ${binding}`);
  const ops = KUBEWARDEN[namespace];
  if (!ops) throw new HostCallError(`unknown namespace: ${namespace}`);
  if (!ops.includes(operation)) throw new HostCallError(`unknown operation: ${operation}`);
  switch (namespace) {
    case 'tracing':
      return { kind: 'tracing-log' };
    case 'kubernetes':
      return { kind: 'kubernetes', operation: operation as KubernetesOperation };
    case 'oci':
      return { kind: 'oci', operation: operation as Extract<Route, { kind: 'oci' }>['operation'] };
    case 'net':
      return { kind: 'net', operation: 'v1/dns_lookup_host' };
    default:
      return { kind: 'crypto', operation: 'v1/is_certificate_trusted' };
  }
}
