/**
 * The typed round trip of a built-in kind: the API server decodes the request body into the Go type of the
 * kind (sigs.k8s.io/json, strict: unknown fields collected) and every webhook receives that Go value encoded
 * again (encoding/json). This does both in one walk over the schema table (lib/apiserver/schema-table.ts):
 * quantities canonical, times in UTC seconds, bytes in canonical base64, integers checked, unknown fields
 * dropped and reported, fields Go always encodes filled with their zero value, and the zero values
 * `omitempty` drops removed where the table knows the field is not a pointer.
 */
import type { KubernetesVersion, JsonObject, JsonValue } from './context';
import { canonicalQuantity, QuantityError } from './quantity';
import type { FieldSpec, FieldType, SchemaTable, TypeDef } from './schema-table';
import type { PathSegment } from '../base/json-pointer';

export interface FieldProblem {
  path: PathSegment[];
  message: string;
}

export interface TypedOutcome {
  /** The object as a webhook receives it (undefined when decoding failed). */
  value?: JsonObject;
  /** Fields the Go type does not have, in input order (dropped from `value`). */
  unknown: PathSegment[][];
  /** The decode error (a type mismatch), which fails the request in every field-validation mode. */
  error?: FieldProblem;
}

/**
 * Non-pointer scalar fields with `omitempty` whose zero value Go drops. The OpenAPI documents do not tell a
 * `*bool` from a `bool`, so this lists, from k8s.io/api's types.go, the ones manifests commonly write as zero;
 * other zeros are kept (as pointer fields keep them).
 */
const OMITTED_ZEROS = new Set([
  'api.core.v1.PodSpec.hostNetwork',
  'api.core.v1.PodSpec.hostPID',
  'api.core.v1.PodSpec.hostIPC',
  'api.core.v1.PodSpec.nodeName',
  'api.core.v1.PodSpec.hostname',
  'api.core.v1.PodSpec.subdomain',
  'api.core.v1.PodSpec.serviceAccountName',
  'api.core.v1.PodSpec.serviceAccount',
  'api.core.v1.PodSpec.priorityClassName',
  'api.core.v1.PodSpec.schedulerName',
  'api.core.v1.PodSpec.restartPolicy',
  'api.core.v1.PodSpec.dnsPolicy',
  'api.core.v1.Container.image',
  'api.core.v1.Container.workingDir',
  'api.core.v1.Container.imagePullPolicy',
  'api.core.v1.Container.terminationMessagePath',
  'api.core.v1.Container.terminationMessagePolicy',
  'api.core.v1.Container.stdin',
  'api.core.v1.Container.stdinOnce',
  'api.core.v1.Container.tty',
  'api.core.v1.ContainerPort.name',
  'api.core.v1.ContainerPort.hostPort',
  'api.core.v1.ContainerPort.hostIP',
  'api.core.v1.ContainerPort.protocol',
  'api.core.v1.VolumeMount.readOnly',
  'api.core.v1.VolumeMount.subPath',
  'api.core.v1.VolumeMount.subPathExpr',
  'api.core.v1.Probe.initialDelaySeconds',
  'api.core.v1.Probe.timeoutSeconds',
  'api.core.v1.Probe.periodSeconds',
  'api.core.v1.Probe.successThreshold',
  'api.core.v1.Probe.failureThreshold',
  'api.core.v1.ServiceSpec.type',
  'api.core.v1.ServiceSpec.clusterIP',
  'api.core.v1.ServiceSpec.sessionAffinity',
  'api.core.v1.ServiceSpec.externalName',
  'api.core.v1.ServiceSpec.externalTrafficPolicy',
  'api.core.v1.ServiceSpec.healthCheckNodePort',
  'api.core.v1.ServiceSpec.publishNotReadyAddresses',
  'api.core.v1.ServicePort.name',
  'api.core.v1.ServicePort.protocol',
  'api.core.v1.ServicePort.nodePort',
  'api.apps.v1.DeploymentSpec.minReadySeconds',
  'api.apps.v1.DeploymentSpec.paused',
  'api.apps.v1.StatefulSetSpec.minReadySeconds',
  'api.apps.v1.StatefulSetSpec.serviceName',
  'api.apps.v1.DaemonSetSpec.minReadySeconds',
  'api.apps.v1.ReplicaSetSpec.minReadySeconds',
  'apimachinery.pkg.apis.meta.v1.ObjectMeta.name',
  'apimachinery.pkg.apis.meta.v1.ObjectMeta.generateName',
  'apimachinery.pkg.apis.meta.v1.ObjectMeta.namespace',
  'apimachinery.pkg.apis.meta.v1.ObjectMeta.uid',
  'apimachinery.pkg.apis.meta.v1.ObjectMeta.resourceVersion',
  'apimachinery.pkg.apis.meta.v1.ObjectMeta.generation',
  'apimachinery.pkg.apis.meta.v1.ObjectMeta.selfLink',
]);

