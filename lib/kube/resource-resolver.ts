import { splitApiVersion } from './api-path';
import type { KubeObject } from './object';
import type { ResourceType } from './resource-type';
import { guessPlural, lookupBuiltin } from './resource-table';

export interface ResolvedResource extends ResourceType {
  /** How the plural was found; `guessed` ones get a warning. */
  origin: 'builtin' | 'crd' | 'guessed';
}

/**
 * Maps apiVersion+kind to the resource plural and scope, as API discovery would: the built-in table first,
 * then CustomResourceDefinitions found among the inputs, then Kubernetes' own guess (with a warning).
 */
export class ResourceResolver {
  private readonly crds = new Map<string, Pick<ResourceType, 'resource' | 'namespaced'>>();

  /** Learns every CRD in `objects` (apiextensions.k8s.io v1 and v1beta1 shapes). */
  addCrds(objects: Iterable<KubeObject>): void {
    for (const o of objects) {
      if (o.kind !== 'CustomResourceDefinition' || !o.apiVersion.startsWith('apiextensions.k8s.io/')) continue;
      const spec = o.spec as Record<string, unknown> | undefined;
      const names = spec?.names as Record<string, unknown> | undefined;
      if (
        !spec ||
        typeof spec.group !== 'string' ||
        !names ||
        typeof names.kind !== 'string' ||
        typeof names.plural !== 'string'
      )
        continue;
      const namespaced = spec.scope !== 'Cluster';
      const versions = new Set<string>();
      if (Array.isArray(spec.versions))
        for (const v of spec.versions as { name?: unknown }[]) if (typeof v?.name === 'string') versions.add(v.name);
      if (typeof spec.version === 'string') versions.add(spec.version);
      for (const v of versions)
        this.crds.set(`${spec.group}/${v}/${names.kind}`, { resource: names.plural, namespaced });
    }
  }

  resolve(apiVersion: string, kind: string): ResolvedResource {
    const { group, version } = splitApiVersion(apiVersion);
    const builtin = lookupBuiltin(apiVersion, kind);
    if (builtin)
      return { group, version, kind, resource: builtin.resource, namespaced: builtin.namespaced, origin: 'builtin' };
    const crd = this.crds.get(`${group}/${version}/${kind}`);
    if (crd) return { group, version, kind, ...crd, origin: 'crd' };
    return { group, version, kind, resource: guessPlural(kind), namespaced: true, origin: 'guessed' };
  }
}
