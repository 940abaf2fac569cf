/**
 * The API server's own steps between `kubectl apply` and the admission webhooks (docs/admission-path.md):
 * kubectl's body (lib/apiserver/kubectl-apply.ts), strict typed decoding and encoding (typed.ts), defaulting
 * (defaults/), the metadata and field-manager steps, the built-in mutating plugins (plugins/) — the object
 * mutating policies see — then uid, creationTimestamp and PrepareForCreate (prepare/) for the object
 * validating policies see.
 */
import type { ResourceType } from '../kube/resource-type';
import { applyDefaults } from './defaults/index';
import {
  kubeTime,
  seededRandom,
  type JsonObject,
  type JsonValue,
  type KubernetesVersion,
  type ObjectContext,
} from './context';
import { applyStructuralSchema, type CrdVersion } from './crd-schema';
import { kubectlBody, KubectlError, type ApplyMode } from './kubectl-apply';
import { fieldSet } from './managed-fields';
import { runBuiltinMutatingPlugins } from './plugins/index';
import { prepareForCreate } from './prepare/index';
import { prepareCustomResourceForUpdate, prepareForUpdate } from './prepare/update';
import { schemaTable, type SchemaTable, type TypeDef } from './schema-table';
import { decodeTyped, type FieldProblem } from './typed';
import type { PathSegment } from '../base/json-pointer';

/** kubectl's `--validate` (the request's fieldValidation). */
export type FieldValidation = 'strict' | 'warn' | 'ignore';
export const FIELD_VALIDATIONS: readonly FieldValidation[] = ['strict', 'warn', 'ignore'];

export interface StageOptions {
  kubernetesVersion: KubernetesVersion;
  validate: FieldValidation;
  applyMode: ApplyMode;
  /** The namespace kubectl puts namespaced objects without one in. */
  defaultNamespace: string;
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  now: Date;
  /** `--field-manager`; default kubectl's for the apply mode. */
  fieldManager?: string;
  /** A custom resource's CRD version from the input (its structural schema and status subresource). */
  crd?: CrdVersion;
  /** UPDATE: the stored object (`--old`), for BeforeUpdate and PrepareForUpdate before validating admission. */
  old?: JsonObject;
}

/** The resource the stage's object is of. */
export type StageTarget = ResourceType;

export interface StageWarning {
  path: PathSegment[];
  message: string;
}

export type StageOutcome =
  | {
      ok: true;
      /** What mutating policies see: after defaulting, metadata steps, field manager and built-in plugins. */
      mutating: JsonObject;
      /** The built-in mutating plugins again, on a copy of an object a mutating policy changed (re-invocation). */
      reinvokePlugins(mutated: JsonObject): JsonObject;
      /**
       * Builds what validating policies see from the object mutating admission left: a copy, or with `owned`
       * (nothing else refers to it, e.g. no mutating policy received it) that object itself.
       */
      validating(mutated: JsonObject, owned?: boolean): ValidatingOutcome;
      warnings: StageWarning[];
      /** The request's namespace (a Namespace object's own name), undefined for cluster-scoped kinds. */
      namespace: string | undefined;
      /** The request's name (empty with generateName on `create`). */
      name: string | undefined;
      /** UPDATE: the stored object as the cluster holds it (decoded and defaulted), the request's oldObject. */
      old?: JsonObject;
    }
  | { ok: false; code: 400; message: string; path?: PathSegment[] };

export type ValidatingOutcome =
  { ok: true; object: JsonObject } | { ok: false; code: 422; message: string; path?: PathSegment[] };

const MAX_DECODE_ERRORS = 100;
const OBJECT_META = 'apimachinery.pkg.apis.meta.v1.ObjectMeta';
const NAME_LABEL = 'kubernetes.io/metadata.name';

