import type { RuntimeOutcome } from '../wasm/runtime';
import { diff } from '../kube/json-patch';
import type { AdmissionRequest, AdmissionResponse, JsonPatchOperation } from '../kube/admission-review';

/** An AdmissionResponse plus the decoded patch, which reporters need and the wire format hides in base64. */
export interface EvaluatedResponse {
  response: AdmissionResponse;
  patch?: JsonPatchOperation[];
}

export const DELETE_MUTATION_MESSAGE =
  'Incoming object is null, which happens only with DELETE operations, but the policy is attempting a mutation. This is not allowed';

/** Turns a runtime outcome into the AdmissionResponse policy-server would return (spec §1.5, §9). */
export function toAdmissionResponse(req: AdmissionRequest, outcome: RuntimeOutcome): EvaluatedResponse {
  if (!outcome.ok) {
    return { response: { uid: req.uid, allowed: false, status: { message: outcome.message, code: outcome.code } } };
  }
  const vr = outcome.response;
  const response: AdmissionResponse = { uid: req.uid, allowed: vr.accepted };
  let patch: JsonPatchOperation[] | undefined;
  if (vr.mutated_object !== undefined && vr.mutated_object !== null) {
    if (req.object === undefined || req.object === null) {
      return { response: { uid: req.uid, allowed: false, status: { message: DELETE_MUTATION_MESSAGE } } };
    }
    const ops = diff(req.object, vr.mutated_object);
    if (ops.length > 0) {
      patch = ops;
      response.patchType = 'JSONPatch';
      response.patch = Buffer.from(JSON.stringify(ops)).toString('base64');
    }
  }
  if ((vr.message !== undefined && vr.message !== null) || (vr.code !== undefined && vr.code !== null)) {
    response.status = {};
    if (vr.message !== undefined && vr.message !== null) response.status.message = vr.message;
    if (vr.code !== undefined && vr.code !== null) response.status.code = vr.code;
  }
  if (vr.audit_annotations) response.auditAnnotations = vr.audit_annotations;
  if (vr.warnings && vr.warnings.length > 0) response.warnings = vr.warnings;
  return patch ? { response, patch } : { response };
}
