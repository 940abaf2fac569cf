// Pod-spec walker: finds the pod spec in workload objects and iterates its containers.

import { JValue, quote } from "./json";
import { ValidationRequest, ValidationResponse } from "./protocol";

/** A pod spec found in an object, with the JSON paths used in messages. */
export class PodSpecRef {
  constructor(
    /** the pod spec object */
    public spec: JValue,
    /** dotted path of the spec, e.g. "spec.template.spec" */
    public path: string,
    /** pod-level metadata (Pod metadata / pod template metadata), if present */
    public metadata: JValue | null,
    /** dotted path of that metadata, e.g. "spec.template.metadata" */
    public metadataPath: string,
  ) {}

  /** spec.securityContext if it is an object. */
  get securityContext(): JValue | null {
    return this.spec.obj("securityContext");
  }

  /** metadata.annotations if it is an object. */
  get annotations(): JValue | null {
    const m = this.metadata;
    if (m === null) return null;
    return m.obj("annotations");
  }

  /** True if spec.os.name is "windows" (Linux-only controls do not apply). */
  get isWindows(): bool {
    const os = this.spec.obj("os");
    if (os === null) return false;
    const name = os.str("name");
    return name !== null && name == "windows";
  }

  /** True if spec.hostUsers is false: the pod runs in its own user namespace. */
  get usesUserNamespace(): bool {
    const hu = this.spec.get("hostUsers");
    return hu !== null && hu.isFalse();
  }

  /** Message prefix for pod-level findings: `pod (spec.template.spec): `. */
  get subject(): string {
    return "pod (" + this.path + "): ";
  }

  /** Message prefix for pod-metadata findings: `pod (spec.template.metadata): `. */
  get metadataSubject(): string {
    return "pod (" + this.metadataPath + "): ";
  }
}

/** One container of a pod spec. */
export class ContainerRef {
  constructor(
    public container: JValue,
    /** containers | initContainers | ephemeralContainers */
    public list: string,
    public index: i32,
    /** dotted path of the pod spec, e.g. "spec.template.spec" */
    public podPath: string,
  ) {}

  /** Full dotted path, e.g. "spec.template.spec.initContainers[1]" (made when a message needs it). */
  get path(): string {
    return this.podPath + "." + this.list + "[" + this.index.toString() + "]";
  }

  /** The container name ("" when missing or not a string). */
  get name(): string {
    const n = this.container.str("name");
    return n !== null ? n : "";
  }

  /** securityContext if it is an object. */
  get securityContext(): JValue | null {
    return this.container.obj("securityContext");
  }

  /** Message prefix: `container "nginx" (spec.containers[0]): `. */
  get subject(): string {
    return "container " + quote(this.name) + " (" + this.path + "): ";
  }
}

/** One entry of spec.volumes. */
export class VolumeRef {
  constructor(
    public volume: JValue,
    public index: i32,
    /** dotted path of the pod spec, e.g. "spec.template.spec" */
    public podPath: string,
  ) {}

  /** Full dotted path, e.g. "spec.template.spec.volumes[0]" (made when a message needs it). */
  get path(): string {
    return this.podPath + ".volumes[" + this.index.toString() + "]";
  }

  get name(): string {
    const n = this.volume.str("name");
    return n !== null ? n : "";
  }

  /** Message prefix: `volume "data" (spec.volumes[0]): `. */
  get subject(): string {
    return "volume " + quote(this.name) + " (" + this.path + "): ";
  }
}

/** The volumes of a pod spec (entries that are objects). */
export function volumesOf(pod: PodSpecRef): Array<VolumeRef> {
  const out = new Array<VolumeRef>();
  const arr = pod.spec.arr("volumes");
  if (arr === null) return out;
  for (let i = 0; i < arr.length; i++) {
    const v = arr.at(i);
    if (v === null || !v.isObject()) continue;
    out.push(new VolumeRef(v, i, pod.path));
  }
  return out;
}

/** The pod template under parent.template; the paths are constants, so no text is built per request. */
function templateAt(parent: JValue | null, specPath: string, metadataPath: string, out: Array<PodSpecRef>): void {
  if (parent === null) return;
  const template = parent.obj("template");
  if (template === null) return;
  const spec = template.obj("spec");
  if (spec === null) return;
  out.push(new PodSpecRef(spec, specPath, template.obj("metadata"), metadataPath));
}

/** Kinds whose pod template is at spec.template. */
export const TEMPLATE_KINDS: Array<string> = [
  "Deployment",
  "StatefulSet",
  "DaemonSet",
  "ReplicaSet",
  "ReplicationController",
  "Job",
];

/**
 * Every pod spec of an object: Pod `spec`; Deployment, StatefulSet, DaemonSet, ReplicaSet,
 * ReplicationController, Job `spec.template.spec`; CronJob `spec.jobTemplate.spec.template.spec`.
 * Other kinds (or malformed objects) give an empty list.
 */
