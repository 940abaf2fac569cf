/**
 * PodSpec defaults (spec table A): what kubernetes pkg/apis/core/v1/zz_generated.defaults.go applies to the
 * spec of a Pod and, byte-for-byte the same, to the pod template of every workload kind. Each rule follows
 * the named function of pkg/apis/core/v1/defaults.go.
 */
import type { DefaultingContext, JsonObject } from '../context';
import { gateEnabled } from './feature-gates';
import { defaultPullPolicy } from './image';
import { child, children, ensureChild, isObject, setDefault, setDefaultIfZero, str } from './json';
import { defaultPersistentVolumeClaimSpec } from './pvc-spec';
import { roundResourceList, roundResourceRequirements } from './resource-lists';

/** Octal 0644, the default file mode of secret, configMap, downwardAPI and projected volumes. */
export const DEFAULT_FILE_MODE = 420;

/** SetDefaults_PodSpec plus everything the generated code runs on the spec's nested types. */
export function defaultPodSpec(spec: JsonObject, ctx: DefaultingContext): void {
  setDefault(spec, 'dnsPolicy', 'ClusterFirst');
  setDefault(spec, 'restartPolicy', 'Always');
  if (!isObject(spec.securityContext)) spec.securityContext = {};
  setDefault(spec, 'terminationGracePeriodSeconds', 30);
  setDefault(spec, 'schedulerName', 'default-scheduler');
  for (const volume of children(spec, 'volumes')) defaultVolume(volume, ctx);
  for (const c of children(spec, 'initContainers')) defaultContainer(c);
  for (const c of children(spec, 'containers')) defaultContainer(c);
  for (const c of children(spec, 'ephemeralContainers')) defaultContainer(c);
  roundResourceList(spec, 'overhead');
  roundResourceRequirements(spec);
}

/** SetDefaults_Container (also SetDefaults_EphemeralContainer) and the generated calls on its fields. */
export function defaultContainer(c: JsonObject): void {
  setDefault(c, 'imagePullPolicy', defaultPullPolicy(str(c.image)));
  setDefault(c, 'terminationMessagePath', '/dev/termination-log');
  setDefault(c, 'terminationMessagePolicy', 'File');
  for (const port of children(c, 'ports')) setDefault(port, 'protocol', 'TCP');
  for (const env of children(c, 'env')) defaultEnvVar(env);
  roundResourceRequirements(c);
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const p = child(c, probe);
    if (p !== undefined) defaultProbe(p);
  }
  const lifecycle = child(c, 'lifecycle');
  if (lifecycle !== undefined) {
    for (const hook of ['postStart', 'preStop']) {
      const httpGet = child(child(lifecycle, hook) ?? {}, 'httpGet');
      if (httpGet !== undefined) defaultHTTPGetAction(httpGet);
    }
  }
}

/** SetDefaults_ObjectFieldSelector on env fieldRef; the declarative `+default=false` of fileKeyRef.optional. */
export function defaultEnvVar(env: JsonObject): void {
  const valueFrom = child(env, 'valueFrom');
  if (valueFrom === undefined) return;
  const fieldRef = child(valueFrom, 'fieldRef');
  if (fieldRef !== undefined) setDefault(fieldRef, 'apiVersion', 'v1');
  const fileKeyRef = child(valueFrom, 'fileKeyRef');
  if (fileKeyRef !== undefined) setDefault(fileKeyRef, 'optional', false);
}

/** SetDefaults_Probe (zero counts as unset: the fields are non-pointer int32) and its handlers. */
export function defaultProbe(probe: JsonObject): void {
  setDefaultIfZero(probe, 'timeoutSeconds', 1);
  setDefaultIfZero(probe, 'periodSeconds', 10);
  setDefaultIfZero(probe, 'successThreshold', 1);
  setDefaultIfZero(probe, 'failureThreshold', 3);
  const httpGet = child(probe, 'httpGet');
  if (httpGet !== undefined) defaultHTTPGetAction(httpGet);
  const grpc = child(probe, 'grpc');
  if (grpc !== undefined && !('service' in grpc && typeof grpc.service === 'string')) grpc.service = '';
}

/** SetDefaults_HTTPGetAction. */
export function defaultHTTPGetAction(action: JsonObject): void {
  setDefault(action, 'path', '/');
  setDefault(action, 'scheme', 'HTTP');
}

