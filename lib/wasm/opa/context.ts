import { ResourceResolver } from '../../kube/resource-resolver';
import type { KubeObject } from '../../manifests/types';
import type { ContextAwareResource } from '../metadata';
import type { HostCallHandler } from '../wapc/host';

/** The objects of one allowed resource, as list_resources_all returned them. */
export interface ResourceList {
  resource: ContextAwareResource;
  items: KubeObject[];
}

const enc = new TextEncoder();
const dec = new TextDecoder();

/**
 * Lists every allowed resource through the host, as policy-evaluator builds its Rego context from list-all calls
 * (so the data comes from the same source as the other capabilities: manifests, cluster or a replayed session).
 * A failed call throws the host's message.
 */
export function listContextResources(
  resources: readonly ContextAwareResource[],
  hostCall: HostCallHandler,
): ResourceList[] {
  return resources.map((resource) => {
    const payload = enc.encode(JSON.stringify({ api_version: resource.apiVersion, kind: resource.kind }));
    const reply = JSON.parse(dec.decode(hostCall('kubewarden', 'kubernetes', 'list_resources_all', payload))) as {
      items?: unknown;
    };
    const items = Array.isArray(reply.items) ? (reply.items as KubeObject[]) : [];
    return { resource, items };
  });
}

const resolver = new ResourceResolver();

function put(target: Record<string, unknown>, path: string[], value: unknown): void {
  let cur = target;
  for (const k of path.slice(0, -1)) cur = (cur[k] ??= {}) as Record<string, unknown>;
  cur[path[path.length - 1]] = value;
}

/**
 * OPA mode's `data.kubernetes`, laid out like kube-mgmt: `<plural>.<namespace>.<name>` for namespaced objects,
 * `<plural>.<name>` for cluster-scoped ones (docs/host-interface.md §4.2).
 */
export function kubeMgmtData(lists: readonly ResourceList[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { resource, items } of lists) {
    const { resource: plural, namespaced } = resolver.resolve(resource.apiVersion, resource.kind);
    out[plural] ??= {};
    for (const o of items) {
      const name = o.metadata?.name;
      if (typeof name !== 'string') continue;
      const ns = o.metadata?.namespace;
      put(out, namespaced && typeof ns === 'string' ? [plural, ns, name] : [plural, name], o);
    }
  }
  return out;
}

/**
 * Gatekeeper mode's `data.inventory`: `cluster.<apiVersion>.<Kind>.<name>` and
 * `namespace.<ns>.<apiVersion>.<Kind>.<name>` (docs/host-interface.md §4.3).
 */
export function gatekeeperInventory(lists: readonly ResourceList[]): Record<string, unknown> {
  const inventory: Record<string, unknown> = { cluster: {}, namespace: {} };
  for (const { resource, items } of lists) {
    for (const o of items) {
      const name = o.metadata?.name;
      if (typeof name !== 'string') continue;
      const ns = o.metadata?.namespace;
      if (typeof ns === 'string' && ns !== '')
        put(inventory, ['namespace', ns, resource.apiVersion, resource.kind, name], o);
      else put(inventory, ['cluster', resource.apiVersion, resource.kind, name], o);
    }
  }
  return inventory;
}
