/**
 * What the API server does to an updated object after mutating admission and before validating admission:
 * the Store's BeginUpdate (Service: allocated values kept) and `rest.BeforeUpdate` (k8s.io/apiserver
 * pkg/registry/generic/registry/store.go Update, pkg/registry/rest/update.go): generation copied from the stored
 * object, the strategy's PrepareForUpdate, then uid, creationTimestamp and deletion fields kept from the stored
 * object, and Canonicalize. Strategies: kubernetes pkg/registry/<group>/<resource>/strategy.go and
 * apiextensions-apiserver pkg/registry/{customresourcedefinition,customresource}/strategy.go. Visible to
 * validating policies only. `old` is the stored object, decoded and defaulted as the cluster stores it.
 */
import { isDeepStrictEqual } from 'node:util';
import type { JsonObject, JsonValue, PrepareContext } from '../context';
import { DAEMONSET_TEMPLATE_GENERATION } from '../defaults/conversion';
import { gvkKey } from '../defaults/index';
import { child, children, ensureChild, isObject, isUnset, str } from '../defaults/json';
import { prepareServiceAccount } from './core';
import { dropDisabledPodSpecFields, dropDisabledTemplateFields } from './drop-disabled';

export type UpdateRule = (obj: JsonObject, old: JsonObject, ctx: PrepareContext) => void;

const same = (a: JsonValue | undefined, b: JsonValue | undefined): boolean => isDeepStrictEqual(a ?? null, b ?? null);

function generationOf(obj: JsonObject): number {
  const g = child(obj, 'metadata')?.generation;
  return typeof g === 'number' ? g : 0;
}

/** `metadata.generation`; 0 is Go's zero, which omitempty leaves out. */
function setGeneration(obj: JsonObject, generation: number): void {
  const metadata = ensureChild(obj, 'metadata');
  if (generation === 0) delete metadata.generation;
  else metadata.generation = generation;
}

/** The new generation when `changed`: one more than the stored object's. */
function bumpIf(obj: JsonObject, old: JsonObject, changed: boolean): void {
  if (changed) setGeneration(obj, generationOf(old) + 1);
}

/** `new.Status = old.Status`. */
function keepStatus(obj: JsonObject, old: JsonObject): void {
  if (old.status === undefined) delete obj.status;
  else obj.status = structuredClone(old.status);
}

/**
 * DropDisabledPodFields / DropDisabledTemplateFields with an old object: a disabled feature's fields are kept when
 * the stored object uses them. Approximated for the whole spec: nothing is dropped when the stored object uses any
 * disabled field (docs/admission-path.md says so), else the create-time dropping applies.
 */
function dropDisabledSpec(spec: JsonObject | undefined, oldSpec: JsonObject | undefined, ctx: PrepareContext): void {
  dropUnlessStoredUses(spec, oldSpec, dropDisabledPodSpecFields, ctx);
}

function dropDisabledTemplate(
  template: JsonObject | undefined,
  oldTemplate: JsonObject | undefined,
  ctx: PrepareContext,
): void {
  dropUnlessStoredUses(template, oldTemplate, dropDisabledTemplateFields, ctx);
}

/** `drop` on the new value, unless the stored one has something `drop` would take away. */
function dropUnlessStoredUses(
  value: JsonObject | undefined,
  stored: JsonObject | undefined,
  drop: (v: JsonObject, ctx: PrepareContext) => void,
  ctx: PrepareContext,
): void {
  if (value === undefined) return;
  if (stored !== undefined) {
    const probe = structuredClone(stored);
    drop(probe, ctx);
    if (!same(probe, stored)) return;
  }
  drop(value, ctx);
}

const spec = (o: JsonObject): JsonObject | undefined => child(o, 'spec');
const template = (o: JsonObject): JsonObject | undefined => child(spec(o) ?? {}, 'template');

/** Pod: status kept, disabled fields dropped, generation bumped when the spec changed (updatePodGeneration). */
export function updatePod(obj: JsonObject, old: JsonObject, ctx: PrepareContext): void {
  keepStatus(obj, old);
  dropDisabledSpec(spec(obj), spec(old), ctx);
  bumpIf(obj, old, !same(obj.spec, old.spec));
}

