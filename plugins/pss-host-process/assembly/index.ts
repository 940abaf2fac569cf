// pss-host-process — Pod Security Standards, Baseline, "HostProcess".
// Restricted fields: spec.securityContext.windowsOptions.hostProcess and
// spec.{containers,initContainers,ephemeralContainers}[*].securityContext.windowsOptions.hostProcess
// Allowed values: undefined/nil, false.

import {
  registerPolicy,
  validatePods,
  containersOf,
  JValue,
  PodSpecRef,
  Violations,
  ValidationRequest,
  ValidationResponse,
} from "../../sdk";
export { __guest_call } from "../../sdk/wapc";

export function wapc_init(): void {
  registerPolicy(validate);
}

const REASON = "securityContext.windowsOptions.hostProcess is true; Windows HostProcess containers are not allowed";

function hostProcess(sc: JValue | null): bool {
  if (sc === null) return false;
  const wo = sc.obj("windowsOptions");
  if (wo === null) return false;
  const hp = wo.get("hostProcess");
  return hp !== null && hp.isTrue();
}

function check(pod: PodSpecRef, v: Violations): void {
  if (hostProcess(pod.securityContext)) v.add(pod.subject + REASON);
  const containers = containersOf(pod);
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i];
    if (hostProcess(c.securityContext)) v.add(c.subject + REASON);
  }
}

function validate(req: ValidationRequest): ValidationResponse {
  return validatePods(req, check);
}