/** Runs the steps for one object. Never throws for bad input: a failure is the outcome. */
export function apiServerStage(input: JsonObject, target: StageTarget, opts: StageOptions): StageOutcome {
  const gvk = `${String(input.kind)} in version "${target.version}"`;
  const kind = String(input.kind);
  let body: JsonObject;
  try {
    body = kubectlBody(input, target.namespaced, opts.defaultNamespace, opts.applyMode);
  } catch (err) {
    if (err instanceof KubectlError) return { ok: false, code: 400, message: err.message };
    throw err;
  }
  const table = schemaTable(opts.kubernetesVersion);
  const typeName = table.kind(String(input.apiVersion), kind);
  const warnings: StageWarning[] = [];
  let obj: JsonObject = body;
  let missing: FieldProblem[] = [];
  if (typeName) {
    const decoded = decodeTyped(body, typeName, table);
    if (decoded.error)
      return {
        ok: false,
        code: 400,
        message: `${gvk} cannot be handled as a ${kind}: ${decoded.error.message}`,
        path: decoded.error.path,
      };
    if (decoded.unknown.length > 0) {
      const fields = decoded.unknown.map((p) => `unknown field "${dotted(p)}"`);
      if (opts.validate === 'strict') {
        return {
          ok: false,
          code: 400,
          message: `${gvk} cannot be handled as a ${kind}: strict decoding error: ${fields.slice(0, MAX_DECODE_ERRORS).join(', ')}`,
          path: decoded.unknown[0],
        };
      }
      if (opts.validate === 'warn') decoded.unknown.forEach((p, i) => warnings.push({ path: p, message: fields[i] }));
    }
    obj = decoded.value!;
    missing = requiredMissing(body, typeName, table);
  } else if (opts.crd?.schema) {
    // A custom resource: pruned to its CRD's structural schema (unknown fields reported as for built-in kinds), defaults applied.
    const unknown: PathSegment[][] = [];
    const meta = decodeTyped(isObject(body.metadata) ? body.metadata : {}, OBJECT_META, table);
    if (meta.error)
      return {
        ok: false,
        code: 400,
        message: `${gvk} cannot be handled as a ${kind}: ${meta.error.message}`,
        path: ['metadata', ...meta.error.path],
      };
    unknown.push(...meta.unknown.map((p) => ['metadata', ...p]));
    obj = applyStructuralSchema({ ...body, metadata: meta.value! }, opts.crd.schema, unknown);
    if (unknown.length > 0) {
      const fields = unknown.map((p) => `unknown field "${dotted(p)}"`);
      if (opts.validate === 'strict')
        return {
          ok: false,
          code: 400,
          message: `${gvk} cannot be handled as a ${kind}: strict decoding error: ${fields.slice(0, MAX_DECODE_ERRORS).join(', ')}`,
          path: unknown[0],
        };
      if (opts.validate === 'warn') unknown.forEach((p, i) => warnings.push({ path: p, message: fields[i] }));
    }
  }
  const random = seededRandom(JSON.stringify(body));
  const ctx: ObjectContext = {
    ...target,
    kubernetesVersion: opts.kubernetesVersion, // No overrides: every gate takes its version's default (lib/apiserver/defaults/feature-gates.ts, the one table).
    featureGates: {},
    now: opts.now,
    random,
  };
  // Server-side apply owns the fields of the applied configuration, not the defaulted ones.
  const applied = opts.applyMode === 'server' ? structuredClone(obj) : obj;
  if (typeName) applyDefaults(obj, ctx);
  const metadata = obj.metadata as JsonObject;
  // S5-S7: system fields wiped, namespace matched to the request; Namespace objects carry their own name.
  for (const f of ['creationTimestamp', 'uid', 'deletionTimestamp', 'deletionGracePeriodSeconds', 'selfLink'])
    delete metadata[f];
  if (typeName && opts.kubernetesVersion === '1.33') metadata.creationTimestamp = null;
  const name = typeof metadata.name === 'string' && metadata.name !== '' ? metadata.name : undefined;
  const isNamespace = target.group === '' && kind === 'Namespace';
  let namespace = target.namespaced ? (metadata.namespace as string) : undefined;
  if (isNamespace && name) {
    namespace = name;
    metadata.labels = { ...(isObject(metadata.labels) ? metadata.labels : {}), [NAME_LABEL]: name };
  }
  dedupeOwnerReferences(metadata);
  if (opts.operation === 'CREATE' || opts.operation === 'UPDATE')
    addManagedFields(obj, applied, typeName, table, target, opts);
  runBuiltinMutatingPlugins(obj, { ...ctx, operation: opts.operation });
  const stored = opts.operation === 'UPDATE' && opts.old ? storedObject(opts.old, typeName, table, ctx) : undefined;
  return {
    ok: true,
    mutating: obj,
    warnings,
    namespace,
    name,
    ...(stored ? { old: stored } : {}),
    reinvokePlugins: (mutated) => {
      const copy = JSON.parse(JSON.stringify(mutated)) as JsonObject;
      runBuiltinMutatingPlugins(copy, { ...ctx, operation: opts.operation });
      return copy;
    },
    validating: (mutated, owned = false) => {
      if (missing.length > 0) {
        const qualified = target.group ? `${kind}.${target.group}` : kind;
        const what = missing.map((m) => `${dotted(m.path)}: Required value`);
        return {
          ok: false,
          code: 422,
          message: `${qualified} "${name ?? ''}" is invalid: ${what.length === 1 ? what[0] : `[${what.join(', ')}]`}`,
          path: missing[0].path,
        };
      }
      // A JSON copy (cheaper than structuredClone here): the mutating stage's request keeps its object. The
      // stage's own object is a tree of its own only when it was decoded (not the manifest's when no schema is known).
      const copy = owned && typeName ? mutated : (JSON.parse(JSON.stringify(mutated)) as JsonObject);
      if (stored) {
        if (typeName) prepareForUpdate(copy, stored, ctx);
        else if (opts.crd) prepareCustomResourceForUpdate(copy, stored, ctx, opts.crd.statusSubresource === true);
      }
      if (opts.operation === 'CREATE') {
        const meta = copy.metadata as JsonObject;
        if (!name && typeof meta.generateName === 'string')
          meta.name = generatedName(meta.generateName, random.chars('generateName', 5));
        if (typeName) prepareForCreate(copy, ctx);
        else if (opts.crd) {
          // Custom resources' PrepareForCreate: status dropped when it is a subresource, generation 1.
          if (opts.crd.statusSubresource) delete copy.status;
          (copy.metadata as JsonObject).generation = 1;
          (copy.metadata as JsonObject).uid = random.uid('metadata.uid');
          (copy.metadata as JsonObject).creationTimestamp = kubeTime(opts.now);
        }
      }
      return { ok: true, object: copy };
    },
  };
}

