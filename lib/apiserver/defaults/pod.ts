/**
 * Pod-only defaults (spec table B): SetDefaults_Pod of kubernetes pkg/apis/core/v1/defaults.go, which the
 * generated SetObjectDefaults_Pod runs before the PodSpec defaults. Pod templates do not get these.
 */
import type { DefaultingContext, JsonObject } from '../context';
import { gateEnabled } from './feature-gates';
import { child, children, ensureChild, isObject, setDefault } from './json';
import { aggregateContainerResources, isHugePageResource, isSupportedPodLevelResource } from './pod-resources';

export function defaultPod(pod: JsonObject, ctx: DefaultingContext): void {
  const spec = ensureChild(pod, 'spec');
  for (const c of [...children(spec, 'containers'), ...children(spec, 'initContainers')]) defaultRequestsFromLimits(c);
  if (gateEnabled(ctx, 'PodLevelResources')) {
    defaultHugePagePodLimits(spec);
    defaultPodRequests(spec);
  }
  setDefault(spec, 'enableServiceLinks', true);
  if (spec.hostNetwork === true) {
    for (const c of [...children(spec, 'containers'), ...children(spec, 'initContainers')]) defaultHostNetworkPorts(c);
  }
}

/** A container's missing requests are copies of its limits (not for ephemeral containers). */
export function defaultRequestsFromLimits(container: JsonObject): void {
  const resources = child(container, 'resources');
  const limits = resources === undefined ? undefined : child(resources, 'limits');
  if (resources === undefined || limits === undefined) return;
  const requests = ensureChild(resources, 'requests');
  for (const [name, value] of Object.entries(limits)) if (!(name in requests)) requests[name] = value;
  if (Object.keys(requests).length === 0) delete resources.requests;
}

/** defaultHostNetworkPorts: with hostNetwork, a port's hostPort 0 becomes its containerPort. */
export function defaultHostNetworkPorts(container: JsonObject): void {
  for (const port of children(container, 'ports')) {
    if (port.hostPort === undefined || port.hostPort === 0 || port.hostPort === null)
      port.hostPort = port.containerPort ?? 0;
  }
}

/** defaultHugePagePodLimits: pod-level hugepage limits from the containers' aggregated limits. */
export function defaultHugePagePodLimits(spec: JsonObject): void {
  const resources = child(spec, 'resources');
  if (resources === undefined) return;
  const limits = child(resources, 'limits') ?? {};
  const requests = child(resources, 'requests') ?? {};
  if (Object.keys(limits).length === 0 && Object.keys(requests).length === 0) return;
  const aggregated = aggregateContainerResources(spec, 'limits');
  for (const [name, value] of Object.entries(aggregated)) {
    if (!(name in limits) && isSupportedPodLevelResource(name) && isHugePageResource(name)) limits[name] = value;
  }
  if (Object.keys(limits).length > 0) resources.limits = limits;
}

/**
 * defaultPodRequests: with pod-level limits set, pod-level requests default to the containers' aggregated
 * requests for non-hugepage resources, then to the pod-level limits.
 */
export function defaultPodRequests(spec: JsonObject): void {
  const resources = child(spec, 'resources');
  if (resources === undefined) return;
  const limits = child(resources, 'limits');
  if (limits === undefined || Object.keys(limits).length === 0) return;
  const requests: JsonObject = isObject(resources.requests) ? resources.requests : {};
  const aggregated = aggregateContainerResources(spec, 'requests');
  for (const [name, value] of Object.entries(aggregated)) {
    if (!(name in requests) && isSupportedPodLevelResource(name) && !isHugePageResource(name)) requests[name] = value;
  }
  for (const [name, value] of Object.entries(limits)) {
    if (!(name in requests) && isSupportedPodLevelResource(name)) requests[name] = value;
  }
  if (Object.keys(requests).length > 0) resources.requests = requests;
}
