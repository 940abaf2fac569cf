import type { SynthesizedRequest } from '../admission/request';
import type { AdmissionRequest, UserInfo } from '../kube/admission-review';
import type { KubeObject } from '../manifests/types';

/** What the audit knows about the resource an object was listed from. */
export interface AuditResource {
  group: string;
  version: string;
  /** The plural, used for rule matching. */
  resource: string;
  kind: string;
  namespaced: boolean;
}

/**
 * The CREATE request audit-scanner sends for a live object (spec §8): the object's own uid, no userInfo, no
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
    namespace: res.namespaced && typeof meta.namespace === 'string' ? meta.namespace : '',
    operation: 'CREATE',
    // Go omits the empty fields: the policy sees `"userInfo":{}`.
    userInfo: {} as UserInfo,
    object: obj,
  };
  return { request, json: JSON.stringify(request) };
}
