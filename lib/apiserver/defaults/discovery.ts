/** discovery.k8s.io/v1 defaults: kubernetes pkg/apis/discovery/v1/defaults.go. */
import type { JsonObject } from '../context';
import { children, setDefault } from './json';

/** SetDefaults_EndpointPort (the name pointer is emitted as ""). */
export function defaultEndpointSlice(obj: JsonObject): void {
  for (const port of children(obj, 'ports')) {
    if (port.name === undefined || port.name === null) port.name = '';
    setDefault(port, 'protocol', 'TCP');
  }
}