/** ReplicationController, ReplicaSet, StatefulSet, Job, CronJob: status kept, template dropping, bump on spec change. */
export function updateWorkload(obj: JsonObject, old: JsonObject, ctx: PrepareContext): void {
  keepStatus(obj, old);
  if (obj.kind === 'CronJob') {
    const jobSpec = (o: JsonObject): JsonObject | undefined => child(child(spec(o) ?? {}, 'jobTemplate') ?? {}, 'spec');
    dropDisabledTemplate(child(jobSpec(obj) ?? {}, 'template'), child(jobSpec(old) ?? {}, 'template'), ctx);
  } else {
    dropDisabledTemplate(template(obj), template(old), ctx);
  }
  bumpIf(obj, old, !same(obj.spec, old.spec));
}

/** Deployment: as the other workloads, and annotation changes bump the generation too (they are copied to ReplicaSets). */
export function updateDeployment(obj: JsonObject, old: JsonObject, ctx: PrepareContext): void {
  keepStatus(obj, old);
  dropDisabledTemplate(template(obj), template(old), ctx);
  const annotations = (o: JsonObject): JsonValue | undefined => child(o, 'metadata')?.annotations;
  bumpIf(obj, old, !same(obj.spec, old.spec) || !same(annotations(obj), annotations(old)));
}

function templateGenerationOf(obj: JsonObject): number {
  const v = child(child(obj, 'metadata') ?? {}, 'annotations')?.[DAEMONSET_TEMPLATE_GENERATION];
  return typeof v === 'string' && /^[+-]?\d+$/.test(v) ? Number.parseInt(v, 10) : 0;
}

/**
 * DaemonSet: status kept; the template generation (the `deprecated.daemonset.template.generation` annotation in
 * apps/v1) is the stored one, plus one with the generation when the template changed; a spec change bumps the
 * generation.
 */
export function updateDaemonSet(obj: JsonObject, old: JsonObject, ctx: PrepareContext): void {
  keepStatus(obj, old);
  dropDisabledTemplate(template(obj), template(old), ctx);
  const annotations = ensureChild(ensureChild(obj, 'metadata'), 'annotations');
  const stored = templateGenerationOf(old);
  if (!same(template(obj), template(old))) {
    annotations[DAEMONSET_TEMPLATE_GENERATION] = String(stored + 1);
    setGeneration(obj, generationOf(old) + 1);
    return;
  }
  annotations[DAEMONSET_TEMPLATE_GENERATION] = String(stored);
  bumpIf(obj, old, !same(obj.spec, old.spec));
}

/** PodTemplate: template dropping; a template change bumps the generation. */
export function updatePodTemplate(obj: JsonObject, old: JsonObject, ctx: PrepareContext): void {
  dropDisabledTemplate(child(obj, 'template'), child(old, 'template'), ctx);
  bumpIf(obj, old, !same(obj.template, old.template));
}

/** Ingress, PodDisruptionBudget, ValidatingAdmissionPolicy, FlowSchema, PriorityLevelConfiguration, CRDs: status kept, bump on spec change. */
export function updateStatusAndSpecGeneration(obj: JsonObject, old: JsonObject): void {
  keepStatus(obj, old);
  bumpIf(obj, old, !same(obj.spec, old.spec));
}

/** NetworkPolicy, IngressClass, ValidatingAdmissionPolicyBinding: bump on spec change. */
export function updateSpecGeneration(obj: JsonObject, old: JsonObject): void {
  bumpIf(obj, old, !same(obj.spec, old.spec));
}

/** Validating/MutatingWebhookConfiguration: bump when the webhooks changed. */
export function updateWebhookConfiguration(obj: JsonObject, old: JsonObject): void {
  bumpIf(obj, old, !same(obj.webhooks, old.webhooks));
}

/** EndpointSlice: bump when anything but metadata changed, or the labels. */
export function updateEndpointSlice(obj: JsonObject, old: JsonObject): void {
  const rest = (o: JsonObject): JsonObject => {
    const { metadata: _metadata, ...others } = o;
    return others;
  };
  const labels = (o: JsonObject): JsonValue | undefined => child(o, 'metadata')?.labels;
  bumpIf(obj, old, !same(rest(obj), rest(old)) || !same(labels(obj), labels(old)));
}

