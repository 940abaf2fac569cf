/** scheduling.k8s.io/v1 defaults: kubernetes pkg/apis/scheduling/v1/defaults.go. */
import type { JsonObject } from '../context';
import { setDefault } from './json';

/** SetDefaults_PriorityClass. */
export function defaultPriorityClass(obj: JsonObject): void {
  setDefault(obj, 'preemptionPolicy', 'PreemptLowerPriority');
}
