/** networking.k8s.io/v1 defaults: kubernetes pkg/apis/networking/v1/defaults.go. */
import type { JsonObject } from '../context';
import { child, children, ensureChild, isEmpty, setDefault } from './json';

/** SetDefaults_NetworkPolicy and SetDefaults_NetworkPolicyPort. */
export function defaultNetworkPolicy(obj: JsonObject): void {
  const spec = ensureChild(obj, 'spec');
  for (const direction of ['ingress', 'egress']) {
    for (const rule of children(spec, direction))
      for (const port of children(rule, 'ports')) setDefault(port, 'protocol', 'TCP');
  }
  if (isEmpty(spec.policyTypes)) {
    spec.policyTypes = isEmpty(spec.egress) ? ['Ingress'] : ['Ingress', 'Egress'];
  }
}

/** SetDefaults_IngressClass. */
export function defaultIngressClass(obj: JsonObject): void {
  const parameters = child(child(obj, 'spec') ?? {}, 'parameters');
  if (parameters !== undefined) setDefault(parameters, 'scope', 'Cluster');
}