/** Namespace: finalizers and status kept; Canonicalize sets the name label. */
export function updateNamespace(obj: JsonObject, old: JsonObject): void {
  const finalizers = child(old, 'spec')?.finalizers;
  const s = ensureChild(obj, 'spec');
  if (finalizers === undefined) delete s.finalizers;
  else s.finalizers = structuredClone(finalizers);
  if (Object.keys(s).length === 0 && old.spec === undefined) delete obj.spec;
  keepStatus(obj, old);
  const name = str(child(obj, 'metadata')?.name);
  if (name !== '') ensureChild(ensureChild(obj, 'metadata'), 'labels')['kubernetes.io/metadata.name'] = name;
}

/** Kinds whose PrepareForUpdate keeps the stored status and nothing else (PVC, PV, ResourceQuota, HPA). */
export function updateStatusOnly(obj: JsonObject, old: JsonObject): void {
  keepStatus(obj, old);
}

/** CertificateSigningRequest: spec and status are the stored ones (they change only through subresources). */
export function updateCertificateSigningRequest(obj: JsonObject, old: JsonObject): void {
  if (old.spec === undefined) delete obj.spec;
  else obj.spec = structuredClone(old.spec);
  keepStatus(obj, old);
}

/** CustomResourceDefinition: status kept, bump on spec change, the storage version added to storedVersions. */
export function updateCustomResourceDefinition(obj: JsonObject, old: JsonObject): void {
  updateStatusAndSpecGeneration(obj, old);
  const storage = children(spec(obj) ?? {}, 'versions').find((v) => v.storage === true);
  if (storage === undefined) return;
  const status = ensureChild(obj, 'status');
  const stored = Array.isArray(status.storedVersions) ? status.storedVersions : [];
  if (!stored.includes(str(storage.name))) status.storedVersions = [...stored, str(storage.name)];
}

const needsClusterIP = (s: JsonObject): boolean => s.type !== 'ExternalName' && s.clusterIP !== 'None';
const needsNodePort = (s: JsonObject): boolean =>
  s.type === 'NodePort' || (s.type === 'LoadBalancer' && s.allocateLoadBalancerNodePorts !== false);
const needsHealthCheckNodePort = (s: JsonObject): boolean =>
  s.type === 'LoadBalancer' && s.externalTrafficPolicy === 'Local';

/**
 * Service BeginUpdate (pkg/registry/core/service/storage/storage.go beginUpdate, patchAllocatedValues): the values
 * the cluster allocated are kept when the update leaves them out (cluster IPs, node ports by port name, health-check
 * node port, IP families); then PrepareForUpdate keeps the status. New allocations of an update (a Service turned
 * NodePort) are not modelled.
 */
export function updateService(obj: JsonObject, old: JsonObject): void {
  const s = ensureChild(obj, 'spec');
  const o = child(old, 'spec') ?? {};
  if (needsClusterIP(o) && needsClusterIP(s)) {
    if (isUnset(s.clusterIP) && !isUnset(o.clusterIP)) s.clusterIP = o.clusterIP;
    if (!Array.isArray(s.clusterIPs) || s.clusterIPs.length === 0) {
      if (Array.isArray(o.clusterIPs) && o.clusterIPs.length > 0) s.clusterIPs = structuredClone(o.clusterIPs);
    }
    if (isUnset(s.ipFamilyPolicy) && !isUnset(o.ipFamilyPolicy)) s.ipFamilyPolicy = o.ipFamilyPolicy;
    if ((!Array.isArray(s.ipFamilies) || s.ipFamilies.length === 0) && Array.isArray(o.ipFamilies))
      s.ipFamilies = structuredClone(o.ipFamilies);
  }
  if (needsNodePort(o) && needsNodePort(s)) {
    const used = (x: JsonObject): Set<number> =>
      new Set(
        children(x, 'ports').flatMap((p) => (typeof p.nodePort === 'number' && p.nodePort !== 0 ? [p.nodePort] : [])),
      );
    const taken = new Set([...used(o)].filter((p) => used(s).has(p)));
    const byName = new Map(children(o, 'ports').map((p) => [str(p.name), p.nodePort]));
    for (const p of children(s, 'ports')) {
      if (typeof p.nodePort === 'number' && p.nodePort !== 0) continue;
      const previous = byName.get(str(p.name));
      if (typeof previous === 'number' && previous !== 0 && !taken.has(previous)) p.nodePort = previous;
    }
  }
  if (needsHealthCheckNodePort(o) && needsHealthCheckNodePort(s) && isUnset(s.healthCheckNodePort))
    if (!isUnset(o.healthCheckNodePort)) s.healthCheckNodePort = o.healthCheckNodePort;
  keepStatus(obj, old);
}

