/**
 * The Priority admission plugin (kubernetes plugin/pkg/admission/priority/admission.go) on Pod CREATE,
 * for a cluster with no globalDefault PriorityClass: a pod without `priorityClassName` gets priority 0 and
 * preemptionPolicy PreemptLowerPriority; the two classes every cluster has
 * (pkg/apis/scheduling SystemPriorityClasses) resolve to their values. Other class names are cluster state:
 * left as they are. A conflicting user-supplied priority (403 in a cluster) is not reported.
 */
import type { JsonObject, PluginContext } from '../context';
import { ensureChild, str } from '../defaults/json';

const SYSTEM_CLASSES: Readonly<Record<string, number>> = {
  'system-node-critical': 2000001000,
  'system-cluster-critical': 2000000000,
};

export function admitPriority(pod: JsonObject, ctx: PluginContext): void {
  if (ctx.operation !== 'CREATE') return;
  const spec = ensureChild(pod, 'spec');
  const className = str(spec.priorityClassName);
  let priority: number | undefined;
  if (className === '') priority = 0;
  else priority = SYSTEM_CLASSES[className];
  if (priority === undefined) return;
  if (typeof spec.priority !== 'number') spec.priority = priority;
  if (typeof spec.preemptionPolicy !== 'string' || spec.preemptionPolicy === '') spec.preemptionPolicy = 'PreemptLowerPriority';
}
