/**
 * PrepareForCreate of the remaining kinds: status resets with the counters the Go status structs always
 * encode (spec §3.6), generation 1, disabled fields dropped. Strategies: kubernetes pkg/registry/
 * {networking/*,policy/poddisruptionbudget,autoscaling/horizontalpodautoscaler,storage/csidriver,
 * flowcontrol/*,admissionregistration/*,certificates/certificates,scheduling/priorityclass,discovery/endpointslice}
 * /strategy.go and apiextensions-apiserver pkg/registry/customresourcedefinition/strategy.go.
 */
import type { JsonObject, PrepareContext } from '../context';
import { gateEnabled } from '../defaults/feature-gates';
import { child, children, ensureChild, str } from '../defaults/json';

export function generationOne(obj: JsonObject): void {
  ensureChild(obj, 'metadata').generation = 1;
}

export function prepareIngress(obj: JsonObject): void {
  obj.status = { loadBalancer: {} };
  generationOne(obj);
}

export function preparePodDisruptionBudget(obj: JsonObject): void {
  obj.status = { disruptionsAllowed: 0, currentHealthy: 0, desiredHealthy: 0, expectedPods: 0 };
  generationOne(obj);
}

/** HPA: status reset; behavior tolerances dropped without HPAConfigurableTolerance. */
export function prepareHorizontalPodAutoscaler(obj: JsonObject, ctx: PrepareContext): void {
  obj.status =
    ctx.version === 'v1' ? { currentReplicas: 0, desiredReplicas: 0 } : { desiredReplicas: 0, currentMetrics: null };
  if (!gateEnabled(ctx, 'HPAConfigurableTolerance')) {
    const behavior = child(child(obj, 'spec') ?? {}, 'behavior');
    for (const direction of ['scaleUp', 'scaleDown']) delete child(behavior ?? {}, direction)?.tolerance;
  }
}

/** CSIDriver: fields of disabled gates dropped. */
export function prepareCSIDriver(obj: JsonObject, ctx: PrepareContext): void {
  const spec = child(obj, 'spec');
  if (spec === undefined) return;
  if (!gateEnabled(ctx, 'SELinuxMountReadWriteOncePod')) delete spec.seLinuxMount;
  if (!gateEnabled(ctx, 'MutableCSINodeAllocatableCount')) delete spec.nodeAllocatableUpdatePeriodSeconds;
  if (!gateEnabled(ctx, 'CSIServiceAccountTokenSecrets')) delete spec.serviceAccountTokenInSecrets;
}

/** Kinds whose status is reset to `{}` and generation set to 1. */
export function prepareStatusAndGeneration(obj: JsonObject): void {
  obj.status = {};
  generationOne(obj);
}

/** CertificateSigningRequest: the requesting user replaces what the manifest says; status reset. */
export function prepareCertificateSigningRequest(obj: JsonObject, ctx: PrepareContext): void {
  const spec = ensureChild(obj, 'spec');
  const user = ctx.userInfo ?? {};
  for (const key of ['username', 'uid', 'groups', 'extra']) delete spec[key];
  if (user.username !== undefined && user.username !== '') spec.username = user.username;
  if (user.uid !== undefined && user.uid !== '') spec.uid = user.uid;
  if (user.groups !== undefined && user.groups.length > 0) spec.groups = [...user.groups];
  if (user.extra !== undefined && Object.keys(user.extra).length > 0) {
    spec.extra = Object.fromEntries(Object.entries(user.extra).map(([k, v]) => [k, [...v]]));
  }
  obj.status = {};
}

/** CRD: status reset, the storage version re-added to storedVersions, generation 1. */
export function prepareCustomResourceDefinition(obj: JsonObject): void {
  const storage = children(child(obj, 'spec') ?? {}, 'versions').find((v) => v.storage === true);
  obj.status = {
    conditions: null,
    acceptedNames: { plural: '', kind: '' },
    storedVersions: storage === undefined ? [] : [str(storage.name)],
  };
  generationOne(obj);
}
