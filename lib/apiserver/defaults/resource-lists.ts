/**
 * SetDefaults_ResourceList (kubernetes pkg/apis/core/v1/defaults.go): every quantity of a resource list is
 * rounded up to milli precision (`RoundUp(-3)`), which re-canonicalises values with sub-milli precision.
 */
import type { JsonObject } from '../context';
import { roundUpToMilli } from '../quantity';
import { child, isObject } from './json';

/** Rounds every quantity of the resource list at `obj[key]` in place. */
export function roundResourceList(obj: JsonObject | undefined, key: string): void {
  if (obj === undefined) return;
  const list = obj[key];
  if (!isObject(list)) return;
  for (const [name, value] of Object.entries(list)) {
    if (typeof value === 'string') list[name] = roundUpToMilli(value);
    else if (typeof value === 'number') list[name] = roundUpToMilli(String(value));
  }
}

/** `limits` and `requests` of a ResourceRequirements (containers, pod-level resources, PVC spec.resources). */
export function roundResourceRequirements(owner: JsonObject | undefined, key = 'resources'): void {
  if (owner === undefined) return;
  const reqs = child(owner, key);
  roundResourceList(reqs, 'limits');
  roundResourceList(reqs, 'requests');
}