/**
 * The stored object of an UPDATE as the cluster holds it: decoded into its type and defaulted (an `--old` written
 * as a manifest would otherwise differ from the new object in every default). Unknown fields are dropped; an
 * object that does not decode is taken as given.
 */
function storedObject(
  old: JsonObject,
  typeName: string | undefined,
  table: SchemaTable,
  ctx: ObjectContext,
): JsonObject {
  if (!typeName) return structuredClone(old);
  const decoded = decodeTyped(structuredClone(old), typeName, table);
  if (decoded.error || !decoded.value) return structuredClone(old);
  applyDefaults(decoded.value, ctx);
  return decoded.value;
}

function generatedName(prefix: string, suffix: string): string {
  return (prefix.length > 58 ? prefix.slice(0, 58) : prefix) + suffix;
}

/** Per definition: its required fields and the fields holding structs (or lists of them) to descend into. */
const requiredPlans = new WeakMap<
  TypeDef,
  { required: string[]; children: { k: string; t: string; list: boolean }[] }
>();

function requiredPlan(def: TypeDef): { required: string[]; children: { k: string; t: string; list: boolean }[] } {
  let p = requiredPlans.get(def);
  if (p) return p;
  p = { required: def.r ?? [], children: [] };
  for (const [k, spec] of Object.entries(def.p)) {
    const ft = typeof spec === 'object' && 't' in spec ? spec.t : spec;
    if (typeof ft === 'string' && ft.startsWith('@')) p.children.push({ k, t: ft.slice(1), list: false });
    else if (typeof ft === 'object' && 'a' in ft && typeof ft.a === 'string' && ft.a.startsWith('@'))
      p.children.push({ k, t: ft.a.slice(1), list: true });
  }
  requiredPlans.set(def, p);
  return p;
}

