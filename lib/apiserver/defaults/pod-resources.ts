/**
 * The containers' effective resources of a pod, as kubernetes staging/src/k8s.io/component-helpers/resource
 * (AggregateContainerRequests / AggregateContainerLimits) computes them: regular containers and restartable
 * (sidecar) init containers add up; each ordinary init container counts with the sidecars started before it;
 * the pod needs the larger of the two.
 */
import type { JsonObject, JsonValue } from '../context';
import { addQuantities, compareQuantities } from './quantity-math';
import { child, children } from './json';

type ResourceList = Record<string, string>;

/** The resource names pod-level resources accept (IsSupportedPodLevelResource): cpu, memory, hugepages-*. */
export function isSupportedPodLevelResource(name: string): boolean {
  return name === 'cpu' || name === 'memory' || isHugePageResource(name);
}

export function isHugePageResource(name: string): boolean {
  return name.startsWith('hugepages-');
}

function listOf(container: JsonObject, which: 'requests' | 'limits'): ResourceList {
  const list = child(child(container, 'resources') ?? {}, which) ?? {};
  const out: ResourceList = {};
  for (const [k, v] of Object.entries(list)) if (typeof v === 'string') out[k] = v;
  return out;
}

function addInto(into: ResourceList, from: ResourceList): void {
  for (const [k, v] of Object.entries(from)) into[k] = k in into ? addQuantities(into[k], v) : v;
}

function maxInto(into: ResourceList, from: ResourceList): void {
  for (const [k, v] of Object.entries(from)) if (!(k in into) || compareQuantities(v, into[k]) > 0) into[k] = v;
}

export function aggregateContainerResources(spec: JsonObject, which: 'requests' | 'limits'): Record<string, JsonValue> {
  const total: ResourceList = {};
  for (const c of children(spec, 'containers')) addInto(total, listOf(c, which));
  const sidecars: ResourceList = {};
  const initMax: ResourceList = {};
  for (const c of children(spec, 'initContainers')) {
    const own = listOf(c, which);
    let effective: ResourceList;
    if (c.restartPolicy === 'Always') {
      addInto(total, own);
      addInto(sidecars, own);
      effective = { ...sidecars };
    } else {
      effective = { ...own };
      addInto(effective, sidecars);
    }
    maxInto(initMax, effective);
  }
  maxInto(total, initMax);
  return total;
}