/** `group/version/Kind` → its BeginUpdate and PrepareForUpdate. Kinds without one: BeforeUpdate's common steps only. */
export const UPDATE_RULES: Readonly<Record<string, UpdateRule>> = {
  'v1/Pod': updatePod,
  'v1/ReplicationController': updateWorkload,
  'v1/PodTemplate': updatePodTemplate,
  'v1/Service': updateService,
  'v1/Namespace': updateNamespace,
  'v1/PersistentVolumeClaim': updateStatusOnly,
  'v1/PersistentVolume': updateStatusOnly,
  'v1/ServiceAccount': (obj) => prepareServiceAccount(obj),
  'v1/ResourceQuota': updateStatusOnly,
  'apps/v1/Deployment': updateDeployment,
  'apps/v1/ReplicaSet': updateWorkload,
  'apps/v1/StatefulSet': updateWorkload,
  'apps/v1/DaemonSet': updateDaemonSet,
  'batch/v1/Job': updateWorkload,
  'batch/v1/CronJob': updateWorkload,
  'networking.k8s.io/v1/Ingress': updateStatusAndSpecGeneration,
  'networking.k8s.io/v1/NetworkPolicy': updateSpecGeneration,
  'networking.k8s.io/v1/IngressClass': updateSpecGeneration,
  'discovery.k8s.io/v1/EndpointSlice': updateEndpointSlice,
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': updateWebhookConfiguration,
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': updateWebhookConfiguration,
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding': updateSpecGeneration,
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': updateStatusAndSpecGeneration,
  'flowcontrol.apiserver.k8s.io/v1/FlowSchema': updateStatusAndSpecGeneration,
  'flowcontrol.apiserver.k8s.io/v1/PriorityLevelConfiguration': updateStatusAndSpecGeneration,
  'policy/v1/PodDisruptionBudget': updateStatusAndSpecGeneration,
  'autoscaling/v1/HorizontalPodAutoscaler': updateStatusOnly,
  'autoscaling/v2/HorizontalPodAutoscaler': updateStatusOnly,
  'certificates.k8s.io/v1/CertificateSigningRequest': updateCertificateSigningRequest,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': updateCustomResourceDefinition,
};

/** BeforeUpdate's steps around PrepareForUpdate, for built-in kinds and custom resources alike. */
export function beforeUpdate(
  obj: JsonObject,
  old: JsonObject,
  ctx: PrepareContext,
  rule: UpdateRule | undefined,
): void {
  const metadata = ensureChild(obj, 'metadata');
  const oldMetadata = child(old, 'metadata') ?? {};
  if (!ctx.namespaced) delete metadata.namespace;
  setGeneration(obj, generationOf(old));
  rule?.(obj, old, ctx);
  if (isUnset(metadata.uid) && !isUnset(oldMetadata.uid)) metadata.uid = oldMetadata.uid;
  if (!isUnset(oldMetadata.creationTimestamp)) metadata.creationTimestamp = oldMetadata.creationTimestamp;
  if (!isUnset(oldMetadata.deletionTimestamp)) metadata.deletionTimestamp = oldMetadata.deletionTimestamp;
  if (
    isObject(oldMetadata) &&
    typeof oldMetadata.deletionGracePeriodSeconds === 'number' &&
    isUnset(metadata.deletionGracePeriodSeconds)
  )
    metadata.deletionGracePeriodSeconds = oldMetadata.deletionGracePeriodSeconds;
}

export function prepareForUpdate(obj: JsonObject, old: JsonObject, ctx: PrepareContext): void {
  beforeUpdate(obj, old, ctx, UPDATE_RULES[gvkKey(ctx.group, ctx.version, ctx.kind)]);
}

/**
 * A custom resource's PrepareForUpdate: with a status subresource the stored status is kept (or none); any change
 * outside metadata bumps the generation.
 */
export function prepareCustomResourceForUpdate(
  obj: JsonObject,
  old: JsonObject,
  ctx: PrepareContext,
  statusSubresource: boolean,
): void {
  beforeUpdate(obj, old, ctx, (o, stored) => {
    if (statusSubresource) keepStatus(o, stored);
    const { metadata: _a, ...newRest } = o;
    const { metadata: _b, ...oldRest } = stored;
    bumpIf(o, stored, !same(newRest, oldRest));
  });
}
