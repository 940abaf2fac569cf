/** storage.k8s.io/v1 defaults: kubernetes pkg/apis/storage/v1/defaults.go. */
import type { DefaultingContext, JsonObject } from '../context';
import { defaultPersistentVolumeSpec } from './core';
import { gateEnabled } from './feature-gates';
import { child, ensureChild, isEmpty, setDefault } from './json';

/** SetDefaults_StorageClass. */
export function defaultStorageClass(obj: JsonObject): void {
  setDefault(obj, 'reclaimPolicy', 'Delete');
  setDefault(obj, 'volumeBindingMode', 'Immediate');
}

/** SetDefaults_CSIDriver. */
export function defaultCSIDriver(obj: JsonObject, ctx: DefaultingContext): void {
  const spec = ensureChild(obj, 'spec');
  setDefault(spec, 'attachRequired', true);
  setDefault(spec, 'podInfoOnMount', false);
  setDefault(spec, 'storageCapacity', false);
  setDefault(spec, 'fsGroupPolicy', 'ReadWriteOnceWithFSType');
  if (isEmpty(spec.volumeLifecycleModes)) spec.volumeLifecycleModes = ['Persistent'];
  setDefault(spec, 'requiresRepublish', false);
  if (gateEnabled(ctx, 'SELinuxMountReadWriteOncePod')) setDefault(spec, 'seLinuxMount', false);
}

/** VolumeAttachment: an inline PersistentVolumeSpec gets the PersistentVolume spec defaults. */
export function defaultVolumeAttachment(obj: JsonObject): void {
  const inline = child(child(child(obj, 'spec') ?? {}, 'source') ?? {}, 'inlineVolumeSpec');
  if (inline !== undefined) defaultPersistentVolumeSpec(inline);
}
