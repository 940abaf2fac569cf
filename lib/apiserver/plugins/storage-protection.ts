/**
 * The StorageObjectInUseProtection admission plugin (kubernetes plugin/pkg/admission/storage/
 * storageobjectinuseprotection/admission.go): on CREATE, PVCs, PVs and VolumeAttributesClasses get their
 * protection finalizer.
 */
import type { JsonObject, PluginContext } from '../context';
import { ensureChild } from '../defaults/json';

const FINALIZERS: Readonly<Record<string, string>> = {
  '/PersistentVolumeClaim': 'kubernetes.io/pvc-protection',
  '/PersistentVolume': 'kubernetes.io/pv-protection',
  'storage.k8s.io/VolumeAttributesClass': 'kubernetes.io/vac-protection',
};

export function admitStorageObjectInUseProtection(obj: JsonObject, ctx: PluginContext): void {
  if (ctx.operation !== 'CREATE') return;
  const finalizer = FINALIZERS[`${ctx.group}/${ctx.kind}`];
  if (finalizer === undefined) return;
  const metadata = ensureChild(obj, 'metadata');
  const finalizers = Array.isArray(metadata.finalizers) ? metadata.finalizers : [];
  if (!finalizers.includes(finalizer)) metadata.finalizers = [...finalizers, finalizer];
}
