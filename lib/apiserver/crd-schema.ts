/**
 * Custom resources: what the API server does with a CustomResourceDefinition's structural schema at decode
 * (apiextensions-apiserver pkg/apiserver/customresource_handler.go: pruning, `default`s; schemaobjectmeta for
 * metadata), and the status-subresource rule of its PrepareForCreate (pkg/registry/customresource/strategy.go).
 */
import type { JsonObject, JsonValue } from './context';
import type { PathSegment } from '../base/json-pointer';

/** The schema of one served version of a CRD found in the input. */
export interface CrdVersion {
  schema?: JsonObject;
  /** `subresources.status` is enabled: PrepareForCreate removes `status`. */
  statusSubresource: boolean;
}

/** The version `group/version` `kind` of the CRDs given (apiextensions.k8s.io/v1 shape), or undefined. */
export function findCrdVersion(
  crds: readonly { apiVersion: string; kind: string; [k: string]: unknown }[],
  group: string,
  version: string,
  kind: string,
): CrdVersion | undefined {
  for (let i = crds.length - 1; i >= 0; i--) {
    const spec = crds[i].spec as JsonObject | undefined;
    const names = spec?.names as JsonObject | undefined;
    if (!spec || spec.group !== group || names?.kind !== kind || !Array.isArray(spec.versions)) continue;
    for (const v of spec.versions) {
      if (!isObject(v) || v.name !== version) continue;
      const schema = isObject(v.schema) && isObject(v.schema.openAPIV3Schema) ? v.schema.openAPIV3Schema : undefined;
      const sub = isObject(v.subresources) ? v.subresources : undefined;
      return { ...(schema ? { schema } : {}), statusSubresource: sub !== undefined && isObject(sub.status) };
    }
  }
  return undefined;
}

/**
 * The object pruned to its structural schema, with the schema's defaults filled in; the pruned fields'
 * paths are pushed to `unknown`. apiVersion, kind and metadata are the API server's, not the schema's.
 */
export function applyStructuralSchema(obj: JsonObject, schema: JsonObject, unknown: PathSegment[][]): JsonObject {
  const out: JsonObject = {};
  for (const k in obj) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata') out[k] = obj[k];
  }
  const props = isObject(schema.properties) ? schema.properties : {};
  for (const k in obj) {
    if (k === 'apiVersion' || k === 'kind' || k === 'metadata') continue;
    if (isObject(props[k])) out[k] = walk(obj[k], props[k] as JsonObject, [k], unknown);
    else if (schema['x-kubernetes-preserve-unknown-fields'] === true) out[k] = obj[k];
    else unknown.push([k]);
  }
  fillDefaults(out, props);
  return out;
}

function walk(v: JsonValue, s: JsonObject, path: PathSegment[], unknown: PathSegment[][]): JsonValue {
  if (Array.isArray(v)) {
    const items = isObject(s.items) ? s.items : undefined;
    return items ? v.map((x, i) => walk(x, items, [...path, i], unknown)) : v;
  }
  if (!isObject(v)) return v;
  const props = isObject(s.properties) ? s.properties : undefined;
  const additional = s.additionalProperties;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  if (!props && additional === undefined) return preserve || s.type !== 'object' ? v : prune(v, path, unknown);
  const out: JsonObject = {};
  for (const k in v) {
    if (props && isObject(props[k])) out[k] = walk(v[k], props[k] as JsonObject, [...path, k], unknown);
    else if (isObject(additional)) out[k] = walk(v[k], additional, [...path, k], unknown);
    else if (additional === true || preserve) out[k] = v[k];
    else unknown.push([...path, k]);
  }
  if (props) fillDefaults(out, props);
  return out;
}

/** An object schema without properties or additionalProperties keeps nothing (structural pruning). */
function prune(v: JsonObject, path: PathSegment[], unknown: PathSegment[][]): JsonObject {
  for (const k in v) unknown.push([...path, k]);
  return {};
}

function fillDefaults(out: JsonObject, props: JsonObject): void {
  for (const k in props) {
    const p = props[k];
    if (out[k] === undefined && isObject(p) && p.default !== undefined) out[k] = structuredClone(p.default);
  }
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
