// pss-sysctls — Pod Security Standards, Baseline, "Sysctls".
// Restricted field: spec.securityContext.sysctls[*].name
// Allowed values: undefined/nil and the safe set below (Kubernetes 1.32 list).

import {
  registerPolicy,
  validatePods,
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

const SAFE: Array<string> = [
  "kernel.shm_rmid_forced",
  "net.ipv4.ip_local_port_range",
  "net.ipv4.ip_unprivileged_port_start",
  "net.ipv4.tcp_syncookies",
  "net.ipv4.ping_group_range",
  "net.ipv4.ip_local_reserved_ports", // since Kubernetes 1.27
  "net.ipv4.tcp_keepalive_time", // since 1.29
  "net.ipv4.tcp_fin_timeout", // since 1.29
  "net.ipv4.tcp_keepalive_intvl", // since 1.29
  "net.ipv4.tcp_keepalive_probes", // since 1.29
  "net.ipv4.tcp_rmem", // since 1.32
  "net.ipv4.tcp_wmem", // since 1.32
];

function check(pod: PodSpecRef, v: Violations): void {
  const sc = pod.securityContext;
  if (sc === null) return;
  const sysctls = sc.arr("sysctls");
  if (sysctls === null) return;
  for (let i = 0; i < sysctls.length; i++) {
    const entry = sysctls.at(i)!;
    if (!entry.isObject()) continue;
    const name = entry.field("name");
    if (name === null) continue;
    if (name.isString() && SAFE.includes(name.text)) continue;
    v.add(
      pod.subject +
        "securityContext.sysctls[" +
        i.toString() +
        "].name is " +
        show(name) +
        "; only these sysctls are allowed: " +
        SAFE.join(", "),
    );
  }
}

function validate(req: ValidationRequest): ValidationResponse {
  return validatePods(req, check);
}
