// pss-proc-mount — Pod Security Standards, Baseline, "/proc Mount Type".
// Restricted fields: spec.{containers,initContainers,ephemeralContainers}[*].securityContext.procMount
// Allowed values: undefined/nil, Default.

import {
  registerPolicy,
  validatePods,
  containersOf,
  show,
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
    const pm = sc.field("procMount");
    if (pm === null) continue;
    if (pm.isString() && pm.text == "Default") continue;
    v.add(c.subject + "securityContext.procMount is " + show(pm) + '; only the "Default" /proc mount type is allowed');
  }
}

function validate(req: ValidationRequest): ValidationResponse {
  return validatePods(req, check);
}
