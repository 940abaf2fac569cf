// pss-seccomp-baseline — Pod Security Standards, Baseline, "Seccomp".
// Restricted fields: spec.securityContext.seccompProfile.type and
// spec.{containers,initContainers,ephemeralContainers}[*].securityContext.seccompProfile.type
// Allowed values: undefined/nil, RuntimeDefault, Localhost (i.e. never "Unconfined").

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

function checkProfile(sc: JValue | null, subject: string, v: Violations): void {
  if (sc === null) return;
  const profile = sc.obj("seccompProfile");
  if (profile === null) return;
  const t = profile.field("type");
  if (t === null) return;
  if (t.isString() && (t.text == "RuntimeDefault" || t.text == "Localhost")) return;
  v.add(
    subject +
      "securityContext.seccompProfile.type is " +
      show(t) +
      '; only "RuntimeDefault" and "Localhost" seccomp profiles are allowed',
  );
}

function check(pod: PodSpecRef, v: Violations): void {
  checkSecurityContexts(pod, v, checkProfile);
}

function validate(req: ValidationRequest): ValidationResponse {
  return validatePods(req, check);
}
