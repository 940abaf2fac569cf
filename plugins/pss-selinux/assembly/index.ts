// pss-selinux — Pod Security Standards, Baseline, "SELinux".
// Restricted fields (pod spec.securityContext and every container, init container and ephemeral
// container securityContext):
//   seLinuxOptions.type — allowed: undefined/"", container_t, container_init_t, container_kvm_t,
//                         container_engine_t (since Kubernetes 1.31)
//   seLinuxOptions.user, seLinuxOptions.role — allowed: undefined/""

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

const ALLOWED_TYPES: Array<string> = ["container_t", "container_init_t", "container_kvm_t", "container_engine_t"];

function emptyOrUnset(x: JValue | null): bool {
  return x === null || (x.isString() && x.text.length == 0);
}

function checkOptions(sc: JValue | null, subject: string, v: Violations): void {
  if (sc === null) return;
  const opts = sc.obj("seLinuxOptions");
  if (opts === null) return;
  const t = opts.field("type");
  if (!emptyOrUnset(t) && !(t!.isString() && ALLOWED_TYPES.includes(t!.text))) {
    v.add(
      subject +
        "securityContext.seLinuxOptions.type is " +
        show(t!) +
        "; only these SELinux types are allowed: " +
        ALLOWED_TYPES.join(", "),
    );
  }
  const user = opts.field("user");
  if (!emptyOrUnset(user)) {
    v.add(subject + "securityContext.seLinuxOptions.user is " + show(user!) + "; setting a custom SELinux user is not allowed");
  }
  const role = opts.field("role");
  if (!emptyOrUnset(role)) {
    v.add(subject + "securityContext.seLinuxOptions.role is " + show(role!) + "; setting a custom SELinux role is not allowed");
  }
}

function check(pod: PodSpecRef, v: Violations): void {
  checkSecurityContexts(pod, v, checkOptions);
}

function validate(req: ValidationRequest): ValidationResponse {
  return validatePods(req, check);
}
