/**
 * The QoS class of a pod, as kubernetes pkg/apis/core/helper/qos/qos.go ComputePodQOS computes it on the
 * internal object: only cpu and memory values above zero count; with PodLevelResources on and
 * `spec.resources` set the pod-level lists decide, else the regular and init containers'.
 */
import type { JsonObject, ObjectContext } from '../context';
import { gateEnabled } from '../defaults/feature-gates';
import { child, children } from '../defaults/json';
import { addQuantities, compareQuantities, isPositiveQuantity } from '../defaults/quantity-math';

export type QOSClass = 'Guaranteed' | 'Burstable' | 'BestEffort';

const QOS_RESOURCES = new Set(['cpu', 'memory']);

type Totals = Record<string, string>;

/** Adds the counted entries of `list` into `into`; returns the names counted. */
function accumulate(into: Totals, list: JsonObject | undefined): Set<string> {
  const found = new Set<string>();
  for (const [name, value] of Object.entries(list ?? {})) {
    if (!QOS_RESOURCES.has(name) || typeof value !== 'string' || !isPositiveQuantity(value)) continue;
    found.add(name);
    into[name] = name in into ? addQuantities(value, into[name]) : value;
  }
  return found;
}

export function computePodQOS(spec: JsonObject, ctx: ObjectContext): QOSClass {
  const requests: Totals = {};
  const limits: Totals = {};
  let guaranteed = true;
  const podResources = child(spec, 'resources');
  if (gateEnabled(ctx, 'PodLevelResources') && podResources !== undefined) {
    accumulate(requests, child(podResources, 'requests'));
    const podLimits = child(podResources, 'limits');
    if (podLimits !== undefined && Object.keys(podLimits).length > 0) {
      // processResourceList then getQOSResources: a zero limit is still "found" at pod level.
      accumulate(limits, podLimits);
      const found = new Set(
        Object.keys(podLimits).filter((k) => QOS_RESOURCES.has(k) && isPositiveQuantity(String(podLimits[k]))),
      );
      if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
    } else {
      guaranteed = false;
    }
  } else {
    for (const c of [...children(spec, 'containers'), ...children(spec, 'initContainers')]) {
      const resources = child(c, 'resources');
      accumulate(requests, resources === undefined ? undefined : child(resources, 'requests'));
      const found = accumulate(limits, resources === undefined ? undefined : child(resources, 'limits'));
      if (!found.has('cpu') || !found.has('memory')) guaranteed = false;
    }
  }
  if (Object.keys(requests).length === 0 && Object.keys(limits).length === 0) return 'BestEffort';
  if (guaranteed) {
    for (const [name, req] of Object.entries(requests)) {
      if (!(name in limits) || compareQuantities(limits[name], req) !== 0) {
        guaranteed = false;
        break;
      }
    }
  }
  return guaranteed && Object.keys(requests).length === Object.keys(limits).length ? 'Guaranteed' : 'Burstable';
}