/**
 * Fields Go always encodes whose zero value the OpenAPI documents do not state (no `default`): a non-pointer
 * Quantity prints "0", a slice without `omitempty` prints null.
 */
const ALWAYS_ENCODED: Readonly<Record<string, JsonValue>> = {
  'api.core.v1.ResourceFieldSelector.divisor': '0',
  'api.autoscaling.v2.HorizontalPodAutoscalerStatus.currentMetrics': null,
  'apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionStatus.conditions': null,
};

/** Go type names as encoding/json's errors print them. */
function goType(t: FieldType): string {
  if (typeof t === 'object') return 'a' in t ? `[]${goType(t.a)}` : `map[string]${goType(t.m)}`;
  switch (t) {
    case 's':
      return 'string';
    case 's:byte':
      return '[]uint8';
    case 'time':
    case 'mtime':
      return 'v1.Time';
    case 'i32':
      return 'int32';
    case 'i64':
      return 'int64';
    case 'f':
      return 'float64';
    case 'b':
      return 'bool';
    case 'q':
      return 'resource.Quantity';
    case 'ios':
      return 'intstr.IntOrString';
    case 'any':
      return 'interface {}';
    default:
      return `v1.${t.slice(t.lastIndexOf('.') + 1)}`;
  }
}

function jsonKind(v: JsonValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  if (typeof v === 'number') return `number ${goNumber(v)}`;
  return typeof v === 'boolean' ? 'bool' : 'string';
}

/** A number as Go's encoding/json writes a float64 (and as its errors quote the literal). */
export function goNumber(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  const abs = Math.abs(n);
  if (abs !== 0 && (abs < 1e-6 || abs >= 1e21)) return n.toExponential().replace(/e([+-])(\d)$/, 'e$10$2');
  return String(n);
}

