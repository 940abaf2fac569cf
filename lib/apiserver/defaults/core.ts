/**
 * core/v1 kinds other than Pod: SetDefaults_* of kubernetes pkg/apis/core/v1/defaults.go as the generated
 * SetObjectDefaults_<Kind> (zz_generated.defaults.go) runs them.
 */
import type { DefaultingContext, JsonObject } from '../context';
import { at, child, children, ensureChild, isEmpty, isObject, setDefault, str } from './json';
import { defaultPodTemplate, defaultVolumeSources } from './pod-spec';
import { defaultPersistentVolumeClaimSpec } from './pvc-spec';
import { roundResourceList } from './resource-lists';

/** SetDefaults_Service and SetDefaults_ServicePort-equivalent loop. */
export function defaultService(obj: JsonObject): void {
  const spec = ensureChild(obj, 'spec');
  setDefault(spec, 'sessionAffinity', 'None');
  if (spec.sessionAffinity === 'None') delete spec.sessionAffinityConfig;
  if (spec.sessionAffinity === 'ClientIP') {
    const timeout = at(spec, 'sessionAffinityConfig', 'clientIP')?.timeoutSeconds;
    if (timeout === undefined || timeout === null) spec.sessionAffinityConfig = { clientIP: { timeoutSeconds: 10800 } };
  }
  setDefault(spec, 'type', 'ClusterIP');
  for (const port of children(spec, 'ports')) {
    setDefault(port, 'protocol', 'TCP');
    if (port.targetPort === undefined || port.targetPort === null || port.targetPort === 0 || port.targetPort === '') {
      port.targetPort = typeof port.port === 'number' ? port.port : 0;
    }
  }
  const type = spec.type;
  const externallyAccessible =
    type === 'LoadBalancer' || type === 'NodePort' || (type === 'ClusterIP' && !isEmpty(spec.externalIPs));
  if (externallyAccessible) setDefault(spec, 'externalTrafficPolicy', 'Cluster');
  if (type === 'ClusterIP' || type === 'NodePort' || type === 'LoadBalancer')
    setDefault(spec, 'internalTrafficPolicy', 'Cluster');
  if (type === 'LoadBalancer') {
    setDefault(spec, 'allocateLoadBalancerNodePorts', true);
    // LoadBalancerIPMode is GA (locked on) in every supported version.
    for (const ingress of children(at(obj, 'status', 'loadBalancer') ?? {}, 'ingress')) {
      if (!isEmpty(ingress.ip)) setDefault(ingress, 'ipMode', 'VIP');
    }
  }
}

/** SetDefaults_Secret. */
export function defaultSecret(obj: JsonObject): void {
  setDefault(obj, 'type', 'Opaque');
}

/** SetDefaults_Namespace (the label is always set to the name) and SetDefaults_NamespaceStatus. */
export function defaultNamespace(obj: JsonObject): void {
  const name = str(child(obj, 'metadata')?.name);
  if (name !== '') ensureChild(ensureChild(obj, 'metadata'), 'labels')['kubernetes.io/metadata.name'] = name;
  setDefault(ensureChild(obj, 'status'), 'phase', 'Active');
}

/** SetDefaults_PersistentVolumeClaim (status phase), the spec defaults and status resource rounding. */
export function defaultPersistentVolumeClaim(obj: JsonObject): void {
  defaultPersistentVolumeClaimSpec(ensureChild(obj, 'spec'));
  const status = ensureChild(obj, 'status');
  setDefault(status, 'phase', 'Pending');
  roundResourceList(status, 'capacity');
  roundResourceList(status, 'allocatedResources');
}

/** SetDefaults_PersistentVolume, the source defaults, capacity rounding. */
export function defaultPersistentVolume(obj: JsonObject): void {
  const spec = ensureChild(obj, 'spec');
  defaultPersistentVolumeSpec(spec);
  setDefault(ensureChild(obj, 'status'), 'phase', 'Pending');
}

/** The spec part of the PersistentVolume defaults (also used for VolumeAttachment inline specs). */
export function defaultPersistentVolumeSpec(spec: JsonObject): void {
  setDefault(spec, 'persistentVolumeReclaimPolicy', 'Retain');
  setDefault(spec, 'volumeMode', 'Filesystem');
  roundResourceList(spec, 'capacity');
  defaultVolumeSources(spec);
}

/** SetDefaults_ReplicationController; `replicas` is the declarative `+default=1`. */
export function defaultReplicationController(obj: JsonObject, ctx: DefaultingContext): void {
  const spec = ensureChild(obj, 'spec');
  const template = child(spec, 'template');
  const labels = template === undefined ? undefined : child(ensureChild(template, 'metadata'), 'labels');
  if (labels !== undefined) {
    if (isEmpty(spec.selector)) spec.selector = structuredClone(labels);
    const metadata = ensureChild(obj, 'metadata');
    if (isEmpty(metadata.labels)) metadata.labels = structuredClone(labels);
  }
  setDefault(spec, 'replicas', 1);
  if (template !== undefined) defaultPodTemplate(template, ctx);
}

/** PodTemplate: the template's PodSpec defaults. */
export function defaultPodTemplateObject(obj: JsonObject, ctx: DefaultingContext): void {
  defaultPodTemplate(ensureChild(obj, 'template'), ctx);
}

/** SetDefaults_LimitRangeItem and rounding of every quantity of the item. */
export function defaultLimitRange(obj: JsonObject): void {
  for (const item of children(ensureChild(obj, 'spec'), 'limits')) {
    if (item.type === 'Container') {
      const def: JsonObject = isObject(item.default) ? item.default : {};
      const defReq: JsonObject = isObject(item.defaultRequest) ? item.defaultRequest : {};
      for (const [k, v] of Object.entries(child(item, 'max') ?? {})) if (!(k in def)) def[k] = v;
      for (const [k, v] of Object.entries(def)) if (!(k in defReq)) defReq[k] = v;
      for (const [k, v] of Object.entries(child(item, 'min') ?? {})) if (!(k in defReq)) defReq[k] = v;
      if (Object.keys(def).length > 0) item.default = def;
      if (Object.keys(defReq).length > 0) item.defaultRequest = defReq;
    }
    for (const key of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) roundResourceList(item, key);
  }
}

/** ResourceQuota: spec.hard and status lists rounded. */
export function defaultResourceQuota(obj: JsonObject): void {
  roundResourceList(child(obj, 'spec'), 'hard');
  roundResourceList(child(obj, 'status'), 'hard');
  roundResourceList(child(obj, 'status'), 'used');
}

/** SetDefaults_EndpointPort. */
export function defaultEndpoints(obj: JsonObject): void {
  for (const subset of children(obj, 'subsets'))
    for (const port of children(subset, 'ports')) setDefault(port, 'protocol', 'TCP');
}

/** SetDefaults_NodeStatus: allocatable defaults to capacity; both rounded. */
export function defaultNode(obj: JsonObject): void {
  const status = child(obj, 'status');
  if (status === undefined) return;
  if (isObject(status.capacity) && !isObject(status.allocatable)) status.allocatable = structuredClone(status.capacity);
  roundResourceList(status, 'capacity');
  roundResourceList(status, 'allocatable');
}
