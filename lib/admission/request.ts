import { createHash } from 'node:crypto';
import type { ApiServerOptions } from '../apiserver/options';
import type { KubeObject } from '../manifests/types';
import type { ResolvedResource } from '../kube/resource-resolver';
import type { AdmissionRequest, Operation, UserInfo } from '../kube/admission-review';

/** kwctl scaffold's identity: the request comes from a cluster admin unless the user says otherwise. */
export const DEFAULT_USER: UserInfo = { username: 'test-user', groups: ['system:masters'] };

export interface RequestOptions {
  operation: Operation;
  userInfo: UserInfo;
  /** `-n`: namespace for namespaced objects that do not name one. */
  defaultNamespace?: string;
  /** The API server's own steps before admission (lib/apiserver/stage.ts); absent: objects go as written. */
  apiServer?: ApiServerOptions;
}

/** The request's namespace as the API-server stage decided it (a Namespace object's own name). */
export interface RequestNamespace {
  namespace: string | undefined;
}

const OPTIONS_KIND: Record<Operation, string | undefined> = {
  CREATE: 'CreateOptions',
  UPDATE: 'UpdateOptions',
  DELETE: 'DeleteOptions',
  CONNECT: undefined,
};

/** The namespace the API server would put the object in, or undefined for cluster-scoped kinds. */
export function effectiveNamespace(
  obj: KubeObject,
  res: ResolvedResource,
  defaultNamespace?: string,
): string | undefined {
  if (!res.namespaced) return undefined;
  const ns = obj.metadata?.namespace;
  return typeof ns === 'string' && ns !== '' ? ns : (defaultNamespace ?? 'default');
}

/**
 * Largest request JSON built for one object (object and oldObject together). Documents are already limited to
 * `maxExpandedBytes` each when read (lib/manifests/limits.ts); this holds for every other way an object arrives.
 */
export const MAX_REQUEST_BYTES = 160 * 1024 * 1024;

/** A request that cannot be built (too large, nested too deeply): an error result for that object, not a crash. */
export class RequestTooLargeError extends Error {
  override name = 'RequestTooLargeError';
  constructor(message = `the AdmissionRequest for this object would be larger than ${MAX_REQUEST_BYTES} bytes`) {
    super(message);
  }
}

/**
 * JSON.stringify bounded by `max` bytes. V8 throws a RangeError past its own string limit (about 512 MiB) or when a
 * value nests deeply enough to overflow the stack; both become a RequestTooLargeError.
 */
export function boundedJson(value: unknown, max: number = MAX_REQUEST_BYTES): string {
  let json: string;
  try {
    json = JSON.stringify(value);
  } catch (err) {
    if (!(err instanceof RangeError)) throw err;
    throw new RequestTooLargeError(
      /string length/i.test(err.message) ? undefined : 'the object nests too deeply to be serialised',
    );
  }
  if (json.length > max)
    throw new RequestTooLargeError(`the AdmissionRequest for this object would be larger than ${max} bytes`);
  return json;
}

/** A request and its JSON, serialised once and shared by every policy that evaluates it. */
export interface SynthesizedRequest {
  request: AdmissionRequest;
  json: string;
}

/**
 * Synthesises the AdmissionRequest the API server would send for `kubectl apply` of `obj` (docs/host-interface.md §8), with the
 * namespace filled into the object as the API server does. The uid is derived from the request content, so
 * the same input always gives the same uid.
 */
export function buildAdmissionRequest(
  obj: KubeObject,
  res: ResolvedResource,
  opts: RequestOptions,
  staged?: RequestNamespace,
): SynthesizedRequest {
  const namespace = staged ? staged.namespace : effectiveNamespace(obj, res, opts.defaultNamespace);
  let object: KubeObject = obj;
  if (!staged && namespace !== undefined && obj.metadata?.namespace !== namespace) {
    object = { ...obj, metadata: { ...obj.metadata, namespace } };
  }
  const kind = { group: res.group, version: res.version, kind: res.kind };
  const resource = { group: res.group, version: res.version, resource: res.resource };
  const head: Omit<AdmissionRequest, 'uid'> = {
    kind,
    resource,
    requestKind: kind,
    requestResource: resource,
    operation: opts.operation,
    userInfo: opts.userInfo,
  };
  const name = obj.metadata?.name;
  if (typeof name === 'string' && name !== '') head.name = name;
  if (namespace !== undefined) head.namespace = namespace;
  head.dryRun = false;
  const optionsKind = OPTIONS_KIND[opts.operation];
  if (optionsKind) head.options = requestOptions(optionsKind, opts);
  const headJson = JSON.stringify(head);
  const objectJson = opts.operation === 'DELETE' ? undefined : boundedJson(object);
  const uid = stableUid(headJson + (objectJson ?? ''));
  const request: AdmissionRequest = { uid, ...head };
  if (objectJson !== undefined) request.object = object;
  const json = `{"uid":"${uid}",${headJson.slice(1, -1)}${objectJson !== undefined ? `,"object":${objectJson}` : ''}}`;
  return { request, json };
}

/** `options`: with the API-server stage, the field manager and field validation kubectl's request carries. */
function requestOptions(kind: string, opts: RequestOptions): Record<string, unknown> {
  const out: Record<string, unknown> = { apiVersion: 'meta.k8s.io/v1', kind };
  const s = opts.apiServer;
  if (!s || s.skip || kind === 'DeleteOptions') return out;
  out.fieldManager =
    s.applyMode === 'server' ? 'kubectl' : s.applyMode === 'create' ? 'kubectl-create' : 'kubectl-client-side-apply';
  out.fieldValidation = s.validate === 'strict' ? 'Strict' : s.validate === 'warn' ? 'Warn' : 'Ignore';
  return out;
}

/** A UUID-shaped id from the SHA-256 of the request content. */
export function stableUid(content: string): string {
  const h = createHash('sha256').update(content).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16], 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
