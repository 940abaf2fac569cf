import { HostCallError } from './errors';
import type { KubernetesOperation, Route } from './routes';

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

/** `oci/v1/verify` and `oci/v2/verify`, as policy-evaluator's CallbackRequestType names the variants. */
export type SigstoreRequest =
  | { type: 'SigstorePubKeyVerify'; image: string; pub_keys: string[]; annotations: Record<string, string> | null }
  | {
      type: 'SigstoreKeylessVerify';
      image: string;
      keyless: { issuer: string; subject: string }[];
      annotations: Record<string, string> | null;
    }
  | {
      type: 'SigstoreKeylessPrefixVerify';
      image: string;
      keyless_prefix: { issuer: string; url_prefix: string }[];
      annotations: Record<string, string> | null;
    }
  | {
      type: 'SigstoreGithubActionsVerify';
      image: string;
      owner: string;
      repo: string | null;
      annotations: Record<string, string> | null;
    }
  | {
      type: 'SigstoreCertificateVerify';
      image: string;
      certificate: Uint8Array;
      certificate_chain: Uint8Array[] | null;
      require_rekor_bundle: boolean;
      annotations: Record<string, string> | null;
    };

const SIGSTORE_VARIANTS = [
  'SigstorePubKeyVerify',
  'SigstoreKeylessVerify',
  'SigstoreKeylessPrefixVerify',
  'SigstoreGithubActionsVerify',
  'SigstoreCertificateVerify',
] as const;
/** The variants the v1 payload can carry (the others came with v2). */
const SIGSTORE_V1_VARIANTS: readonly string[] = ['SigstorePubKeyVerify', 'SigstoreKeylessVerify'];

/**
 * One request that needs the main thread, modelled on policy-evaluator's CallbackRequestType (the variant name is
 * `type`; the fields keep their snake_case names, which is how kwctl's session files spell them).
 */
export type CallbackRequest =
  | { type: 'OciManifestDigest'; image: string }
  | { type: 'OciManifest'; image: string }
  | { type: 'OciManifestAndConfig'; image: string }
  | SigstoreRequest
  | { type: 'DNSLookupHost'; host: string }
  | {
      type: 'KubernetesListResourceNamespace';
      api_version: string;
      kind: string;
      namespace: string;
      label_selector: string | null;
      field_selector: string | null;
    }
  | {
      type: 'KubernetesListResourceAll';
      api_version: string;
      kind: string;
      label_selector: string | null;
      field_selector: string | null;
    }
  | {
      type: 'KubernetesGetResource';
      api_version: string;
      kind: string;
      name: string;
      namespace: string | null;
      disable_cache: boolean;
    }
  | { type: 'KubernetesCanI'; subject_access_review: AccessReviewSpec; disable_cache: boolean }
  | {
      type: 'CertificateVerification';
      cert: CertificateInput;
      cert_chain: CertificateInput[] | null;
      not_after: string | null;
    };

const dec = new TextDecoder();

