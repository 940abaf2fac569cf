/** The part of apiextensions validation clients meet first: a CRD's name, group, names and served versions. */
import type { KubeObject } from '../../../lib/manifests';
import { groupOf } from './object-store';
import { crdResources } from './served-resources';
import { isCrd } from './server-defaults';
import { invalid } from './status';

/** A CRD must be named `<plural>.<group>` and carry names, like apiextensions validation demands. */
export function validateCrd(obj: KubeObject): void {
  if (!isCrd(groupOf(obj.apiVersion), obj.kind)) return;
  const name = obj.metadata?.name ?? '';
  const spec = obj.spec as
    { group?: string; names?: { plural?: string; kind?: string }; versions?: unknown[] } | undefined;
  const plural = spec?.names?.plural;
  if (!spec?.group || !plural || !spec.names?.kind || !Array.isArray(spec.versions) || spec.versions.length === 0) {
    throw invalid(
      'CustomResourceDefinition',
      'apiextensions.k8s.io',
      name,
      'spec',
      'Required value: group, names.plural, names.kind and versions are required',
    );
  }
  if (name !== `${plural}.${spec.group}`) {
    throw invalid(
      'CustomResourceDefinition',
      'apiextensions.k8s.io',
      name,
      'metadata.name',
      `Invalid value: "${name}": must be spec.names.plural+"."+spec.group`,
    );
  }
  if (crdResources(obj).length === 0)
    throw invalid(
      'CustomResourceDefinition',
      'apiextensions.k8s.io',
      name,
      'spec.versions',
      'Invalid value: must serve at least one version',
    );
}
