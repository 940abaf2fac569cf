/**
 * Test Kubernetes API server: speaks kube-apiserver's wire protocol over HTTPS so the cluster client (and real
 * kubectl, which keeps it honest) can be tested without a cluster.
 *
 *   const api = await startApiServer({ objects, crds: [...kubewardenCrds(), ...reportCrds()], forbidden, tokens });
 *   const kubeconfig = api.kubeconfig(dir, { namespace: 'team-a' });   // kubectl --kubeconfig $kubeconfig get pods
 *   api.requests   // every request: method, path, query, user, status
 *   api.objects    // the live store: get/list/put/delete (put stamps uid, resourceVersion, creationTimestamp)
 *   await api.close();
 *
 * Serves /version; legacy discovery (/api, /apis, /apis/<g>, /api/v1, /apis/<g>/<v>) and aggregated discovery
 * (apidiscovery.k8s.io/v2 when the Accept header asks) for the built-ins a default v1.33 server enables plus every
 * stored CRD (discovery follows CRD writes); list (limit/continue over consistent snapshots, remainingItemCount when
 * unfiltered, labelSelector, fieldSelector), get, create, update (409 on a stale resourceVersion), merge patch,
 * delete; Subject/Local/SelfSubjectAccessReview and SelfSubjectReview answered from the `forbidden` rules; an
 * OpenAPI v3 index that tells kubectl create/apply to validate server-side (no schemas: bodies are not validated).
 * Errors are the real Status bodies: 400, 401, 403, 404, 405, 406, 409, 410 Expired, 415, 422.
 * Auth: bearer tokens (`token` is valid; add more with `tokens`), client certificates (`clientCert(user, groups)`),
 * impersonation (kubectl --as). Bodies: JSON, YAML, and protobuf only for what kubectl's typed clients send
 * (access reviews, Namespace, SelfSubjectReview). Answers are always JSON.
 *
 * Real-server behaviours a client must cope with, reproduced on purpose: items of built-in lists carry no
 * apiVersion/kind (custom resource items do); resourceVersion=0 ignores limit; a continue token goes stale (410)
 * with expireContinueAfter or expireContinueTokens(). Not served: watch, Table output, subresources, /openapi/v2.
 */
export { startApiServer, type ApiServerOptions, type RecordedRequest, type TestApiServer } from './server';
export type { ForbiddenRule } from './authz';
export type { KubeconfigOptions } from './kubeconfig';
export type { ClientCert } from './client-cert';
export { ObjectStore } from './object-store';
export { customResourceDefinition, kubewardenCrds, reportCrds, type CrdSpec } from './crds';
export { defaultCorpusDir, seedFromCorpus, type CorpusSeed } from './corpus-seed';
