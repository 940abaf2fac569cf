/**
 * Test Kubernetes API server: speaks kube-apiserver's wire protocol over HTTPS so the cluster client (and real
 * kubectl, which keeps it honest) can be tested without a cluster.
 *
 *   const api = await startApiServer({ objects, crds: [...kubewardenCrds(), ...reportCrds()], forbidden, tokens });
 *   const kubeconfig = api.kubeconfig(dir, { namespace: 'team-a' });   // kubectl --kubeconfig $kubeconfig get pods
 *   api.requests   // every request: method, path, query, user, status
 *   api.objects    // the live store (put/get/list/delete)
 *   await api.close();
 *
 * Serves: /version; legacy discovery (/api, /apis, /apis/<g>, /api/v1, /apis/<g>/<v>) and aggregated discovery
 * (apidiscovery.k8s.io/v2, when the Accept header asks) for the built-ins a default v1.33 server enables plus every
 * stored CRD; list (limit/continue with consistent snapshots, remainingItemCount, labelSelector, fieldSelector),
 * get, create, update (409 on a stale resourceVersion), merge patch, delete; Subject/Self/LocalSubjectAccessReview.
 * Errors are the real Status bodies: 401 Unauthorized, 403 Forbidden, 404 NotFound, 409, 410 Expired, 400, 422.
 * Auth: bearer tokens (`token` is valid; add more with `tokens`) or client certificates (`clientCert(user, groups)`).
 * Like the real server, items of built-in lists carry no apiVersion/kind (CR list items do); no watch, no Table.
 */
export { startApiServer, type ApiServerOptions, type RecordedRequest, type TestApiServer } from './server';
export type { ForbiddenRule } from './authz';
export type { KubeconfigOptions } from './kubeconfig';
export type { ClientCert } from './client-cert';
export { ObjectStore } from './object-store';
export { customResourceDefinition, kubewardenCrds, reportCrds, type CrdSpec } from './crds';
export { defaultCorpusDir, seedFromCorpus, type CorpusSeed } from './corpus-seed';
