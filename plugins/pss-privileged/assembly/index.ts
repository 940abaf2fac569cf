// pss-privileged — Pod Security Standards, Baseline, "Privileged Containers".
// Restricted fields: spec.{containers,initContainers,ephemeralContainers}[*].securityContext.privileged
// Allowed values: undefined/nil, false.

import {
  registerPolicy,
  validatePods,
  containersOf,
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
  const containers = containersOf(pod);
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i];
    const sc = c.securityContext;
    if (sc === null) continue;
    const p = sc.get("privileged");
    if (p !== null && p.isTrue()) {
      v.add(c.subject + "securityContext.privileged is true; privileged containers are not allowed");
    }
  }
}

function validate(req: ValidationRequest): ValidationResponse {
  return validatePods(req, check);
}
