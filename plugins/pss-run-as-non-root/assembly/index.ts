// pss-run-as-non-root — Pod Security Standards, Restricted, "Running as Non-root".
// Restricted fields: spec.securityContext.runAsNonRoot and
// spec.{containers,initContainers,ephemeralContainers}[*].securityContext.runAsNonRoot
// Allowed value: true. Container fields may be undefined when the pod-level field is true;
// an explicit non-true value is rejected at either level. Pods with spec.hostUsers: false (user
// namespaces) are not checked, as in Kubernetes 1.35+ Pod Security admission.

import {
  registerPolicy,
  validatePods,
  containersOf,
  show,
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

function check(pod: PodSpecRef, v: Violations): void {
  // user-namespaced pods (hostUsers: false) are exempt, as in Kubernetes 1.35+ Pod Security admission:
  // UID 0 in the container is an unprivileged UID on the host
  if (pod.usesUserNamespace) return;
  const podValue = runAsNonRoot(pod.securityContext);
  const podTrue = podValue !== null && podValue.isTrue();
  if (podValue !== null && !podTrue) {
    v.add(pod.subject + "securityContext.runAsNonRoot is " + show(podValue) + "; it must be true");
  }
  const containers = containersOf(pod);
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i];
    const value = runAsNonRoot(c.securityContext);
    if (value === null) {
      // inherits the pod-level value; an explicit bad pod value is already reported
      if (podValue === null) {
        v.add(
          c.subject +
            "securityContext.runAsNonRoot is not set, and neither is " +
            pod.path +
            ".securityContext.runAsNonRoot; one of them must be true",
        );
      }
    } else if (!value.isTrue()) {
      v.add(c.subject + "securityContext.runAsNonRoot is " + show(value) + "; it must be true");
    }
  }
}

function validate(req: ValidationRequest): ValidationResponse {
  return validatePods(req, check);
}