/** The volume source keys of core/v1 VolumeSource; a volume with none of them gets `emptyDir: {}`. */
const VOLUME_SOURCES = [
  'hostPath',
  'emptyDir',
  'gcePersistentDisk',
  'awsElasticBlockStore',
  'gitRepo',
  'secret',
  'nfs',
  'iscsi',
  'glusterfs',
  'persistentVolumeClaim',
  'rbd',
  'flexVolume',
  'cinder',
  'cephfs',
  'flocker',
  'downwardAPI',
  'fc',
  'azureFile',
  'configMap',
  'vsphereVolume',
  'quobyte',
  'azureDisk',
  'photonPersistentDisk',
  'projected',
  'portworxVolume',
  'scaleIO',
  'storageos',
  'csi',
  'ephemeral',
  'image',
];

/** SetDefaults_Volume and the per-source defaults the generated code applies. */
export function defaultVolume(volume: JsonObject, ctx: DefaultingContext): void {
  if (!VOLUME_SOURCES.some((k) => isObject(volume[k]))) volume.emptyDir = {};
  defaultVolumeSources(volume);
  const secret = child(volume, 'secret');
  if (secret !== undefined) setDefault(secret, 'defaultMode', DEFAULT_FILE_MODE);
  const configMap = child(volume, 'configMap');
  if (configMap !== undefined) setDefault(configMap, 'defaultMode', DEFAULT_FILE_MODE);
  const downwardAPI = child(volume, 'downwardAPI');
  if (downwardAPI !== undefined) {
    setDefault(downwardAPI, 'defaultMode', DEFAULT_FILE_MODE);
    defaultDownwardAPIItems(downwardAPI);
  }
  const projected = child(volume, 'projected');
  if (projected !== undefined) defaultProjected(projected);
  const image = child(volume, 'image');
  if (image !== undefined && gateEnabled(ctx, 'ImageVolume')) {
    setDefault(image, 'pullPolicy', defaultPullPolicy(str(image.reference)));
  }
  const claimSpec = child(child(child(volume, 'ephemeral') ?? {}, 'volumeClaimTemplate') ?? {}, 'spec');
  if (claimSpec !== undefined) defaultPersistentVolumeClaimSpec(claimSpec);
}

/**
 * Sources shared by pod volumes and PersistentVolumes: SetDefaults_HostPathVolumeSource,
 * SetDefaults_ISCSIVolumeSource, SetDefaults_RBDVolumeSource, SetDefaults_AzureDiskVolumeSource,
 * SetDefaults_ScaleIOVolumeSource.
 */
export function defaultVolumeSources(source: JsonObject): void {
  const hostPath = child(source, 'hostPath');
  if (hostPath !== undefined && !(typeof hostPath.type === 'string')) hostPath.type = '';
  const iscsi = child(source, 'iscsi');
  if (iscsi !== undefined) setDefault(iscsi, 'iscsiInterface', 'default');
  const rbd = child(source, 'rbd');
  if (rbd !== undefined) {
    setDefault(rbd, 'pool', 'rbd');
    setDefault(rbd, 'user', 'admin');
    setDefault(rbd, 'keyring', '/etc/ceph/keyring');
  }
  const azureDisk = child(source, 'azureDisk');
  if (azureDisk !== undefined) {
    setDefault(azureDisk, 'cachingMode', 'ReadWrite');
    setDefault(azureDisk, 'fsType', 'ext4');
    setDefault(azureDisk, 'readOnly', false);
    setDefault(azureDisk, 'kind', 'Shared');
  }
  const scaleIO = child(source, 'scaleIO');
  if (scaleIO !== undefined) {
    setDefault(scaleIO, 'storageMode', 'ThinProvisioned');
    setDefault(scaleIO, 'fsType', 'xfs');
  }
}

function defaultDownwardAPIItems(source: JsonObject): void {
  for (const item of children(source, 'items')) {
    const fieldRef = child(item, 'fieldRef');
    if (fieldRef !== undefined) setDefault(fieldRef, 'apiVersion', 'v1');
  }
}

/** SetDefaults_ProjectedVolumeSource, SetDefaults_ServiceAccountTokenProjection (1 hour). */
function defaultProjected(projected: JsonObject): void {
  setDefault(projected, 'defaultMode', DEFAULT_FILE_MODE);
  for (const source of children(projected, 'sources')) {
    const downwardAPI = child(source, 'downwardAPI');
    if (downwardAPI !== undefined) defaultDownwardAPIItems(downwardAPI);
    const token = child(source, 'serviceAccountToken');
    if (token !== undefined) setDefault(token, 'expirationSeconds', 3600);
  }
}

/** The pod template's spec (RC, PodTemplate, workload controllers), when present. */
export function defaultPodTemplate(template: JsonObject | undefined, ctx: DefaultingContext): void {
  if (template === undefined) return;
  defaultPodSpec(ensureChild(template, 'spec'), ctx);
}
