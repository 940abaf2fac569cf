/**
 * The objects a test server starts with: the namespaces every cluster has, then the given CRDs and objects (CRDs
 * first, so their kinds are known). Namespaced kinds without a namespace go to "default"; missing namespaces are
 * created. Scope comes from what is served, then from the server's built-in table (builtin-served.ts) in any
 * version of the group; unknown kinds keep what they say.
 */
import type { KubeObject } from '../../../lib/manifests';
import { groupOf, type ObjectStore } from './object-store';
import type { ServedIndex } from './served-resources';
import { applyServerDefaults, isCrd } from './server-defaults';
import { BUILTIN_SERVED } from './builtin-served';

export const SYSTEM_NAMESPACES = ['default', 'kube-node-lease', 'kube-public', 'kube-system'];

/** Whether an object's kind is namespaced: from the served types, then the built-in table; unknown kinds keep their namespace. */
function namespacedKind(index: ServedIndex, obj: KubeObject): boolean | undefined {
  const served = index.byKind(groupOf(obj.apiVersion), obj.kind);
  if (served) return served.namespaced;
  const group = groupOf(obj.apiVersion);
  return BUILTIN_SERVED.find((r) => r.group === group && r.kind === obj.kind)?.namespaced;
}

const crdFirst = (a: KubeObject, b: KubeObject): number =>
  Number(isCrd(groupOf(b.apiVersion), b.kind)) - Number(isCrd(groupOf(a.apiVersion), a.kind));

export function seedStore(
  store: ObjectStore,
  served: () => ServedIndex,
  crds: readonly KubeObject[],
  objects: readonly KubeObject[],
): void {
  const seed = (obj: KubeObject): void => {
    // A shallow copy is enough: put() stores a deep copy, and only top-level fields and metadata are changed here.
    const copy: KubeObject = { ...obj, metadata: { ...(obj.metadata ?? {}) } };
    const meta = copy.metadata!;
    const namespaced = namespacedKind(served(), copy);
    if (namespaced === true && !meta.namespace) meta.namespace = 'default';
    if (namespaced === false) delete meta.namespace;
    if (meta.namespace && !store.get('', 'Namespace', '', meta.namespace)) {
      store.put(applyServerDefaults({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: meta.namespace } }));
    }
    store.put(applyServerDefaults(copy));
  };
  for (const ns of SYSTEM_NAMESPACES) seed({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns } });
  for (const crd of crds) seed(crd);
  for (const obj of [...objects].sort(crdFirst)) seed(obj);
}