/** Required fields (the schema's `required`) the body leaves out: Validate rejects those with 422. Status is not validated on create. */
function requiredMissing(body: JsonObject, typeName: string, table: SchemaTable): FieldProblem[] {
  const out: FieldProblem[] = [];
  const walk = (v: JsonValue, t: string, path: PathSegment[]): void => {
    const def = table.type(t);
    if (!def || !isObject(v)) return;
    const plan = requiredPlan(def);
    for (const r of plan.required)
      if (v[r] === undefined || v[r] === null) out.push({ path: [...path, r], message: 'Required value' });
    for (const c of plan.children) {
      if (path.length === 0 && c.k === 'status') continue;
      const x = v[c.k];
      if (x === undefined || x === null) continue;
      if (!c.list) walk(x, c.t, [...path, c.k]);
      else if (Array.isArray(x)) for (let i = 0; i < x.length; i++) walk(x[i], c.t, [...path, c.k, i]);
    }
  };
  walk(body, typeName, []);
  return out;
}

function dedupeOwnerReferences(metadata: JsonObject): void {
  const refs = metadata.ownerReferences;
  if (!Array.isArray(refs)) return;
  const seen = new Set<string>();
  metadata.ownerReferences = refs.filter((r) => {
    const uid = isObject(r) ? String(r.uid ?? '') : '';
    if (seen.has(uid)) return false;
    seen.add(uid);
    return true;
  });
}

/** S10: the field manager's entry for this request (kubectl's manager and operation per apply mode). */
function addManagedFields(
  obj: JsonObject,
  owned: JsonObject,
  typeName: string | undefined,
  table: SchemaTable,
  target: StageTarget,
  opts: StageOptions,
): void {
  const metadata = obj.metadata as JsonObject;
  if (Array.isArray(metadata.managedFields) && metadata.managedFields.length > 0) return;
  const manager =
    opts.fieldManager ??
    (opts.applyMode === 'server'
      ? 'kubectl'
      : opts.applyMode === 'create'
        ? 'kubectl-create'
        : 'kubectl-client-side-apply');
  const empty = typeName ? emptyOf(typeName, table) : {};
  metadata.managedFields = [
    {
      manager,
      operation: opts.applyMode === 'server' ? 'Apply' : 'Update',
      apiVersion: target.group ? `${target.group}/${target.version}` : target.version,
      time: kubeTime(opts.now),
      fieldsType: 'FieldsV1',
      fieldsV1: fieldSet(
        owned === obj ? obj : { ...owned, metadata: obj.metadata },
        empty,
        typeName,
        typeName ? table : undefined,
      ),
    },
  ];
}

const empties = new WeakMap<SchemaTable, Map<string, JsonObject>>();

/** The encoding of an empty object of a type (what structured-merge-diff compares against), once per type. */
function emptyOf(typeName: string, table: SchemaTable): JsonObject {
  let m = empties.get(table);
  if (!m) empties.set(table, (m = new Map()));
  let e = m.get(typeName);
  if (!e) m.set(typeName, (e = decodeTyped({}, typeName, table).value ?? {}));
  return e;
}

/** `spec.containers[0].name`: the paths of the API server's messages. */
export function dotted(path: readonly PathSegment[]): string {
  let s = '';
  for (const p of path) s += typeof p === 'number' ? `[${p}]` : s === '' ? p : `.${p}`;
  return s;
}

function isObject(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
