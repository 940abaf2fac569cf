// pss-capabilities-restricted — Pod Security Standards, Restricted, "Capabilities".
// Restricted fields, for spec.{containers,initContainers,ephemeralContainers}[*]:
//   securityContext.capabilities.drop — allowed: any list that includes ALL
//   securityContext.capabilities.add  — allowed: undefined/nil, NET_BIND_SERVICE
// Linux-only control: pods with spec.os.name "windows" are not checked.
//
// Mutating: a container that does not drop ALL gets "ALL" appended to
// securityContext.capabilities.drop (objects and list created as needed) and the request is
// accepted with the mutated object. Setting `mutate: false` rejects such containers instead.
// Adding any capability other than NET_BIND_SERVICE is always rejected.

import {
  registerPolicy,
  checkKeys,
  checkBool,
  getBool,
  containersOf,
  podSpecs,
  show,
  describeType,
  JValue,
  Violations,
  ValidationRequest,
  ValidationResponse,
} from "../../sdk";
export { __guest_call } from "../../sdk/wapc";

export function wapc_init(): void {
  registerPolicy(validate, validateSettings);
}

let mutate = true;

function validateSettings(settings: JValue): string | null {
  let err = checkKeys(settings, ["mutate"]);
  if (err !== null) return err;
  err = checkBool(settings, "mutate");
  if (err !== null) return err;
  mutate = getBool(settings, "mutate", true);
  return null;
}

const DROP_REASON = '; containers must drop all capabilities (drop: ["ALL"])';

function dropsAll(drop: JValue): bool {
  for (let i = 0; i < drop.length; i++) {
    const d = drop.at(i)!;
    if (d.isString() && d.text == "ALL") return true;
  }
  return false;
}

function validate(req: ValidationRequest): ValidationResponse {
  const object = req.object;
  const pods = podSpecs(object, req.kind);
  const v = new Violations();
  let mutated = false;
  for (let p = 0; p < pods.length; p++) {
    const pod = pods[p];
    if (pod.isWindows) continue;
    const containers = containersOf(pod);
    for (let i = 0; i < containers.length; i++) {
      const c = containers[i];
      const container = c.container;

      // securityContext / capabilities may be missing (created when mutating) or of a wrong type
      const scRaw = container.get("securityContext");
      if (scRaw !== null && !scRaw.isNull() && !scRaw.isObject()) {
        v.add(c.subject + "securityContext is " + describeType(scRaw) + ", not an object" + DROP_REASON);
        continue;
      }
      const sc = scRaw !== null && scRaw.isObject() ? scRaw : null;
      const capsRaw = sc !== null ? sc.get("capabilities") : null;
      if (capsRaw !== null && !capsRaw.isNull() && !capsRaw.isObject()) {
        v.add(c.subject + "securityContext.capabilities is " + describeType(capsRaw) + ", not an object" + DROP_REASON);
        continue;
      }
      const caps = capsRaw !== null && capsRaw.isObject() ? capsRaw : null;

      // add: only NET_BIND_SERVICE
      const add = caps !== null ? caps.field("add") : null;
      if (add !== null) {
        if (!add.isArray()) {
          v.add(c.subject + "securityContext.capabilities.add is " + describeType(add) + ", not a list; only NET_BIND_SERVICE may be added");
        } else {
          let bad = "";
          for (let j = 0; j < add.length; j++) {
            const cap = add.at(j)!;
            if (cap.isNull() || (cap.isString() && cap.text == "NET_BIND_SERVICE")) continue;
            if (bad.length > 0) bad += ", ";
            bad += show(cap);
          }
          if (bad.length > 0) {
            v.add(c.subject + "securityContext.capabilities.add includes " + bad + "; only NET_BIND_SERVICE may be added");
          }
        }
      }

      // drop: must include ALL
      const drop = caps !== null ? caps.field("drop") : null;
      if (drop !== null && !drop.isArray()) {
        v.add(c.subject + "securityContext.capabilities.drop is " + describeType(drop) + ", not a list" + DROP_REASON);
        continue;
      }
      if (drop !== null && dropsAll(drop)) continue;
      if (!mutate) {
        const what = drop === null ? "is not set" : 'does not include "ALL"';
        v.add(c.subject + "securityContext.capabilities.drop " + what + DROP_REASON);
        continue;
      }
      // mutate: append "ALL", creating what is missing
      let sc2 = sc;
      if (sc2 === null) {
        sc2 = JValue.newObject();
        container.set("securityContext", sc2);
      }
      let caps2 = caps;
      if (caps2 === null) {
        caps2 = JValue.newObject();
        sc2.set("capabilities", caps2);
      }
      let drop2 = drop;
      if (drop2 === null) {
        drop2 = JValue.newArray();
        caps2.set("drop", drop2);
      }
      drop2.push(JValue.newString("ALL"));
      mutated = true;
    }
  }
  if (!v.empty) return ValidationResponse.reject(v.message);
  if (mutated && object !== null) return ValidationResponse.mutate(object);
  return ValidationResponse.accept();
}
