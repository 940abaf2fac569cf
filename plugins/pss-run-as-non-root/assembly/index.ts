// pss-run-as-non-root — Pod Security Standards, Restricted, "Running as Non-root".
// Restricted fields: spec.securityContext.runAsNonRoot and
// spec.{containers,initContainers,ephemeralContainers}[*].securityContext.runAsNonRoot
// Allowed value: true. Container fields may be undefined when the pod-level field is true;
// an explicit non-true value is rejected at either level. Pods with spec.hostUsers: false (user
// namespaces) are not checked, as in Kubernetes 1.35+ Pod Security admission.

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

function runAsNonRoot(sc: JValue | null): JValue | null {
  if (sc === null) return null;
  return sc.field("runAsNonRoot");
}

function isTrue(value: JValue): bool {
  return value.isTrue();
}

function check(pod: PodSpecRef, v: Violations): void {
  // user-namespaced pods (hostUsers: false) are exempt, as in Kubernetes 1.35+ Pod Security admission:
  // UID 0 in the container is an unprivileged UID on the host
  if (pod.usesUserNamespace) return;
  requireInheritedField(pod, v, "runAsNonRoot", runAsNonRoot, isTrue, "true");
}

function validate(req: ValidationRequest): ValidationResponse {
  return validatePods(req, check);
}
