/**
 * What the API server does to a created object after mutating admission and before validating admission
 * (spec §5): uid and creationTimestamp (S13), Service BeginCreate (S14), the strategy's PrepareForCreate and
 * Namespace Canonicalize (S15). Visible to validating policies only.
 */
import type { JsonObject, PrepareContext } from '../context';
import { gvkKey } from '../defaults/index';
import {
  prepareLimitRange,
  prepareNamespace,
  preparePersistentVolume,
  preparePersistentVolumeClaim,
  prepareResourceQuota,
  prepareServiceAccount,
} from './core';
import { fillObjectMetaSystemFields } from './metadata';
import {
  generationOne,
  prepareCertificateSigningRequest,
  prepareCSIDriver,
  prepareCustomResourceDefinition,
  prepareHorizontalPodAutoscaler,
  prepareIngress,
  preparePodDisruptionBudget,
  prepareStatusAndGeneration,
} from './other-kinds';
import { preparePod } from './pod';
import { prepareService } from './service';
import {
  prepareCronJob,
  prepareDaemonSet,
  prepareDeployment,
  prepareJob,
  preparePodTemplate,
  prepareReplicaSet,
  prepareReplicationController,
  prepareStatefulSet,
} from './workloads';

export type PrepareRule = (obj: JsonObject, ctx: PrepareContext) => void;

/** `group/version/Kind` → its PrepareForCreate. Kinds without an entry: nothing beyond uid/creationTimestamp. */
export const PREPARE_RULES: Readonly<Record<string, PrepareRule>> = {
  'v1/Pod': preparePod,
  'v1/ReplicationController': prepareReplicationController,
  'v1/PodTemplate': preparePodTemplate,
  'v1/Service': prepareService,
  'v1/Namespace': prepareNamespace,
  'v1/PersistentVolumeClaim': preparePersistentVolumeClaim,
  'v1/PersistentVolume': preparePersistentVolume,
  'v1/ServiceAccount': prepareServiceAccount,
  'v1/ResourceQuota': prepareResourceQuota,
  'v1/LimitRange': prepareLimitRange,
  'apps/v1/Deployment': prepareDeployment,
  'apps/v1/ReplicaSet': prepareReplicaSet,
  'apps/v1/StatefulSet': prepareStatefulSet,
  'apps/v1/DaemonSet': prepareDaemonSet,
  'batch/v1/Job': prepareJob,
  'batch/v1/CronJob': prepareCronJob,
  'networking.k8s.io/v1/Ingress': prepareIngress,
  'networking.k8s.io/v1/NetworkPolicy': generationOne,
  'networking.k8s.io/v1/IngressClass': generationOne,
  'scheduling.k8s.io/v1/PriorityClass': generationOne,
  'discovery.k8s.io/v1/EndpointSlice': generationOne,
  'admissionregistration.k8s.io/v1/ValidatingWebhookConfiguration': generationOne,
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': generationOne,
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicyBinding': generationOne,
  'admissionregistration.k8s.io/v1/ValidatingAdmissionPolicy': prepareStatusAndGeneration,
  'flowcontrol.apiserver.k8s.io/v1/FlowSchema': prepareStatusAndGeneration,
  'flowcontrol.apiserver.k8s.io/v1/PriorityLevelConfiguration': prepareStatusAndGeneration,
  'policy/v1/PodDisruptionBudget': preparePodDisruptionBudget,
  'autoscaling/v1/HorizontalPodAutoscaler': prepareHorizontalPodAutoscaler,
  'autoscaling/v2/HorizontalPodAutoscaler': prepareHorizontalPodAutoscaler,
  'storage.k8s.io/v1/CSIDriver': prepareCSIDriver,
  'certificates.k8s.io/v1/CertificateSigningRequest': prepareCertificateSigningRequest,
  'apiextensions.k8s.io/v1/CustomResourceDefinition': prepareCustomResourceDefinition,
};

export function prepareForCreate(obj: JsonObject, ctx: PrepareContext): void {
  fillObjectMetaSystemFields(obj, ctx);
  PREPARE_RULES[gvkKey(ctx.group, ctx.version, ctx.kind)]?.(obj, ctx);
}
