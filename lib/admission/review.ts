/**
 * `scaffold admission-request`: per object, the AdmissionReview a webhook would receive from the API server
 * (docs/admission-path.md), at the mutating stage (after the API server's own steps and built-in plugins) or
 * the validating stage (after uid, creationTimestamp and PrepareForCreate).
 */
import type { JsonObject } from '../apiserver/context';
import type { Stage } from '../apiserver/options';
import { findCrdVersion } from '../apiserver/crd-schema';
import { stageOptionsFor } from '../apiserver/options';
import { apiServerStage } from '../apiserver/stage';
import type { KubeObject, ManifestEntry, ManifestObject } from '../manifests/types';
import { buildOperationRequest, objectKey } from './operation';
import type { RequestOptions } from './request';
import { ResourceResolver } from '../kube/resource-resolver';
import type { AdmissionRequest } from '../kube/admission-review';

export interface ReviewOptions {
  request: RequestOptions;
  stage: Stage;
}

export type ReviewEntry =
  | {
      kind: 'review';
      source: ManifestObject['source'];
      review: { kind: 'AdmissionReview'; apiVersion: 'admission.k8s.io/v1'; request: AdmissionRequest };
    }
  | { kind: 'error'; source: ManifestEntry['source']; message: string }
  | { kind: 'warning'; source: ManifestEntry['source']; message: string };

/** One review (or error) per object of `entries`, in order; `old` are the stored objects of an UPDATE. */
export function admissionReviews(
  entries: readonly ManifestEntry[],
  opts: ReviewOptions,
  old: readonly ManifestEntry[] = [],
): ReviewEntry[] {
  const resolver = new ResourceResolver();
  const objectsOf = (es: readonly ManifestEntry[]): ManifestObject[] =>
    es.filter((e): e is ManifestObject => e.kind === 'object');
  const all = [...objectsOf(entries), ...objectsOf(old)].map((e) => e.object);
  resolver.addCrds(all);
  const crds = all.filter(
    (o) => o.kind === 'CustomResourceDefinition' && o.apiVersion.startsWith('apiextensions.k8s.io/'),
  );
  const req = opts.request;
  const olds = new Map<string, KubeObject>();
  for (const e of objectsOf(old))
    olds.set(objectKey(e.object, resolver.resolve(e.object.apiVersion, e.object.kind), req.defaultNamespace), e.object);
  const out: ReviewEntry[] = [];
  for (const e of entries) {
    if (e.kind === 'error') out.push({ kind: 'error', source: e.source, message: e.message });
    if (e.kind !== 'object') continue;
    for (const w of e.warnings ?? []) out.push({ kind: 'warning', source: e.source, message: w });
    const obj = e.object;
    const res = resolver.resolve(obj.apiVersion, obj.kind);
    let previous: KubeObject | undefined;
    if (req.operation === 'UPDATE') {
      previous = olds.get(objectKey(obj, res, req.defaultNamespace));
      if (!previous) {
        out.push({
          kind: 'error',
          source: e.source,
          message: '--operation UPDATE: no object with the same apiVersion, kind, namespace and name in --old',
        });
        continue;
      }
    }
    const s = req.apiServer;
    if (!s || req.operation === 'DELETE') {
      out.push(review(e, buildOperationRequest(obj, res, req, previous).request));
      continue;
    }
    const crd = res.origin === 'crd' ? findCrdVersion(crds, res.group, res.version, res.kind) : undefined;
    const staged = apiServerStage(
      obj as unknown as JsonObject,
      res,
      stageOptionsFor(s, req, { crd, old: previous as unknown as JsonObject | undefined }),
    );
    if (!staged.ok) {
      out.push({ kind: 'error', source: e.source, message: staged.message });
      continue;
    }
    for (const w of staged.warnings) out.push({ kind: 'warning', source: e.source, message: w.message });
    let object = staged.mutating;
    if (opts.stage === 'validating') {
      const v = staged.validating(staged.mutating);
      if (!v.ok) {
        out.push({ kind: 'error', source: e.source, message: v.message });
        continue;
      }
      object = v.object;
    }
    out.push(
      review(
        e,
        buildOperationRequest(
          object as unknown as KubeObject,
          res,
          req,
          staged.old ? (staged.old as unknown as KubeObject) : previous,
          { namespace: staged.namespace },
        ).request,
      ),
    );
  }
  return out;
}

function review(e: ManifestObject, request: AdmissionRequest): ReviewEntry {
  return {
    kind: 'review',
    source: e.source,
    review: { kind: 'AdmissionReview', apiVersion: 'admission.k8s.io/v1', request },
  };
}
