// pss-seccomp-restricted — Pod Security Standards, Restricted, "Seccomp".
// Restricted fields: spec.securityContext.seccompProfile.type and
// spec.{containers,initContainers,ephemeralContainers}[*].securityContext.seccompProfile.type
// Allowed values: RuntimeDefault, Localhost. Container fields may be undefined when the pod-level
// type is allowed; the pod-level field may be undefined when every container sets an allowed type.
// Linux-only control: pods with spec.os.name "windows" are not checked.

import {
  registerPolicy,
  validatePods,
  requireInheritedField,
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

const ALLOWED = '"RuntimeDefault" or "Localhost"';

function profileType(sc: JValue | null): JValue | null {
  if (sc === null) return null;
  const p = sc.obj("seccompProfile");
  if (p === null) return null;
  return p.field("type");
}

function allowed(t: JValue): bool {
  return t.isString() && (t.text == "RuntimeDefault" || t.text == "Localhost");
}

function check(pod: PodSpecRef, v: Violations): void {
  if (pod.isWindows) return;
  requireInheritedField(pod, v, "seccompProfile.type", profileType, allowed, ALLOWED);
}

function validate(req: ValidationRequest): ValidationResponse {
  return validatePods(req, check);
}
