/**
 * Pod PrepareForCreate (kubernetes pkg/registry/core/pod/strategy.go): generation 1, status reset to
 * Pending with the QoS class, disabled fields dropped, the scheduling-gated condition, matchLabelKeys merged
 * into affinity and topology-spread selectors, AppArmor annotations copied into fields.
 */
import { kubeTime, type JsonObject, type JsonValue, type ObjectContext } from '../context';
import { gateEnabled } from '../defaults/feature-gates';
import { child, children, ensureChild, isObject, str } from '../defaults/json';
import { dropDisabledPodSpecFields } from './drop-disabled';
import { computePodQOS } from './qos';

export function preparePod(pod: JsonObject, ctx: ObjectContext): void {
  const metadata = ensureChild(pod, 'metadata');
  metadata.generation = 1;
  const spec = ensureChild(pod, 'spec');
  const supplied = str(child(pod, 'status')?.qosClass);
  pod.status = { phase: 'Pending', qosClass: supplied !== '' ? supplied : computePodQOS(spec, ctx) };
  dropDisabledPodSpecFields(spec, ctx);
  applySchedulingGatedCondition(pod, ctx);
  const labels = child(metadata, 'labels') ?? {};
  if (gateEnabled(ctx, 'MatchLabelKeysInPodAffinity')) mutatePodAffinity(spec, labels);
  if (
    gateEnabled(ctx, 'MatchLabelKeysInPodTopologySpread') &&
    gateEnabled(ctx, 'MatchLabelKeysInPodTopologySpreadSelectorMerge')
  ) {
    mutateTopologySpreadConstraints(spec, labels);
  }
  applyAppArmorVersionSkew(pod);
}

/** applySchedulingGatedCondition. */
export function applySchedulingGatedCondition(pod: JsonObject, ctx: ObjectContext): void {
  const spec = ensureChild(pod, 'spec');
  if (children(spec, 'schedulingGates').length === 0) return;
  const status = ensureChild(pod, 'status');
  const conditions = children(status, 'conditions');
  if (conditions.some((c) => c.type === 'PodScheduled')) return;
  conditions.push({
    type: 'PodScheduled',
    status: 'False',
    lastProbeTime: null,
    lastTransitionTime: kubeTime(ctx.now),
    reason: 'SchedulingGated',
    message: 'Scheduling is blocked due to non-empty scheduling gates',
  });
  status.conditions = conditions;
}

function appendExpressions(
  selector: JsonObject,
  keys: JsonValue | undefined,
  labels: JsonObject,
  operator: 'In' | 'NotIn',
): void {
  if (!Array.isArray(keys)) return;
  for (const key of keys) {
    if (typeof key !== 'string' || typeof labels[key] !== 'string') continue;
    const expressions = Array.isArray(selector.matchExpressions) ? selector.matchExpressions : [];
    expressions.push({ key, operator, values: [labels[key]] });
    selector.matchExpressions = expressions;
  }
}

function updateAffinityTerm(term: JsonObject, labels: JsonObject): void {
  const selector = child(term, 'labelSelector');
  if (selector === undefined) return;
  appendExpressions(selector, term.matchLabelKeys, labels, 'In');
  appendExpressions(selector, term.mismatchLabelKeys, labels, 'NotIn');
}

/** mutatePodAffinity: required and preferred terms of podAffinity and podAntiAffinity. */
export function mutatePodAffinity(spec: JsonObject, labels: JsonObject): void {
  const affinity = child(spec, 'affinity');
  if (affinity === undefined) return;
  for (const kind of ['podAffinity', 'podAntiAffinity']) {
    const a = child(affinity, kind);
    if (a === undefined) continue;
    for (const term of children(a, 'requiredDuringSchedulingIgnoredDuringExecution')) updateAffinityTerm(term, labels);
    for (const weighted of children(a, 'preferredDuringSchedulingIgnoredDuringExecution')) {
      const term = child(weighted, 'podAffinityTerm');
      if (term !== undefined) updateAffinityTerm(term, labels);
    }
  }
}

/** mutateTopologySpreadConstraints (1.34+: the API server merges matchLabelKeys into the selector). */
export function mutateTopologySpreadConstraints(spec: JsonObject, labels: JsonObject): void {
  for (const constraint of children(spec, 'topologySpreadConstraints')) {
    const selector = child(constraint, 'labelSelector');
    if (selector !== undefined) appendExpressions(selector, constraint.matchLabelKeys, labels, 'In');
  }
}

const APPARMOR_PREFIX = 'container.apparmor.security.beta.kubernetes.io/';

/** ApparmorFieldForAnnotation, or undefined when the annotation is not a valid profile. */
function appArmorFieldFor(annotation: string): JsonObject | undefined {
  if (annotation === 'runtime/default') return { type: 'RuntimeDefault' };
  if (annotation === 'unconfined') return { type: 'Unconfined' };
  if (annotation.startsWith('localhost/')) {
    const profile = annotation.slice('localhost/'.length);
    return profile === '' ? undefined : { type: 'Localhost', localhostProfile: profile };
  }
  return undefined;
}

function sameProfile(a: JsonObject, b: JsonObject | undefined): boolean {
  return b !== undefined && a.type === b.type && str(a.localhostProfile) === str(b.localhostProfile);
}

/** applyAppArmorVersionSkew, annotation → field direction, for non-Windows pods. */
export function applyAppArmorVersionSkew(pod: JsonObject): void {
  const spec = ensureChild(pod, 'spec');
  if (child(spec, 'os')?.name === 'windows') return;
  const annotations = child(ensureChild(pod, 'metadata'), 'annotations') ?? {};
  const podProfile = child(child(spec, 'securityContext') ?? {}, 'appArmorProfile');
  for (const c of [
    ...children(spec, 'initContainers'),
    ...children(spec, 'containers'),
    ...children(spec, 'ephemeralContainers'),
  ]) {
    const annotation = annotations[APPARMOR_PREFIX + str(c.name)];
    if (typeof annotation !== 'string') continue;
    if (isObject(child(c, 'securityContext')?.appArmorProfile)) continue;
    const field = appArmorFieldFor(annotation);
    if (field === undefined || sameProfile(field, podProfile)) continue;
    ensureChild(c, 'securityContext').appArmorProfile = field;
  }
}
