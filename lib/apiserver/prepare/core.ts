/**
 * PrepareForCreate / Canonicalize of core/v1 kinds without pod templates: kubernetes
 * pkg/registry/core/{namespace,persistentvolumeclaim,persistentvolume,serviceaccount,resourcequota,limitrange}
 * /strategy.go and pkg/api/persistentvolumeclaim/util.go.
 */
import { kubeTime, type JsonObject, type ObjectContext } from '../context';
import { gateEnabled } from '../defaults/feature-gates';
import { child, children, ensureChild, isEmpty, str } from '../defaults/json';

/** Status Active, the `kubernetes` finalizer, and Canonicalize's metadata.name label. */
export function prepareNamespace(obj: JsonObject): void {
  obj.status = { phase: 'Active' };
  const spec = ensureChild(obj, 'spec');
  const finalizers = Array.isArray(spec.finalizers) ? spec.finalizers : [];
  if (!finalizers.includes('kubernetes')) spec.finalizers = [...finalizers, 'kubernetes'];
  const name = str(child(obj, 'metadata')?.name);
  if (name !== '') ensureChild(ensureChild(obj, 'metadata'), 'labels')['kubernetes.io/metadata.name'] = name;
}

const SNAPSHOT_GROUP = 'snapshot.storage.k8s.io';

function isPvcOrSnapshot(ref: JsonObject): boolean {
  const group = str(ref.apiGroup);
  return (
    (group === '' && ref.kind === 'PersistentVolumeClaim') ||
    (group === SNAPSHOT_GROUP && ref.kind === 'VolumeSnapshot')
  );
}

function localRef(ref: JsonObject): JsonObject {
  const out: JsonObject = {};
  if (typeof ref.apiGroup === 'string') out.apiGroup = ref.apiGroup;
  out.kind = str(ref.kind);
  out.name = str(ref.name);
  return out;
}

/** Status cleared, disabled fields dropped, EnforceDataSourceBackwardsCompatibility, NormalizeDataSources. */
export function preparePersistentVolumeClaim(obj: JsonObject, ctx: ObjectContext): void {
  obj.status = {};
  const spec = ensureChild(obj, 'spec');
  const dataSourceRef = child(spec, 'dataSourceRef');
  if (dataSourceRef !== undefined && !gateEnabled(ctx, 'CrossNamespaceVolumeDataSource'))
    delete dataSourceRef.namespace;
  if (!gateEnabled(ctx, 'VolumeAttributesClass')) delete spec.volumeAttributesClassName;
  const dataSource = child(spec, 'dataSource');
  if (dataSource !== undefined && dataSourceRef === undefined && !isPvcOrSnapshot(dataSource)) delete spec.dataSource;
  if (!gateEnabled(ctx, 'AnyVolumeDataSource')) return;
  const ds = child(spec, 'dataSource');
  const dsr = child(spec, 'dataSourceRef');
  if (ds !== undefined && dsr === undefined) spec.dataSourceRef = localRef(ds);
  else if (dsr !== undefined && ds === undefined && isEmpty(dsr.namespace)) spec.dataSource = localRef(dsr);
}

/** Status reset to Pending with the transition time. */
export function preparePersistentVolume(obj: JsonObject, ctx: ObjectContext): void {
  const spec = child(obj, 'spec');
  if (spec !== undefined && !gateEnabled(ctx, 'VolumeAttributesClass')) delete spec.volumeAttributesClassName;
  obj.status = { phase: 'Pending', lastPhaseTransitionTime: kubeTime(ctx.now) };
}

/** cleanSecretReferences: each secret reference keeps only its name. */
export function prepareServiceAccount(obj: JsonObject): void {
  const secrets = children(obj, 'secrets');
  if (secrets.length > 0)
    obj.secrets = secrets.map((s): JsonObject => (typeof s.name === 'string' ? { name: s.name } : {}));
}

export function prepareResourceQuota(obj: JsonObject): void {
  obj.status = {};
}

/** A LimitRange without a name gets a random one (kubectl apply always sends a name). */
export function prepareLimitRange(obj: JsonObject, ctx: ObjectContext): void {
  const metadata = ensureChild(obj, 'metadata');
  if (str(metadata.name) === '') metadata.name = ctx.random.uid('limitrange.name');
}
