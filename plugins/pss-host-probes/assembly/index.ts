// pss-host-probes — Pod Security Standards, Baseline, "Host Probes / Lifecycle Hooks" (v1.34+).
// Restricted fields (every container, init container and ephemeral container):
//   livenessProbe.httpGet.host, readinessProbe.httpGet.host, startupProbe.httpGet.host,
//   livenessProbe.tcpSocket.host, readinessProbe.tcpSocket.host, startupProbe.tcpSocket.host,
//   lifecycle.postStart.httpGet.host, lifecycle.preStop.httpGet.host,
//   lifecycle.postStart.tcpSocket.host, lifecycle.preStop.tcpSocket.host
// Allowed values: undefined/nil, "".

import {
  registerPolicy,
  validatePods,
  containersOf,
  show,
  JValue,
  ContainerRef,
  PodSpecRef,
  Violations,
  ValidationRequest,
  ValidationResponse,
} from "../../sdk";
export { __guest_call } from "../../sdk/wapc";

export function wapc_init(): void {
  registerPolicy(validate);
}

/** The handler kinds that carry a `host` field, in the order Pod Security admission checks them. */
const ACTIONS: Array<string> = ["httpGet", "tcpSocket"];

/** Checks `<path>.httpGet.host` and `<path>.tcpSocket.host` of a probe or lifecycle handler. */
function checkHandler(handler: JValue | null, path: string, c: ContainerRef, v: Violations): void {
  if (handler === null) return;
  for (let i = 0; i < ACTIONS.length; i++) {
    const action = handler.obj(ACTIONS[i]);
    if (action === null) continue;
    const host = action.field("host");
    if (host === null || (host.isString() && host.text.length == 0)) continue;
    v.add(c.subject + path + "." + ACTIONS[i] + ".host is " + show(host) + "; probes and lifecycle hooks must not set host");
  }
}

const PROBES: Array<string> = ["livenessProbe", "readinessProbe", "startupProbe"];
const HOOKS: Array<string> = ["postStart", "preStop"];

function check(pod: PodSpecRef, v: Violations): void {
  const containers = containersOf(pod);
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i];
    for (let j = 0; j < PROBES.length; j++) {
      checkHandler(c.container.obj(PROBES[j]), PROBES[j], c, v);
    }
    const lifecycle = c.container.obj("lifecycle");
    if (lifecycle === null) continue;
    for (let j = 0; j < HOOKS.length; j++) {
      checkHandler(lifecycle.obj(HOOKS[j]), "lifecycle." + HOOKS[j], c, v);
    }
  }
}

function validate(req: ValidationRequest): ValidationResponse {
  return validatePods(req, check);
}
