// pss-host-namespaces — Pod Security Standards, Baseline, "Host Namespaces".
// Restricted fields: spec.hostNetwork, spec.hostPID, spec.hostIPC
// Allowed values: undefined/nil, false.

import {
  registerPolicy,
  validatePods,
  PodSpecRef,
  Violations,
  ValidationRequest,
  ValidationResponse,
} from "../../sdk";
export { __guest_call } from "../../sdk/wapc";

export function wapc_init(): void {
  registerPolicy(validate);
}

function checkField(pod: PodSpecRef, v: Violations, field: string, what: string): void {
  const f = pod.spec.get(field);
  if (f !== null && f.isTrue()) {
    v.add(pod.subject + field + " is true; sharing the host's " + what + " namespace is not allowed");
  }
}

function check(pod: PodSpecRef, v: Violations): void {
  checkField(pod, v, "hostNetwork", "network");
  checkField(pod, v, "hostPID", "process ID");
  checkField(pod, v, "hostIPC", "IPC");
}

function validate(req: ValidationRequest): ValidationResponse {
  return validatePods(req, check);
}
