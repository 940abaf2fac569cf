// pss-capabilities-baseline — Pod Security Standards, Baseline, "Capabilities".
// Restricted fields: spec.{containers,initContainers,ephemeralContainers}[*].securityContext.capabilities.add
// Allowed values: undefined/nil, AUDIT_WRITE, CHOWN, DAC_OVERRIDE, FOWNER, FSETID, KILL, MKNOD,
// NET_BIND_SERVICE, SETFCAP, SETGID, SETPCAP, SETUID, SYS_CHROOT.

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

const ALLOWED: Array<string> = [
  "AUDIT_WRITE",
  "CHOWN",
  "DAC_OVERRIDE",
  "FOWNER",
  "FSETID",
  "KILL",
  "MKNOD",
  "NET_BIND_SERVICE",
  "SETFCAP",
  "SETGID",
  "SETPCAP",
  "SETUID",
  "SYS_CHROOT",
];

function check(pod: PodSpecRef, v: Violations): void {
  const containers = containersOf(pod);
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i];
    const sc = c.securityContext;
    if (sc === null) continue;
    const caps = sc.obj("capabilities");
    if (caps === null) continue;
    const add = caps.arr("add");
    if (add === null) continue;
    let bad = "";
    for (let j = 0; j < add.length; j++) {
      const cap = add.at(j)!;
      if (cap.isString() && ALLOWED.includes(cap.text)) continue;
      if (cap.isNull()) continue;
      if (bad.length > 0) bad += ", ";
      bad += show(cap);
    }
    if (bad.length > 0) {
      v.add(
        c.subject +
          "securityContext.capabilities.add includes " +
          bad +
          "; only these capabilities may be added: " +
          ALLOWED.join(", "),
      );
    }
  }
}

function validate(req: ValidationRequest): ValidationResponse {
  return validatePods(req, check);
}
