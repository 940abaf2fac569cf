/**
 * FillObjectMetaSystemFields (k8s.io/apiserver pkg/registry/rest/meta.go, step S13 of the spec): a new uid
 * and creationTimestamp just before PrepareForCreate. The stage normally does this itself; prepareForCreate
 * fills them only when they are still missing, so it is also correct when called alone.
 */
import { kubeTime, type JsonObject, type ObjectContext } from '../context';
import { ensureChild, isUnset } from '../defaults/json';

export function fillObjectMetaSystemFields(obj: JsonObject, ctx: ObjectContext): void {
  const metadata = ensureChild(obj, 'metadata');
  if (isUnset(metadata.uid)) metadata.uid = ctx.random.uid('metadata.uid');
  if (isUnset(metadata.creationTimestamp)) metadata.creationTimestamp = kubeTime(ctx.now);
}
