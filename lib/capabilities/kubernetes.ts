import type { KubeObject } from '../manifests/types';
import type { ContextAwareResource } from '../wasm/metadata';
import { HostCallError } from './errors';
import type { KubernetesSource } from './kubernetes-source';
import type { CallbackRequest } from './requests';

export type KubernetesRequest = Extract<CallbackRequest, { type: `Kubernetes${string}` }>;

/** Rust's `{:?}` of an `Option<String>`, which policy-evaluator puts in its not-found message. */
export function debugOption(v: string | null | undefined): string {
  return v === null || v === undefined ? 'None' : `Some(${JSON.stringify(v)})`;
}

/** policy-evaluator's refusal for a resource outside the policy's contextAwareResources (docs/host-interface.md §2). */
export function notGrantedMessage(apiVersion: string, kind: string): string {
  return `Policy has not been granted access to Kubernetes ${apiVersion}/${kind} resources. The violation has been reported.`;
}

/** list and get need the `(apiVersion, kind)` in the allow-list (exact match); can_i does not. */
export function checkGranted(req: KubernetesRequest, allowed: readonly ContextAwareResource[]): void {
  if (req.type === 'KubernetesCanI') return;
  if (!allowed.some((r) => r.apiVersion === req.api_version && r.kind === req.kind))
    throw new HostCallError(notGrantedMessage(req.api_version, req.kind));
}

/** The List document the SDKs expect: `{apiVersion, kind: <Kind>List, metadata: {}, items}`. */
export function listDocument(apiVersion: string, kind: string, items: KubeObject[]): unknown {
  return { apiVersion, kind: `${kind}List`, metadata: {}, items };
}

/** Answers a kubernetes request from `source` (the allow-list has been checked already). */
export async function answerKubernetes(req: KubernetesRequest, source: KubernetesSource): Promise<unknown> {
  const sel = (r: { label_selector: string | null; field_selector: string | null }) => ({
    ...(r.label_selector ? { labelSelector: r.label_selector } : {}),
    ...(r.field_selector ? { fieldSelector: r.field_selector } : {}),
  });
  switch (req.type) {
    case 'KubernetesListResourceNamespace':
      return listDocument(
        req.api_version,
        req.kind,
        await source.listByNamespace({
          apiVersion: req.api_version,
          kind: req.kind,
          namespace: req.namespace,
          ...sel(req),
        }),
      );
    case 'KubernetesListResourceAll':
      return listDocument(
        req.api_version,
        req.kind,
        await source.listAll({ apiVersion: req.api_version, kind: req.kind, ...sel(req) }),
      );
    case 'KubernetesGetResource': {
      const found = await source.get({
        apiVersion: req.api_version,
        kind: req.kind,
        name: req.name,
        ...(req.namespace !== null ? { namespace: req.namespace } : {}),
        disableCache: req.disable_cache,
      });
      if (!found)
        throw new HostCallError(
          `Cannot find ${req.api_version}/${req.kind} named '${req.name}' inside of namespace '${debugOption(req.namespace)}'`,
        );
      return found;
    }
    case 'KubernetesCanI':
      return source.canI(req.subject_access_review, req.disable_cache);
  }
}
