// pss-apparmor — Pod Security Standards, Baseline, "AppArmor".
// Restricted fields: spec.securityContext.appArmorProfile.type and
// spec.{containers,initContainers,ephemeralContainers}[*].securityContext.appArmorProfile.type
//   allowed values: undefined/nil, RuntimeDefault, Localhost
// metadata.annotations["container.apparmor.security.beta.kubernetes.io/*"]
//   allowed values: undefined/nil, runtime/default, localhost/*

import {
  registerPolicy,
  validatePods,
  checkSecurityContexts,
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
  registerPolicy(validate);
}

const ANNOTATION_PREFIX = "container.apparmor.security.beta.kubernetes.io/";

function checkType(sc: JValue | null, subject: string, v: Violations): void {
  if (sc === null) return;
  const profile = sc.obj("appArmorProfile");
  if (profile === null) return;
  const t = profile.field("type");
  if (t === null) return;
  if (t.isString() && (t.text == "RuntimeDefault" || t.text == "Localhost")) return;
  v.add(
    subject +
      "securityContext.appArmorProfile.type is " +
      show(t) +
      '; only "RuntimeDefault" and "Localhost" AppArmor profiles are allowed',
  );
}

function allowedAnnotation(value: JValue): bool {
  if (value.isNull()) return true;
  if (!value.isString()) return false;
  const s = value.text;
  // an empty value means "not set" (the Kubernetes Pod Security admission treats it so too)
  return s.length == 0 || s == "runtime/default" || s.startsWith("localhost/");
}

function check(pod: PodSpecRef, v: Violations): void {
  checkSecurityContexts(pod, v, checkType);
  const annotations = pod.annotations;
  if (annotations === null) return;
  for (let i = 0; i < annotations.length; i++) {
    const key = annotations.keyAt(i);
    if (!key.startsWith(ANNOTATION_PREFIX)) continue;
    const value = annotations.valueAt(i)!;
    if (allowedAnnotation(value)) continue;
    v.add(
      pod.metadataSubject +
        "annotations[" +
        quote(key) +
        "] is " +
        show(value) +
        '; only "runtime/default" and "localhost/<profile>" AppArmor profiles are allowed',
    );
  }
}

function validate(req: ValidationRequest): ValidationResponse {
  return validatePods(req, check);
}
