// pss-privilege-escalation — Pod Security Standards, Restricted, "Privilege Escalation".
// Restricted fields: spec.{containers,initContainers,ephemeralContainers}[*].securityContext.allowPrivilegeEscalation
// Allowed value: false. Linux-only control: pods with spec.os.name "windows" are not checked.

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
  if (pod.isWindows) return;
  const containers = containersOf(pod);
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i];
    const sc = c.securityContext;
    const ape = sc !== null ? sc.field("allowPrivilegeEscalation") : null;
    if (ape === null) {
      v.add(c.subject + "securityContext.allowPrivilegeEscalation is not set; it must be set to false");
    } else if (!ape.isFalse()) {
      v.add(c.subject + "securityContext.allowPrivilegeEscalation is " + show(ape) + "; it must be set to false");
    }
  }
}

function validate(req: ValidationRequest): ValidationResponse {
  return validatePods(req, check);
}