/** Decodes the payload of a routed call into a request; a malformed payload is a host error naming what is wrong. */
export function parseCallbackRequest(
  route: Exclude<Route, { kind: 'tracing-log' }>,
  payload: Uint8Array,
): CallbackRequest {
  switch (route.kind) {
    case 'legacy-kubernetes': {
      const [api_version, kind] =
        route.resource === 'ingresses'
          ? ['networking.k8s.io/v1', 'Ingress']
          : route.resource === 'namespaces'
            ? ['v1', 'Namespace']
            : ['v1', 'Service'];
      return { type: 'KubernetesListResourceAll', api_version, kind, label_selector: null, field_selector: null };
    }
    case 'oci': {
      if (route.operation === 'v1/verify' || route.operation === 'v2/verify')
        return sigstoreRequest(route.operation, payload);
      const image = jsonString(payload, `oci ${route.operation}`, 'an image reference');
      return {
        type:
          route.operation === 'v1/manifest_digest'
            ? 'OciManifestDigest'
            : route.operation === 'v1/oci_manifest'
              ? 'OciManifest'
              : 'OciManifestAndConfig',
        image,
      };
    }
    case 'net':
      return { type: 'DNSLookupHost', host: jsonString(payload, 'net v1/dns_lookup_host', 'a host name') };
    case 'crypto':
      return certificateRequest(Fields.of(payload, 'crypto v1/is_certificate_trusted'));
    case 'kubernetes':
      return kubernetesRequest(route.operation, Fields.of(payload, `kubernetes ${route.operation}`));
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

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Reads the fields of one JSON object of a request; a missing or mistyped field is a host error naming it. */
class Fields {
  constructor(
    readonly value: Record<string, unknown>,
    readonly what: string,
  ) {}

  static of(payload: Uint8Array, what: string): Fields {
    const v = parse(payload, what);
    if (!isObject(v)) throw new HostCallError(`${what}: the request must be a JSON object`);
    return new Fields(v, what);
  }

  /** The object under `key` (the first of `keys` present), read the same way. */
  object(...keys: string[]): Fields {
    const v = keys.map((k) => this.value[k]).find((x) => x !== undefined && x !== null);
    if (!isObject(v)) throw new HostCallError(`${this.what}: missing field \`${keys[0]}\` (an object)`);
    return new Fields(v, `${this.what}: ${keys[0]}`);
  }

  str(key: string): string {
    const v = this.value[key];
    if (typeof v !== 'string') throw new HostCallError(`${this.what}: missing field \`${key}\` (a string)`);
    return v;
  }

  optStr(key: string): string | null {
    const v = this.value[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== 'string') throw new HostCallError(`${this.what}: field \`${key}\` must be a string`);
    return v;
  }

  bool(key: string, dflt: boolean): boolean {
    const v = this.value[key];
    if (v === undefined || v === null) return dflt;
    if (typeof v !== 'boolean') throw new HostCallError(`${this.what}: field \`${key}\` must be a boolean`);
    return v;
  }

  strings(key: string): string[] {
    const v = this.value[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v) || !v.every((g) => typeof g === 'string'))
      throw new HostCallError(`${this.what}: field \`${key}\` must be a list of strings`);
    return v as string[];
  }
}

/**
 * The v1 payload is serde's externally tagged enum (`{"SigstorePubKeyVerify": {...}}`), the v2 one is tagged on
 * `type` (`{"type": "SigstorePubKeyVerify", ...}`), as the policy SDKs write them.
 */
function sigstoreRequest(operation: 'v1/verify' | 'v2/verify', payload: Uint8Array): SigstoreRequest {
  const what = `oci ${operation}`;
  const v = parse(payload, what);
  if (!isObject(v)) throw new HostCallError(`${what}: the request must be a JSON object`);
  let variant: string;
  let body: Record<string, unknown>;
  if (operation === 'v1/verify') {
    const keys = Object.keys(v);
    if (keys.length !== 1 || !SIGSTORE_V1_VARIANTS.includes(keys[0]) || !isObject(v[keys[0]])) {
      throw new HostCallError(
        `${what}: unknown variant, expected one of ${SIGSTORE_V1_VARIANTS.map((x) => `\`${x}\``).join(', ')}`,
      );
    }
    variant = keys[0];
    body = v[keys[0]] as Record<string, unknown>;
  } else {
    if (typeof v.type !== 'string' || !(SIGSTORE_VARIANTS as readonly string[]).includes(v.type)) {
      throw new HostCallError(
        `${what}: unknown variant ${JSON.stringify(v.type)}, expected one of ${SIGSTORE_VARIANTS.map((x) => `\`${x}\``).join(', ')}`,
      );
    }
    variant = v.type;
    body = v;
  }
  const f = new Fields(body, `${what}: ${variant}`);
  const image = f.str('image');
  const annotations = stringMap(body.annotations, `${f.what}: annotations`);
  const list = <T>(key: string, item: (x: Fields) => T): T[] => {
    const raw = body[key];
    if (!Array.isArray(raw)) throw new HostCallError(`${f.what}: missing field \`${key}\` (a list)`);
    // An empty list would verify nothing: policy-evaluator refuses it.
    if (raw.length === 0) throw new HostCallError(`${f.what}: \`${key}\` must not be empty`);
    return raw.map((x, i) => {
      if (!isObject(x)) throw new HostCallError(`${f.what}: ${key}[${i}] must be an object`);
      return item(new Fields(x, `${f.what}: ${key}[${i}]`));
    });
  };
  switch (variant) {
    case 'SigstorePubKeyVerify': {
      const keys = body.pub_keys;
      if (!Array.isArray(keys) || !keys.every((k) => typeof k === 'string'))
        throw new HostCallError(`${f.what}: missing field \`pub_keys\` (a list of PEM strings)`);
      if (keys.length === 0) throw new HostCallError(`${f.what}: \`pub_keys\` must not be empty`);
      return { type: variant, image, pub_keys: keys as string[], annotations };
    }
    case 'SigstoreKeylessVerify':
      return {
        type: variant,
        image,
        keyless: list('keyless', (x) => ({ issuer: x.str('issuer'), subject: x.str('subject') })),
        annotations,
      };
    case 'SigstoreKeylessPrefixVerify':
      return {
        type: variant,
        image,
        keyless_prefix: list('keyless_prefix', (x) => ({ issuer: x.str('issuer'), url_prefix: x.str('url_prefix') })),
        annotations,
      };
    case 'SigstoreGithubActionsVerify':
      return { type: variant, image, owner: f.str('owner'), repo: f.optStr('repo'), annotations };
    default: {
      const chain = body.certificate_chain;
      if (chain !== undefined && chain !== null && !Array.isArray(chain))
        throw new HostCallError(`${f.what}: certificate_chain must be a list of certificates or null`);
      return {
        type: 'SigstoreCertificateVerify',
        image,
        certificate: bytes(body.certificate, `${f.what}: certificate`),
        certificate_chain: Array.isArray(chain)
          ? chain.map((c, i) => bytes(c, `${f.what}: certificate_chain[${i}]`))
          : null,
        require_rekor_bundle: f.bool('require_rekor_bundle', false),
        annotations,
      };
    }
  }
}

