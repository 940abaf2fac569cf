import { HostCallError } from './errors';
import type { Route } from './routes';

/** What `can_i` asks (Kubernetes SubjectAccessReviewSpec with resource attributes). */
export interface AccessReviewSpec {
  user: string;
  groups: string[];
  resourceAttributes: {
    namespace?: string;
    verb: string;
    group?: string;
    resource: string;
    subresource?: string;
    name?: string;
    version?: string;
  };
}

/** Kubernetes SubjectAccessReviewStatus, the reply of `can_i`. */
export interface SubjectAccessReviewStatus {
  allowed: boolean;
  denied?: boolean;
  reason?: string;
  evaluationError?: string;
}

export interface CertificateInput {
  encoding: 'Pem' | 'Der';
  data: Uint8Array;
}

/**
 * One request that needs the main thread, modelled on policy-evaluator's CallbackRequestType (the variant name is
 * `type`; the fields keep their snake_case names, which is how kwctl's session files spell them).
 */
export type CallbackRequest =
  | { type: 'OciManifestDigest'; image: string }
  | { type: 'OciManifest'; image: string }
  | { type: 'OciManifestAndConfig'; image: string }
  | { type: 'SigstoreVerify'; operation: 'v1/verify' | 'v2/verify' }
  | { type: 'DNSLookupHost'; host: string }
  | { type: 'KubernetesListResourceNamespace'; api_version: string; kind: string; namespace: string; label_selector: string | null; field_selector: string | null }
  | { type: 'KubernetesListResourceAll'; api_version: string; kind: string; label_selector: string | null; field_selector: string | null }
  | { type: 'KubernetesGetResource'; api_version: string; kind: string; name: string; namespace: string | null; disable_cache: boolean }
  | { type: 'KubernetesCanI'; subject_access_review: AccessReviewSpec; disable_cache: boolean }
  | { type: 'CertificateVerification'; cert: CertificateInput; cert_chain: CertificateInput[] | null; not_after: string | null };

const dec = new TextDecoder();

/** Decodes the payload of a routed call into a request; a malformed payload is a host error naming what is wrong. */
export function parseCallbackRequest(route: Exclude<Route, { kind: 'tracing-log' }>, payload: Uint8Array): CallbackRequest {
  switch (route.kind) {
    case 'legacy-kubernetes': {
      const [api_version, kind] = route.resource === 'ingresses' ? ['networking.k8s.io/v1', 'Ingress'] : route.resource === 'namespaces' ? ['v1', 'Namespace'] : ['v1', 'Service'];
      return { type: 'KubernetesListResourceAll', api_version, kind, label_selector: null, field_selector: null };
    }
    case 'oci': {
      if (route.operation === 'v1/verify' || route.operation === 'v2/verify') return { type: 'SigstoreVerify', operation: route.operation };
      const image = jsonString(payload, `oci ${route.operation}`, 'an image reference');
      return { type: route.operation === 'v1/manifest_digest' ? 'OciManifestDigest' : route.operation === 'v1/oci_manifest' ? 'OciManifest' : 'OciManifestAndConfig', image };
    }
    case 'net':
      return { type: 'DNSLookupHost', host: jsonString(payload, 'net v1/dns_lookup_host', 'a host name') };
    case 'crypto':
      return certificateRequest(jsonObject(payload, 'crypto v1/is_certificate_trusted'));
    case 'kubernetes':
      return kubernetesRequest(route.operation, jsonObject(payload, `kubernetes ${route.operation}`));
  }
}

function parse(payload: Uint8Array, what: string): unknown {
  try {
    return JSON.parse(dec.decode(payload));
  } catch (err) {
    throw new HostCallError(`${what}: the request is not valid JSON: ${(err as Error).message}`);
  }
}

function jsonString(payload: Uint8Array, what: string, expected: string): string {
  const v = parse(payload, what);
  if (typeof v !== 'string') throw new HostCallError(`${what}: the request must be a JSON string (${expected})`);
  return v;
}

type Obj = Record<string, unknown>;

function jsonObject(payload: Uint8Array, what: string): Obj & { __what: string } {
  const v = parse(payload, what);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new HostCallError(`${what}: the request must be a JSON object`);
  return Object.assign(Object.create(null) as Obj, v as Obj, { __what: what });
}

function str(o: Obj & { __what: string }, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw new HostCallError(`${o.__what}: missing field \`${key}\` (a string)`);
  return v;
}

