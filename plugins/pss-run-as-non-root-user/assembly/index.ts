// pss-run-as-non-root-user — Pod Security Standards, Restricted, "Running as Non-root user".
// Restricted fields: spec.securityContext.runAsUser and
// spec.{containers,initContainers,ephemeralContainers}[*].securityContext.runAsUser
// Allowed values: any non-zero value, undefined/null. Pods with spec.hostUsers: false (user
// namespaces) are not checked, as in Kubernetes 1.35+ Pod Security admission.

import {
  registerPolicy,
  validatePods,
  checkSecurityContexts,
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

const REASON = "; running as the root user (UID 0) is not allowed";

function checkUser(sc: JValue | null, subject: string, v: Violations): void {
  if (sc === null) return;
  const u = sc.field("runAsUser");
  if (u !== null && u.isZeroNumber()) {
    v.add(subject + "securityContext.runAsUser is " + show(u) + REASON);
  }
}

function check(pod: PodSpecRef, v: Violations): void {
  // user-namespaced pods (hostUsers: false) are exempt, as in Kubernetes 1.35+ Pod Security admission:
  // UID 0 in the container is an unprivileged UID on the host
  if (pod.usesUserNamespace) return;
  checkSecurityContexts(pod, v, checkUser);
}

function validate(req: ValidationRequest): ValidationResponse {
  return validatePods(req, check);
}
