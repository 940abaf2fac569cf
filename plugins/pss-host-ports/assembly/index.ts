// pss-host-ports — Pod Security Standards, Baseline, "Host Ports".
// Restricted fields: spec.{containers,initContainers,ephemeralContainers}[*].ports[*].hostPort
// Allowed values: undefined/nil, 0, or a port of the known list (setting `allowedHostPorts`,
// empty by default: host ports disallowed entirely, as the standard recommends).

import {
  registerPolicy,
  validatePods,
  containersOf,
  checkKeys,
  describeType,
  quote,
  show,
  JValue,
  PodSpecRef,
  Violations,
  ValidationRequest,
  ValidationResponse,
} from "../../sdk";
export { __guest_call } from "../../sdk/wapc";

export function wapc_init(): void {
  registerPolicy(validate, validateSettings);
}

let allowedPorts = new Array<f64>();

/** Validates the settings and loads them into `allowedPorts`. */
function validateSettings(settings: JValue): string | null {
  const err = checkKeys(settings, ["allowedHostPorts"]);
  if (err !== null) return err;
  const ports = new Array<f64>();
  const list = settings.field("allowedHostPorts");
  if (list !== null) {
    if (!list.isArray()) return "setting \"allowedHostPorts\" must be a list of port numbers, got " + describeType(list);
    for (let i = 0; i < list.length; i++) {
      const p = list.at(i)!;
      if (!p.isNumber() || !p.isIntegral() || p.toF64() < 1 || p.toF64() > 65535) {
        return "setting \"allowedHostPorts\"[" + i.toString() + "] must be a port number between 1 and 65535, got " + show(p);
      }
      ports.push(p.toF64());
    }
  }
  allowedPorts = ports;
  return null;
}

function allowedList(): string {
  let s = "";
  for (let i = 0; i < allowedPorts.length; i++) {
    if (i > 0) s += ", ";
    s += (<i64>allowedPorts[i]).toString();
  }
  return s;
}

function isAllowed(hp: JValue): bool {
  if (!hp.isNumber()) return false;
  if (hp.isZeroNumber()) return true;
  const f = hp.toF64();
  for (let i = 0; i < allowedPorts.length; i++) {
    if (allowedPorts[i] == f) return true;
  }
  return false;
}

function check(pod: PodSpecRef, v: Violations): void {
  const containers = containersOf(pod);
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i];
    const ports = c.container.arr("ports");
    if (ports === null) continue;
    for (let j = 0; j < ports.length; j++) {
      const port = ports.at(j)!;
      if (!port.isObject()) continue;
      const hp = port.field("hostPort");
      if (hp === null || isAllowed(hp)) continue;
      let msg = c.subject + "ports[" + j.toString() + "].hostPort is " + show(hp) + "; ";
      if (allowedPorts.length == 0) msg += "host ports are not allowed";
      else msg += "only these host ports are allowed: " + allowedList();
      v.add(msg);
    }
  }
}

function validate(req: ValidationRequest): ValidationResponse {
  return validatePods(req, check);
}
