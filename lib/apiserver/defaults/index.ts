/**
 * Defaulting of built-in kinds (spec §4): the SetObjectDefaults_<Kind> the API server runs at decode, then
 * the conversion effects both webhook stages see (spec §6.3, ./conversion.ts). One entry per
 * group/version/kind; kinds without an entry have no defaulting (ServiceAccount, ConfigMap, Role, ClusterRole,
 * Ingress, PodDisruptionBudget, RuntimeClass, ControllerRevision, Lease, Event, CertificateSigningRequest, ...).
 */
import type { DefaultingContext, JsonObject } from '../context';
import {
  defaultValidatingAdmissionPolicy,
  defaultValidatingAdmissionPolicyBinding,
  defaultWebhookConfiguration,
} from './admissionregistration';
import { defaultCustomResourceDefinition } from './apiextensions';
import { defaultDaemonSet, defaultDeployment, defaultReplicaSet, defaultStatefulSet } from './apps';
import { defaultHPAv1, defaultHPAv2 } from './autoscaling';
import { defaultCronJob, defaultJob } from './batch';
import { applyConversionEffects } from './conversion';
import {
  defaultEndpoints,
  defaultLimitRange,
  defaultNamespace,
  defaultNode,
  defaultPersistentVolume,
  defaultPersistentVolumeClaim,
  defaultPodTemplateObject,
  defaultReplicationController,
  defaultResourceQuota,
  defaultSecret,
  defaultService,
} from './core';
import { defaultIngressClass, defaultNetworkPolicy } from './networking';
import { defaultEndpointSlice } from './discovery';
import { defaultFlowSchema, defaultPriorityLevelConfiguration } from './flowcontrol';
import { defaultPriorityClass } from './scheduling';
import { defaultPod } from './pod';
import { defaultPodSpec } from './pod-spec';
import { defaultRoleBinding } from './rbac';
import { defaultCSIDriver, defaultStorageClass, defaultVolumeAttachment } from './storage';
import { ensureChild } from './json';

export type DefaultingRule = (obj: JsonObject, ctx: DefaultingContext) => void;

/** `group/version/Kind` (core group: `v1/Kind`) → its defaulting. */
export const DEFAULTING_RULES: Readonly<Record<string, DefaultingRule>> = {
  'v1/Pod': (obj, ctx) => {
    defaultPod(obj, ctx);
    defaultPodSpec(ensureChild(obj, 'spec'), ctx);
  },
  'v1/PodTemplate': defaultPodTemplateObject,
  'v1/ReplicationController': defaultReplicationController,
  'v1/Service': defaultService,
  'v1/Secret': defaultSecret,
  'v1/Namespace': defaultNamespace,
  'v1/PersistentVolumeClaim': defaultPersistentVolumeClaim,
  'v1/PersistentVolume': defaultPersistentVolume,
  'v1/LimitRange': defaultLimitRange,
  'v1/ResourceQuota': defaultResourceQuota,
  'v1/Endpoints': defaultEndpoints,
  'v1/Node': defaultNode,
  'apps/v1/Deployment': defaultDeployment,
  'apps/v1/StatefulSet': defaultStatefulSet,
  'apps/v1/DaemonSet': defaultDaemonSet,
  'apps/v1/ReplicaSet': defaultReplicaSet,
  'batch/v1/Job': defaultJob,
  'batch/v1/CronJob': defaultCronJob,
  'autoscaling/v1/HorizontalPodAutoscaler': defaultHPAv1,
  'autoscaling/v2/HorizontalPodAutoscaler': defaultHPAv2,
  'networking.k8s.io/v1/NetworkPolicy': defaultNetworkPolicy,
  'networking.k8s.io/v1/IngressClass': defaultIngressClass,
  'rbac.authorization.k8s.io/v1/RoleBinding': defaultRoleBinding,
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': defaultRoleBinding,
  'storage.k8s.io/v1/StorageClass': defaultStorageClass,
  'storage.k8s.io/v1/CSIDriver': defaultCSIDriver,
  'storage.k8s.io/v1/VolumeAttachment': defaultVolumeAttachment,
  'scheduling.k8s.io/v1/PriorityClass': defaultPriorityClass,
  'discovery.k8s.io/v1/EndpointSlice': defaultEndpointSlice,
  'flowcontrol.apiserver.k8s.io/v1/FlowSchema': defaultFlowSchema,
  'flowcontrol.apiserver.k8s.io/v1/PriorityLevelConfiguration': defaultPriorityLevelConfiguration,
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': (obj) => defaultWebhookConfiguration(obj, false),
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': (obj) => defaultWebhookConfiguration(obj, true),
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': defaultValidatingAdmissionPolicy,
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding': defaultValidatingAdmissionPolicyBinding,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': defaultCustomResourceDefinition,
};

export function gvkKey(group: string, version: string, kind: string): string {
  return group === '' ? `${version}/${kind}` : `${group}/${version}/${kind}`;
}

/** Every SetDefaults_* rule of the object's kind, then the conversion effects; mutates `obj`. */
export function applyDefaults(obj: JsonObject, ctx: DefaultingContext): void {
  DEFAULTING_RULES[gvkKey(ctx.group, ctx.version, ctx.kind)]?.(obj, ctx);
  applyConversionEffects(obj, ctx);
}

export { applyConversionEffects } from './conversion';
