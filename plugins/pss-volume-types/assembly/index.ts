// pss-volume-types — Pod Security Standards, Restricted, "Volume Types".
// Restricted field: spec.volumes[*]
// Allowed: every volume sets one of configMap, csi, downwardAPI, emptyDir, ephemeral,
// persistentVolumeClaim, projected, secret to a non-null value; `image` volumes (an OCI image
// mounted read-only) are allowed too, as Kubernetes 1.33+ Pod Security admission does.
// A volume with no source at all is accepted: the API server defaults it to emptyDir.

import {
  registerPolicy,
  validatePods,
  volumesOf,
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
  "configMap",
  "csi",
  "downwardAPI",
  "emptyDir",
  "ephemeral",
  "image",
  "persistentVolumeClaim",
  "projected",
  "secret",
];

function check(pod: PodSpecRef, v: Violations): void {
  const volumes = volumesOf(pod);
  for (let i = 0; i < volumes.length; i++) {
    const vol = volumes[i];
    const obj = vol.volume;
    let allowed = false;
    let firstOther = "";
    for (let k = 0; k < obj.length; k++) {
      const key = obj.keyAt(k);
      if (key == "name") continue;
      const val = obj.valueAt(k)!;
      if (val.isNull()) continue;
      if (ALLOWED.includes(key)) {
        allowed = true;
        break;
      }
      if (firstOther.length == 0) firstOther = key;
    }
    if (allowed || firstOther.length == 0) continue;
    v.add(
      vol.subject +
        firstOther +
        " volumes are not allowed; allowed volume types: " +
        ALLOWED.join(", "),
    );
  }
}

function validate(req: ValidationRequest): ValidationResponse {
  return validatePods(req, check);
}
