// pss-hostpath-volumes — Pod Security Standards, Baseline, "HostPath Volumes".
// Restricted fields: spec.volumes[*].hostPath
// Allowed values: undefined/nil.

import {
  registerPolicy,
  validatePods,
  volumesOf,
  PodSpecRef,
  Violations,
  ValidationRequest,
  ValidationResponse,
} from "../../sdk";
export { __guest_call } from "../../sdk/wapc";

export function wapc_init(): void {
  registerPolicy(validate);
}

function check(pod: PodSpecRef, v: Violations): void {
  const volumes = volumesOf(pod);
  for (let i = 0; i < volumes.length; i++) {
    const vol = volumes[i];
    if (vol.volume.field("hostPath") !== null) {
      v.add(vol.subject + "hostPath is set; HostPath volumes are not allowed");
    }
  }
}

function validate(req: ValidationRequest): ValidationResponse {
  return validatePods(req, check);
}