function optStr(o: Obj & { __what: string }, key: string): string | null {
  const v = o[key];
  if (v === undefined || v === null) return null;
  if (typeof v !== 'string') throw new HostCallError(`${o.__what}: field \`${key}\` must be a string`);
  return v;
}

function bool(o: Obj & { __what: string }, key: string, dflt?: boolean): boolean {
  const v = o[key];
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'boolean') throw new HostCallError(`${o.__what}: missing field \`${key}\` (a boolean)`);
  return v;
}

function kubernetesRequest(op: string, o: Obj & { __what: string }): CallbackRequest {
  switch (op) {
    case 'list_resources_by_namespace':
      return { type: 'KubernetesListResourceNamespace', api_version: str(o, 'api_version'), kind: str(o, 'kind'), namespace: str(o, 'namespace'), label_selector: optStr(o, 'label_selector'), field_selector: optStr(o, 'field_selector') };
    case 'list_resources_all':
      return { type: 'KubernetesListResourceAll', api_version: str(o, 'api_version'), kind: str(o, 'kind'), label_selector: optStr(o, 'label_selector'), field_selector: optStr(o, 'field_selector') };
    case 'get_resource': {
      // An empty namespace means none (cluster-scoped), as the SDKs send it.
      const ns = optStr(o, 'namespace');
      return { type: 'KubernetesGetResource', api_version: str(o, 'api_version'), kind: str(o, 'kind'), name: str(o, 'name'), namespace: ns === '' ? null : ns, disable_cache: bool(o, 'disable_cache', false) };
    }
    default:
      return canIRequest(o);
  }
}

function canIRequest(o: Obj & { __what: string }): CallbackRequest {
  const sar = o.subject_access_review;
  if (sar === null || typeof sar !== 'object' || Array.isArray(sar)) throw new HostCallError(`${o.__what}: missing field \`subject_access_review\` (an object)`);
  const s = Object.assign(Object.create(null) as Obj, sar as Obj, { __what: `${o.__what}: subject_access_review` });
  // The Rust SDK sends resource_attributes, the Go SDK resourceAttributes: both are accepted.
  const ra = s.resource_attributes ?? s.resourceAttributes;
  if (ra === null || typeof ra !== 'object' || Array.isArray(ra)) throw new HostCallError(`${s.__what}: missing field \`resource_attributes\` (an object)`);
  const r = Object.assign(Object.create(null) as Obj, ra as Obj, { __what: `${s.__what}: resource_attributes` });
  const groupsRaw = s.groups;
  if (groupsRaw !== undefined && groupsRaw !== null && (!Array.isArray(groupsRaw) || !groupsRaw.every((g) => typeof g === 'string'))) {
    throw new HostCallError(`${s.__what}: field \`groups\` must be a list of strings`);
  }
  const attrs: AccessReviewSpec['resourceAttributes'] = { verb: str(r, 'verb'), resource: str(r, 'resource') };
  for (const k of ['namespace', 'group', 'subresource', 'name', 'version'] as const) {
    const v = optStr(r, k);
    if (v !== null) attrs[k] = v;
  }
  return { type: 'KubernetesCanI', subject_access_review: { user: str(s, 'user'), groups: (groupsRaw as string[] | undefined | null) ?? [], resourceAttributes: attrs }, disable_cache: bool(o, 'disable_cache', false) };
}

function certificate(v: unknown, what: string): CertificateInput {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new HostCallError(`${what} must be an object with encoding and data`);
  const c = v as Obj;
  if (c.encoding !== 'Pem' && c.encoding !== 'Der') throw new HostCallError(`${what}.encoding must be "Pem" or "Der"`);
  // serde's Vec<u8>: a JSON list of numbers.
  if (!Array.isArray(c.data) || !c.data.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) throw new HostCallError(`${what}.data must be a list of bytes (numbers 0-255)`);
  return { encoding: c.encoding, data: Uint8Array.from(c.data as number[]) };
}

function certificateRequest(o: Obj & { __what: string }): CallbackRequest {
  const cert = certificate(o.cert, `${o.__what}: cert`);
  let chain: CertificateInput[] | null = null;
  if (o.cert_chain !== undefined && o.cert_chain !== null) {
    if (!Array.isArray(o.cert_chain)) throw new HostCallError(`${o.__what}: cert_chain must be a list of certificates or null`);
    chain = o.cert_chain.map((c, i) => certificate(c, `${o.__what}: cert_chain[${i}]`));
  }
  const notAfter = optStr(o, 'not_after');
  return { type: 'CertificateVerification', cert, cert_chain: chain, not_after: notAfter === '' ? null : notAfter };
}