export function podSpecs(object: JValue | null, kind: string): Array<PodSpecRef> {
  const out = new Array<PodSpecRef>();
  if (object === null || !object.isObject()) return out;
  const spec = object.obj("spec");
  if (spec === null) return out;
  if (kind == "Pod") {
    out.push(new PodSpecRef(spec, "spec", object.obj("metadata"), "metadata"));
  } else if (TEMPLATE_KINDS.includes(kind)) {
    templateAt(spec, "spec.template.spec", "spec.template.metadata", out);
  } else if (kind == "CronJob") {
    const jt = spec.obj("jobTemplate");
    if (jt !== null) {
      templateAt(jt.obj("spec"), "spec.jobTemplate.spec.template.spec", "spec.jobTemplate.spec.template.metadata", out);
    }
  }
  return out;
}

export const CONTAINERS: u32 = 1;
export const INIT_CONTAINERS: u32 = 2;
export const EPHEMERAL_CONTAINERS: u32 = 4;
export const ALL_CONTAINERS: u32 = 7;

/** Containers of a pod spec, in the order containers, initContainers, ephemeralContainers. */
export function containersOf(pod: PodSpecRef, which: u32 = ALL_CONTAINERS): Array<ContainerRef> {
  const out = new Array<ContainerRef>();
  if (which & CONTAINERS) addList(pod, "containers", out);
  if (which & INIT_CONTAINERS) addList(pod, "initContainers", out);
  if (which & EPHEMERAL_CONTAINERS) addList(pod, "ephemeralContainers", out);
  return out;
}

function addList(pod: PodSpecRef, list: string, out: Array<ContainerRef>): void {
  const arr = pod.spec.arr(list);
  if (arr === null) return;
  for (let i = 0; i < arr.length; i++) {
    const c = arr.at(i);
    if (c === null || !c.isObject()) continue;
    out.push(new ContainerRef(c, list, i, pod.path));
  }
}

/** Collects violation messages; the final message joins them with "; ". */
export class Violations {
  list: Array<string> = new Array<string>();

  add(message: string): void {
    this.list.push(message);
  }

  get empty(): bool {
    return this.list.length == 0;
  }

  get message(): string {
    return this.list.join("; ");
  }
}

/** A JSON rendering of a value for messages: strings quoted, numbers as written. */
export function show(v: JValue): string {
  return v.toJSON();
}

/** Joins strings with ", ". */
export function joinList(items: Array<string>): string {
  return items.join(", ");
}

/** Joins quoted strings with ", ". */
export function joinQuoted(items: Array<string>): string {
  let s = "";
  for (let i = 0; i < items.length; i++) {
    if (i > 0) s += ", ";
    s += quote(items[i]);
  }
  return s;
}

/** A check of one securityContext (pod- or container-level); `subject` prefixes its messages. */
export type SecurityContextCheck = (securityContext: JValue | null, subject: string, v: Violations) => void;

/** Runs `check` on the pod's securityContext, then on every container's (init and ephemeral included). */
export function checkSecurityContexts(pod: PodSpecRef, v: Violations, check: SecurityContextCheck): void {
  check(pod.securityContext, pod.subject, v);
  const containers = containersOf(pod);
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i];
    check(c.securityContext, c.subject, v);
  }
}

/** Reads one field out of a securityContext (pod- or container-level); null when unset. */
export type SecurityField = (securityContext: JValue | null) => JValue | null;
/** Whether a set value is allowed. */
export type AllowedValue = (value: JValue) => bool;

/**
 * The Pod Security Standards rule for a field set at pod level and overridable per container
 * (runAsNonRoot, seccompProfile.type): an explicit value must be allowed at either level, and a
 * container that leaves it unset inherits the pod's value, so it needs one there. `field` names the
 * field under securityContext in messages; `mustBe` describes the allowed values.
 */
export function requireInheritedField(
  pod: PodSpecRef,
  v: Violations,
  field: string,
  read: SecurityField,
  allowed: AllowedValue,
  mustBe: string,
): void {
  const podValue = read(pod.securityContext);
  if (podValue !== null && !allowed(podValue)) {
    v.add(pod.subject + "securityContext." + field + " is " + show(podValue) + "; it must be " + mustBe);
  }
  const containers = containersOf(pod);
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i];
    const value = read(c.securityContext);
    if (value === null) {
      // inherits the pod-level value; an explicit bad pod value is already reported
      if (podValue === null) {
        v.add(
          c.subject +
            "securityContext." + field + " is not set, and neither is " +
            pod.path +
            ".securityContext." + field + "; one of them must be " +
            mustBe,
        );
      }
    } else if (!allowed(value)) {
      v.add(c.subject + "securityContext." + field + " is " + show(value) + "; it must be " + mustBe);
    }
  }
}

/** A check run on each pod spec of the request's object; it records violations. */
export type PodCheck = (pod: PodSpecRef, violations: Violations) => void;

/**
 * Runs `check` on every pod spec of request.object. Objects without a pod spec (other kinds,
 * DELETE requests, malformed objects) are accepted. Rejects with all violations joined by "; ".
 */
export function validatePods(req: ValidationRequest, check: PodCheck): ValidationResponse {
  const pods = podSpecs(req.object, req.kind);
  const v = new Violations();
  for (let i = 0; i < pods.length; i++) check(pods[i], v);
  if (v.empty) return ValidationResponse.accept();
  return ValidationResponse.reject(v.message);
}
