import { boundedJson, type SynthesizedRequest } from '../admission/request';
import type { AdmissionRequest, UserInfo } from '../kube/admission-review';
import type { ResourceType } from '../kube/resource-type';
import type { KubeObject } from '../manifests/types';

/** What the audit knows about the resource an object was listed from (its plural is used for rule matching). */
export type AuditResource = ResourceType;

/**
 * The CREATE request audit-scanner sends for a live object (docs/host-interface.md §8): the object's own uid, no userInfo, no
 * oldObject/options/dryRun, and — as audit-scanner does — `resource.resource` set to the Kind, not the plural.
 * Policies see exactly what they see under Kubewarden's background audit.
 */
export function auditRequest(obj: KubeObject, res: AuditResource): SynthesizedRequest {
  const meta = obj.metadata ?? {};
  const kind = { group: res.group, version: res.version, kind: res.kind };
  const request: AdmissionRequest = {
    uid: typeof meta.uid === 'string' ? meta.uid : '',
    kind,
    resource: { group: res.group, version: res.version, resource: res.kind },
    requestKind: kind,
    name: typeof meta.name === 'string' ? meta.name : '',
    operation: 'CREATE',
    // Go omits the empty fields: the policy sees `"userInfo":{}`.
    userInfo: {} as UserInfo,
    object: obj,
  };
  // audit-scanner's newAdmissionReview copies the object's namespace, and Go omits an empty one: a cluster-scoped
  // object's request has no `namespace` at all.
  if (res.namespaced && typeof meta.namespace === 'string' && meta.namespace !== '') request.namespace = meta.namespace;
  return { request, json: boundedJson(request) };
}
