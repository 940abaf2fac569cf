// image-tag — best practice: container images must be pinned to a tag other than "latest" or to
// a digest. Checks spec.{containers,initContainers,ephemeralContainers}[*].image.
// A reference with a digest (name@sha256:...) is accepted whatever its tag. A colon in the
// registry host part (localhost:5000/app) is a port, not a tag.

import {
  registerPolicy,
  validatePods,
  containersOf,
  quote,
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

const ADVICE = "; pin the image to a specific version tag or a digest";

/** The tag of an image reference without digest: "" when there is none. */
function tagOf(image: string): string {
  const slash = image.lastIndexOf("/");
  const colon = image.lastIndexOf(":");
  if (colon <= slash) return "";
  return image.substring(colon + 1);
}

function check(pod: PodSpecRef, v: Violations): void {
  const containers = containersOf(pod);
  for (let i = 0; i < containers.length; i++) {
    const c = containers[i];
    const img = c.container.field("image");
    if (img === null) continue;
    if (!img.isString()) {
      v.add(c.subject + "image is " + show(img) + ", not an image reference" + ADVICE);
      continue;
    }
    const image = img.text;
    if (image.length == 0) continue; // not set (the API server requires it where it matters)
    if (image.includes("@")) continue; // pinned by digest
    const tag = tagOf(image);
    if (tag.length == 0) {
      v.add(c.subject + "image " + quote(image) + ' has no tag, so it means "latest"' + ADVICE);
    } else if (tag == "latest") {
      v.add(c.subject + "image " + quote(image) + ' uses the "latest" tag' + ADVICE);
    }
  }
}

function validate(req: ValidationRequest): ValidationResponse {
  return validatePods(req, check);
}
