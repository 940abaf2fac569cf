// resource-limits — best practice: containers and init containers must declare resource limits.
// Checks spec.{containers,initContainers}[*].resources.limits.{cpu,memory} (ephemeral containers
// cannot have resources). Settings: requireCpu, requireMemory (booleans, default true).

import {
  registerPolicy,
  validatePods,
  containersOf,
  checkKeys,
  checkBool,
  getBool,
  JValue,
  PodSpecRef,
  Violations,
  ValidationRequest,
  ValidationResponse,
  CONTAINERS,
  INIT_CONTAINERS,
} from "../../sdk";
export { __guest_call } from "../../sdk/wapc";

export function wapc_init(): void {
  registerPolicy(validate, validateSettings);
}

let requireCpu = true;
let requireMemory = true;

function validateSettings(settings: JValue): string | null {
  let err = checkKeys(settings, ["requireCpu", "requireMemory"]);
  if (err !== null) return err;
  err = checkBool(settings, "requireCpu");
  if (err !== null) return err;
  err = checkBool(settings, "requireMemory");
  if (err !== null) return err;
  const cpu = getBool(settings, "requireCpu", true);
  const mem = getBool(settings, "requireMemory", true);
  if (!cpu && !mem) return "requireCpu and requireMemory are both false: the policy would check nothing";
  requireCpu = cpu;
  requireMemory = mem;
  return null;
}

function isSet(limits: JValue | null, key: string): bool {
  if (limits === null) return false;
  const q = limits.field(key);
  if (q === null) return false;
  if (q.isString()) return q.text.length > 0;
  return q.isNumber();
}

function check(pod: PodSpecRef, v: Violations): void {
  const containers = containersOf(pod, CONTAINERS | INIT_CONTAINERS);
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i];
    const resources = c.container.obj("resources");
    const limits = resources !== null ? resources.obj("limits") : null;
    const noCpu = requireCpu && !isSet(limits, "cpu");
    const noMem = requireMemory && !isSet(limits, "memory");
    if (noCpu && noMem) {
      v.add(c.subject + "resources.limits.cpu and resources.limits.memory are not set; containers must declare CPU and memory limits");
    } else if (noCpu) {
      v.add(c.subject + "resources.limits.cpu is not set; containers must declare a CPU limit");
    } else if (noMem) {
      v.add(c.subject + "resources.limits.memory is not set; containers must declare a memory limit");
    }
  }
}

function validate(req: ValidationRequest): ValidationResponse {
  return validatePods(req, check);
}
