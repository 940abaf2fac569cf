import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MAX_MATCH_CONDITIONS, type CompiledCondition } from '../../admission/cel';
import { CelCompileError, compileCondition } from '../../admission/cel-compile';
import { parseLabelSelector, type LabelSelector } from '../../kube/label-selector';
import type { ContextAwareResource, PolicyRule } from '../../wasm/metadata';
import type { FieldReader } from './fields';
import type { FieldPath } from './lines';

const OPERATIONS = ['CREATE', 'UPDATE', 'DELETE', 'CONNECT', '*'];
const SCOPES = ['Cluster', 'Namespaced', '*'];

/**
 * `rules`: admissionregistration/v1 RuleWithOperations, validated as the API server validates a webhook's rules
 * (ValidateRuleWithOperations): every list non-empty, `*` alone, known operations and scopes, no empty strings,
 * resources without overlapping wildcards.
 */
export function readRules(r: FieldReader, v: unknown, at: FieldPath): PolicyRule[] {
  const list = r.list(v, at, true);
  if (!list) return [];
  if (list.length === 0) r.fail(at, 'a value must be specified');
  const rules: PolicyRule[] = [];
  list.forEach((item, i) => {
    const p = [...at, i];
    const m = r.mapping(item, p, true);
    if (!m) return;
    r.unknownFields(m, p, ['apiGroups', 'apiVersions', 'resources', 'operations', 'scope'], 'error');
    const strings = (key: string, what: string): string[] => {
      const lp = [...p, key];
      const l = r.list(m[key], lp);
      if (!l || l.length === 0) {
        r.fail(lp, `${what} must have at least one value`);
        return [];
      }
      const out: string[] = [];
      l.forEach((x, j) => {
        if (typeof x !== 'string') r.fail([...lp, j], `must be a string, got ${typeof x}`);
        else out.push(x);
      });
      if (key !== 'resources' && out.includes('*') && out.length > 1)
        r.fail(lp, 'if "*" is present, it must be the only value');
      return out;
    };
    const apiGroups = strings('apiGroups', 'apiGroups');
    const apiVersions = strings('apiVersions', 'apiVersions');
    apiVersions.forEach((x, j) => x === '' && r.fail([...p, 'apiVersions', j], 'must be non-empty'));
    const resources = strings('resources', 'resources');
    resources.forEach((x, j) => x === '' && r.fail([...p, 'resources', j], 'must be non-empty'));
    resourceOverlaps(resources).forEach((msg) => r.fail([...p, 'resources'], msg));
    const operations = strings('operations', 'operations');
    operations.forEach((x, j) => {
      if (!OPERATIONS.includes(x))
        r.fail(
          [...p, 'operations', j],
          `unsupported value ${JSON.stringify(x)}: supported values: "CREATE", "UPDATE", "DELETE", "CONNECT", "*"`,
        );
    });
    const rule: PolicyRule = { apiGroups, apiVersions, resources, operations };
    if (m.scope !== undefined && m.scope !== null) {
      if (typeof m.scope !== 'string' || !SCOPES.includes(m.scope))
        r.fail(
          [...p, 'scope'],
          `unsupported value ${JSON.stringify(m.scope)}: supported values: "Cluster", "Namespaced", "*"`,
        );
      else rule.scope = m.scope;
    }
    rules.push(rule);
  });
  return rules;
}

/** The API server's checks on wildcards among resources (admissionregistration validation, validateResources). */
function resourceOverlaps(resources: string[]): string[] {
  const out: string[] = [];
  const wildcardSub = new Set<string>(); // x/*
  const wildcardRes = new Set<string>(); // */x
  let doubleWildcard = false;
  let singleWildcard = false;
  let withoutSub = false;
  for (const resSub of resources) {
    if (resSub === '') continue;
    if (resSub === '*/*') doubleWildcard = true;
    if (resSub === '*') singleWildcard = true;
    const slash = resSub.indexOf('/');
    if (slash < 0) {
      if (resSub !== '*') withoutSub = true;
      continue;
    }
    const res = resSub.slice(0, slash);
    const sub = resSub.slice(slash + 1);
    if (wildcardSub.has(res)) out.push(`if '${res}/*' is present, must not specify ${resSub}`);
    if (wildcardRes.has(sub)) out.push(`if '*/${sub}' is present, must not specify ${resSub}`);
    if (sub === '*') wildcardSub.add(res);
    if (res === '*') wildcardRes.add(sub);
  }
  if (resources.length > 1 && doubleWildcard) out.push("if '*/*' is present, must not specify other resources");
  if (singleWildcard && withoutSub)
    out.push("if '*' is present, must not specify other resources without subresources");
  return out;
}

