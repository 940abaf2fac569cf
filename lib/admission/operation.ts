import type { KubeObject } from '../manifests/types';
import {
  boundedJson,
  buildAdmissionRequest,
  effectiveNamespace,
  MAX_REQUEST_BYTES,
  RequestTooLargeError,
  type RequestNamespace,
  type RequestOptions,
  type SynthesizedRequest,
} from './request';
import type { ResolvedResource } from '../kube/resource-resolver';
import type { AdmissionRequest } from '../kube/admission-review';

/**
 * Requests for the operations other than CREATE (docs/host-interface.md §8 covers CREATE): UPDATE sends the new object and the
 * stored one as `oldObject`; DELETE sends no object and the stored one as `oldObject`.
 */

/** Key of an object for `--old` lookups: apiVersion, kind, effective namespace and name. */
export function objectKey(obj: KubeObject, res: ResolvedResource, defaultNamespace?: string): string {
  return [
    obj.apiVersion,
    obj.kind,
    effectiveNamespace(obj, res, defaultNamespace) ?? '',
    obj.metadata?.name ?? '',
  ].join('\n');
}

/**
 * The request for `obj` under `reqOpts.operation`. For UPDATE, `old` is the stored object (required);
 * for DELETE, `obj` itself is the stored object.
 */
export function buildOperationRequest(
  obj: KubeObject,
  res: ResolvedResource,
  reqOpts: RequestOptions,
  old?: KubeObject,
  staged?: RequestNamespace,
): SynthesizedRequest {
  const synth = buildAdmissionRequest(obj, res, reqOpts, staged);
  if (reqOpts.operation === 'DELETE') return withOldObject(synth, obj, res, reqOpts.defaultNamespace);
  if (reqOpts.operation === 'UPDATE' && old) return withOldObject(synth, old, res, reqOpts.defaultNamespace);
  return synth;
}

function withOldObject(
  synth: SynthesizedRequest,
  old: KubeObject,
  res: ResolvedResource,
  defaultNamespace?: string,
): SynthesizedRequest {
  const namespace = effectiveNamespace(old, res, defaultNamespace);
  const filled =
    namespace !== undefined && old.metadata?.namespace !== namespace
      ? { ...old, metadata: { ...old.metadata, namespace } }
      : old;
  const request: AdmissionRequest = { ...synth.request, oldObject: filled };
  const json = `${synth.json.slice(0, -1)},"oldObject":${boundedJson(filled)}}`;
  if (json.length > MAX_REQUEST_BYTES) throw new RequestTooLargeError();
  return { request, json };
}