class DecodeFailure extends Error {
  constructor(readonly problem: FieldProblem) {
    super(problem.message);
  }
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

interface Walk {
  table: SchemaTable;
  version: KubernetesVersion;
  unknown: PathSegment[][];
}

/** Decodes `input` as the Go type `typeName` and encodes it again. */
export function decodeTyped(input: JsonObject, typeName: string, table: SchemaTable): TypedOutcome {
  const w: Walk = { table, version: table.version, unknown: [] };
  try {
    const value = struct(w, input, typeName, [], typeName.slice(typeName.lastIndexOf('.') + 1), '');
    return { value, unknown: w.unknown };
  } catch (err) {
    if (err instanceof DecodeFailure) return { unknown: w.unknown, error: err.problem };
    throw err;
  }
}

function fail(
  path: PathSegment[],
  goStruct: string,
  fieldPath: string,
  v: JsonValue,
  t: FieldType,
  detail?: string,
): never {
  const message =
    detail ??
    `json: cannot unmarshal ${jsonKind(v).replace(/^number .*/, (s) => s)} into Go struct field ${goStruct}.${fieldPath} of type ${goType(t)}`;
  throw new DecodeFailure({ path, message });
}

/** What the walk needs of one type, computed once per definition (the walk runs for every object). */
interface Plan {
  fields: Map<string, { t: FieldType; omit: (v: JsonValue) => boolean }>;
  /** Fields Go writes when the input leaves them out, with how to make their value. */
  fill: { k: string; make: (w: Walk) => JsonValue }[];
  structName: string;
}

// By definition and name: definitions are shared across versions (and between equal types), names decide the tables.
const plans = new WeakMap<TypeDef, Map<string, Plan>>();

function planOf(def: TypeDef, typeName: string): Plan {
  let byName = plans.get(def);
  if (!byName) plans.set(def, (byName = new Map()));
  let plan = byName.get(typeName);
  if (plan) return plan;
  plan = { fields: new Map(), fill: [], structName: typeName.slice(typeName.lastIndexOf('.') + 1) };
  for (const [k, spec] of Object.entries(def.p)) {
    const t = typeOfSpec(spec);
    const key = `${typeName}.${k}`;
    plan.fields.set(k, { t, omit: omitRule(key, t, spec, def, k) });
    const always = ALWAYS_ENCODED[key];
    const d = zeroDefault(spec);
    const required = def.r?.includes(k) ?? false;
    if (key in ALWAYS_ENCODED) plan.fill.push({ k, make: () => always });
    else if (typeof t === 'string' && t.startsWith('@') && d && isZeroValue(d.d)) {
      // A non-pointer struct: always encoded, with its own always-encoded fields.
      const inner = t.slice(1);
      plan.fill.push({ k, make: (w) => struct(w, {}, inner, [], '', '') });
    } else if (d && isZeroValue(d.d) && typeof t === 'string') {
      const z = d.d as JsonValue;
      plan.fill.push({ k, make: () => z });
    } else if (required && typeof t === 'object') plan.fill.push({ k, make: () => null });
    else if (required && typeof t === 'string' && !t.startsWith('@')) {
      const z = zeroOf(t);
      plan.fill.push({ k, make: () => z });
    }
  }
  byName.set(typeName, plan);
  return plan;
}

function struct(
  w: Walk,
  v: JsonObject,
  typeName: string,
  path: PathSegment[],
  goStruct: string,
  fieldPath: string,
): JsonObject {
  const def = w.table.type(typeName);
  if (!def) return v;
  const plan = planOf(def, typeName);
  const out: JsonObject = {};
  for (const k in v) {
    const raw = v[k];
    const f = plan.fields.get(k);
    if (f === undefined) {
      w.unknown.push([...path, k]);
      continue;
    }
    // A null leaves the Go field at its zero value: encoded below as if absent.
    if (raw === null) continue;
    const value = field(w, raw, f.t, [...path, k], plan.structName, fieldPath ? `${fieldPath}.${k}` : k);
    if (value === undefined || f.omit(value)) continue;
    out[k] = value;
  }
  for (const f of plan.fill) if (!(f.k in out)) out[f.k] = f.make(w);
  // Before 1.34, ObjectMeta.creationTimestamp (a non-pointer metav1.Time without omitzero) encoded as null.
  if (typeName === OBJECT_META && w.version === '1.33' && !('creationTimestamp' in out)) out.creationTimestamp = null;
  return out;
}

const OBJECT_META = 'apimachinery.pkg.apis.meta.v1.ObjectMeta';

function typeOfSpec(spec: FieldSpec): FieldType {
  return typeof spec === 'object' && 't' in spec ? spec.t : (spec as FieldType);
}

function zeroDefault(spec: FieldSpec): { d: unknown } | undefined {
  return typeof spec === 'object' && 't' in spec ? { d: spec.d } : undefined;
}

function isZeroValue(d: unknown): boolean {
  return (
    d === '' ||
    d === 0 ||
    d === false ||
    (typeof d === 'object' && d !== null && !Array.isArray(d) && Object.keys(d).length === 0)
  );
}

/** Whether encoding/json's `omitempty` drops a value of this field. */
function omitRule(key: string, t: FieldType, spec: FieldSpec, def: TypeDef, field: string): (v: JsonValue) => boolean {
  const never = (): boolean => false;
  const required = def.r?.includes(field) ?? false;
  const d = zeroDefault(spec);
  // A zero default marks a field Go always encodes (no omitempty).
  if (required || (d && isZeroValue(d.d) && typeof t === 'string' && !t.startsWith('@'))) return never;
  if (key in ALWAYS_ENCODED) return never;
  if (typeof t === 'object')
    return (v) => (Array.isArray(v) ? v.length === 0 : typeof v === 'object' && v !== null && isEmptyObject(v));
  if (OMITTED_ZEROS.has(key)) return (v) => v === '' || v === 0 || v === false;
  return never;
}

function isEmptyObject(o: JsonObject): boolean {
  for (const _ in o) return false;
  return true;
}

function zeroOf(t: FieldType): JsonValue {
  switch (t) {
    case 's':
    case 's:byte':
      return '';
    case 'i32':
    case 'i64':
    case 'f':
    case 'ios':
      return 0;
    case 'b':
      return false;
    case 'q':
      return '0';
    default:
      return null;
  }
}

function field(
  w: Walk,
  v: JsonValue,
  t: FieldType,
  path: PathSegment[],
  goStruct: string,
  fp: string,
): JsonValue | undefined {
  if (typeof t === 'object') {
    if ('a' in t) {
      if (!Array.isArray(v)) return fail(path, goStruct, fp, v, t);
      return v.map(
        (item, i) => (item === null ? zeroItem(w, t.a) : field(w, item, t.a, [...path, i], goStruct, fp)) as JsonValue,
      );
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(path, goStruct, fp, v, t);
    const out: JsonObject = {};
    for (const k of Object.keys(v).sort()) {
      const item = v[k];
      out[k] = (item === null ? zeroItem(w, t.m) : field(w, item, t.m, [...path, k], goStruct, fp)) as JsonValue;
    }
    return out;
  }
  switch (t) {
    case 's':
      return typeof v === 'string' ? v : fail(path, goStruct, fp, v, t);
    case 's:byte':
      if (typeof v !== 'string') return fail(path, goStruct, fp, v, t);
      return canonicalBase64(v, path, goStruct, fp);
    case 'time':
    case 'mtime':
      if (typeof v !== 'string') return fail(path, goStruct, fp, v, t);
      return kubeTimeOf(v, t === 'mtime', path);
    case 'i32':
    case 'i64': {
      if (typeof v !== 'number' || !Number.isInteger(v)) return fail(path, goStruct, fp, v, t);
      if (t === 'i32' && (v > 2147483647 || v < -2147483648)) return fail(path, goStruct, fp, v, t);
      return v;
    }
    case 'f':
      return typeof v === 'number' ? v : fail(path, goStruct, fp, v, t);
    case 'b':
      return typeof v === 'boolean' ? v : fail(path, goStruct, fp, v, t);
    case 'q':
      if (typeof v !== 'string' && typeof v !== 'number') return fail(path, goStruct, fp, v, t);
      try {
        return canonicalQuantity(typeof v === 'number' ? goNumber(v) : v);
      } catch (err) {
        if (err instanceof QuantityError) return fail(path, goStruct, fp, v, t, err.message);
        throw err;
      }
    case 'ios':
      if (typeof v === 'string') return v;
      if (typeof v === 'number' && Number.isInteger(v) && v <= 2147483647 && v >= -2147483648) return v;
      return fail(path, goStruct, fp, v, t, `json: cannot unmarshal ${jsonKind(v)} into Go value of type int32`);
    case 'any':
      return v;
    default: {
      if (typeof v !== 'object' || v === null || Array.isArray(v)) return fail(path, goStruct, fp, v, t);
      return struct(w, v, t.slice(1), path, t.slice(t.lastIndexOf('.') + 1), fp);
    }
  }
}

/** A JSON null inside a list or map decodes to the element's zero value. */
function zeroItem(w: Walk, t: FieldType): JsonValue {
  if (typeof t === 'string' && t.startsWith('@')) return struct(w, {}, t.slice(1), [], '', '');
  if (typeof t === 'object' || t === 'any' || t === 'time' || t === 'mtime') return null;
  return zeroOf(t);
}

function canonicalBase64(v: string, path: PathSegment[], goStruct: string, fp: string): string {
  const s = v.replace(/[\r\n]/g, '');
  if (!BASE64.test(s) || s.length % 4 !== 0) {
    const at = [...s].findIndex((c) => !/[A-Za-z0-9+/=]/.test(c));
    throw new DecodeFailure({
      path,
      message: `illegal base64 data at input byte ${at >= 0 ? at : s.length - (s.length % 4)}`,
    });
  }
  void goStruct;
  void fp;
  return Buffer.from(s, 'base64').toString('base64');
}

/** metav1.Time: RFC 3339 in, UTC whole seconds out; MicroTime keeps microseconds. */
function kubeTimeOf(v: string, micro: boolean, path: PathSegment[]): string {
  const m = RFC3339.exec(v);
  const ms = m ? Date.parse(v.toUpperCase()) : NaN;
  if (!m || Number.isNaN(ms)) {
    throw new DecodeFailure({
      path,
      message: `parsing time ${JSON.stringify(v)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(v)} as "2006"`,
    });
  }
  const base = new Date(Math.floor(ms / 1000) * 1000).toISOString().slice(0, 19);
  if (!micro) return `${base}Z`;
  const frac = (m[7] ?? '.').slice(1).padEnd(6, '0').slice(0, 6);
  return `${base}.${frac}Z`;
}