/** `matchConditions`: at most 64, unique qualified names, expressions that compile to a bool. */
export function readMatchConditions(r: FieldReader, v: unknown, at: FieldPath): CompiledCondition[] {
  const list = r.list(v, at);
  if (!list) return [];
  if (list.length > MAX_MATCH_CONDITIONS)
    r.fail(at, `must have at most ${MAX_MATCH_CONDITIONS} items, got ${list.length}`);
  const names = new Set<string>();
  const out: CompiledCondition[] = [];
  list.forEach((item, i) => {
    const p = [...at, i];
    const m = r.mapping(item, p, true);
    if (!m) return;
    r.unknownFields(m, p, ['name', 'expression'], 'error');
    const name = r.string(m.name, [...p, 'name'], true);
    const expression = r.string(m.expression, [...p, 'expression'], true);
    if (name !== undefined) {
      if (
        !/^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\/)?([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$/.test(
          name,
        ) ||
        name.length > 316
      ) {
        r.fail(
          [...p, 'name'],
          `${JSON.stringify(name)} is not a qualified name (alphanumerics, '-', '_' or '.', starting and ending with an alphanumeric, with an optional DNS subdomain prefix and '/')`,
        );
      }
      if (names.has(name)) r.fail([...p, 'name'], `duplicate value ${JSON.stringify(name)}`);
      names.add(name);
    }
    if (name === undefined || expression === undefined || expression.trim() === '') {
      if (expression !== undefined && expression.trim() === '') r.fail([...p, 'expression'], 'required');
      return;
    }
    try {
      out.push(compileCondition({ name, expression: expression.trim() }));
    } catch (err) {
      if (err instanceof CelCompileError) r.fail([...p, 'expression'], err.message);
      else throw err;
    }
  });
  return out;
}

export function readSelector(r: FieldReader, v: unknown, at: FieldPath): LabelSelector | undefined {
  const { selector, problems } = parseLabelSelector(v);
  for (const p of problems) r.fail([...at, ...splitField(p.field)], p.message);
  return selector;
}

function splitField(field: string): (string | number)[] {
  if (field === '') return [];
  const out: (string | number)[] = [];
  for (const part of field.split('.')) {
    const m = /^([^[]+)(?:\[(\d+)\])?$/.exec(part);
    if (m) {
      out.push(m[1]);
      if (m[2] !== undefined) out.push(Number(m[2]));
    } else out.push(part);
  }
  return out;
}

/** `settings`: a mapping or null (policy-server refuses anything else). */
export function readSettings(r: FieldReader, v: unknown, at: FieldPath): Record<string, unknown> {
  if (v === undefined || v === null) return {};
  if (typeof v !== 'object' || Array.isArray(v)) {
    r.fail(at, `must be a mapping or null, got ${Array.isArray(v) ? 'a list' : typeof v}`);
    return {};
  }
  return v as Record<string, unknown>;
}

export function readContextAwareResources(
  r: FieldReader,
  v: unknown,
  at: FieldPath,
): ContextAwareResource[] | undefined {
  const list = r.list(v, at);
  if (!list) return undefined;
  const out: ContextAwareResource[] = [];
  list.forEach((item, i) => {
    const m = r.mapping(item, [...at, i], true);
    if (!m) return;
    r.unknownFields(m, [...at, i], ['apiVersion', 'kind'], 'error');
    const apiVersion = r.string(m.apiVersion, [...at, i, 'apiVersion'], true);
    const kind = r.string(m.kind, [...at, i, 'kind'], true);
    if (apiVersion !== undefined && kind !== undefined) out.push({ apiVersion, kind });
  });
  return out;
}

/** The annotation that maps a policy resource's module to a local one (see docs/policy-config.md). */
export const MODULE_ANNOTATION = 'wasmpolicy.kubewarden.io/module';
/** The same for one member of a policy group: `wasmpolicy.kubewarden.io/module.<member>`. */
export const memberModuleAnnotation = (member: string): string => `${MODULE_ANNOTATION}.${member}`;

const SCHEME = /^([a-z][a-z0-9+.-]*):\/\//i;

/**
 * A `module` as policy-server reads it: `registry://`, `https://`, `http://`, `file://`, and (ours) `builtin://`;
 * a string without a scheme is an OCI reference (policy-fetcher prepends `registry://`).
 */
export function normaliseModule(r: FieldReader, module: string, at: FieldPath): string {
  const m = SCHEME.exec(module);
  if (!m) return `registry://${module}`;
  const scheme = m[1].toLowerCase();
  if (!['registry', 'https', 'http', 'file', 'builtin'].includes(scheme)) {
    r.fail(at, `unsupported scheme ${scheme}:// (use registry://, https://, http://, file:// or builtin://)`);
  }
  return module;
}

/**
 * A module named by our annotation: builtin://, a URL, or a path (relative to the file that holds the
 * annotation; stdin: the working directory). Paths become file:// URLs.
 */
export function annotationModule(r: FieldReader, value: unknown, at: FieldPath): string | undefined {
  const v = r.string(value, at, true);
  if (v === undefined) return undefined;
  if (SCHEME.test(v)) return normaliseModule(r, v, at);
  const base = r.file === '-' || /^https?:\/\//.test(r.file) ? process.cwd() : path.dirname(path.resolve(r.file));
  return pathToFileURL(path.resolve(base, v)).href;
}