function stringMap(v: unknown, what: string): Record<string, string> | null {
  if (v === undefined || v === null) return null;
  if (!isObject(v) || !Object.values(v).every((x) => typeof x === 'string'))
    throw new HostCallError(`${what} must be a map of strings`);
  return v as Record<string, string>;
}

/** serde's Vec<u8>: a JSON list of numbers. */
function bytes(v: unknown, what: string): Uint8Array {
  if (!Array.isArray(v) || !v.every((b) => Number.isInteger(b) && b >= 0 && b <= 255))
    throw new HostCallError(`${what} must be a list of bytes (numbers 0-255)`);
  return Uint8Array.from(v as number[]);
}

function kubernetesRequest(op: KubernetesOperation, f: Fields): CallbackRequest {
  switch (op) {
    case 'list_resources_by_namespace':
      return {
        type: 'KubernetesListResourceNamespace',
        api_version: f.str('api_version'),
        kind: f.str('kind'),
        namespace: f.str('namespace'),
        label_selector: f.optStr('label_selector'),
        field_selector: f.optStr('field_selector'),
      };
    case 'list_resources_all':
      return {
        type: 'KubernetesListResourceAll',
        api_version: f.str('api_version'),
        kind: f.str('kind'),
        label_selector: f.optStr('label_selector'),
        field_selector: f.optStr('field_selector'),
      };
    case 'get_resource': {
      // An empty namespace means none (cluster-scoped), as the SDKs send it.
      const ns = f.optStr('namespace');
      return {
        type: 'KubernetesGetResource',
        api_version: f.str('api_version'),
        kind: f.str('kind'),
        name: f.str('name'),
        namespace: ns === '' ? null : ns,
        disable_cache: f.bool('disable_cache', false),
      };
    }
    case 'can_i': {
      const sar = f.object('subject_access_review');
      // The Rust SDK sends resource_attributes, the Go SDK resourceAttributes: both are accepted.
      const r = sar.object('resource_attributes', 'resourceAttributes');
      const attrs: AccessReviewSpec['resourceAttributes'] = { verb: r.str('verb'), resource: r.str('resource') };
      for (const k of ['namespace', 'group', 'subresource', 'name', 'version'] as const) {
        const v = r.optStr(k);
        if (v !== null) attrs[k] = v;
      }
      return {
        type: 'KubernetesCanI',
        subject_access_review: { user: sar.str('user'), groups: sar.strings('groups'), resourceAttributes: attrs },
        disable_cache: f.bool('disable_cache', false),
      };
    }
  }
}

function certificate(v: unknown, what: string): CertificateInput {
  if (!isObject(v)) throw new HostCallError(`${what} must be an object with encoding and data`);
  if (v.encoding !== 'Pem' && v.encoding !== 'Der') throw new HostCallError(`${what}.encoding must be "Pem" or "Der"`);
  // serde's Vec<u8>: a JSON list of numbers.
  if (!Array.isArray(v.data) || !v.data.every((b) => Number.isInteger(b) && b >= 0 && b <= 255))
    throw new HostCallError(`${what}.data must be a list of bytes (numbers 0-255)`);
  return { encoding: v.encoding, data: Uint8Array.from(v.data as number[]) };
}

function certificateRequest(f: Fields): CallbackRequest {
  const cert = certificate(f.value.cert, `${f.what}: cert`);
  let chain: CertificateInput[] | null = null;
  const rawChain = f.value.cert_chain;
  if (rawChain !== undefined && rawChain !== null) {
    if (!Array.isArray(rawChain))
      throw new HostCallError(`${f.what}: cert_chain must be a list of certificates or null`);
    chain = rawChain.map((c, i) => certificate(c, `${f.what}: cert_chain[${i}]`));
  }
  const notAfter = f.optStr('not_after');
  return { type: 'CertificateVerification', cert, cert_chain: chain, not_after: notAfter === '' ? null : notAfter };
}
