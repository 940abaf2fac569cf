/**
 * CustomResourceDefinition defaults: kubernetes staging/src/k8s.io/apiextensions-apiserver/pkg/apis/
 * apiextensions/v1/defaults.go (SetDefaults_CustomResourceDefinition, ..Spec, SetDefaults_ServiceReference).
 */
import type { JsonObject } from '../context';
import { child, children, ensureChild, isEmpty, isObject, setDefault, str } from './json';

export function defaultCustomResourceDefinition(obj: JsonObject): void {
  const spec = ensureChild(obj, 'spec');
  const names = ensureChild(spec, 'names');
  const kind = str(names.kind);
  if (kind !== '') {
    setDefault(names, 'singular', kind.toLowerCase());
    setDefault(names, 'listKind', `${kind}List`);
  }
  if (!isObject(spec.conversion)) spec.conversion = { strategy: 'None' };
  const service = child(child(child(spec, 'conversion') ?? {}, 'webhook') ?? {}, 'clientConfig');
  const ref = service === undefined ? undefined : child(service, 'service');
  if (ref !== undefined) setDefault(ref, 'port', 443);
  const status = ensureChild(obj, 'status');
  if (isEmpty(status.storedVersions)) {
    const storage = children(spec, 'versions').find((v) => v.storage === true);
    if (storage !== undefined) status.storedVersions = [str(storage.name)];
  }
}
