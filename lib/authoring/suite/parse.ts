import * as path from 'node:path';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node, type YAMLMap } from 'yaml';
import type { JsonPatchOperation, Operation } from '../../kube/admission-review';
import type { RenderSpec } from '../../manifests';
import { EXECUTION_MODES } from '../../wasm/metadata';
import {
  EXPECTATIONS,
  SUITE_API_VERSION,
  SUITE_KIND,
  SuiteError,
  type Expectation,
  type Expected,
  type MessageMatcher,
  type Place,
  type ResultExpectation,
  type Suite,
  type SuitePolicy,
  type TestCase,
} from './types';

/** A suite file read with its document, kept for `--update` (which edits the document, comments included). */
export interface ParsedSuite {
  suite: Suite;
  doc: Document;
  /** The case maps, in the order of `suite.cases`. */
  caseNodes: YAMLMap[];
}

const SUITE_FIELDS = new Set(['apiVersion', 'kind', 'metadata', 'policies', 'cases']);
const POLICY_FIELDS = new Set(['name', 'module', 'settings', 'executionMode', 'policies']);
const CASE_FIELDS = new Set([
  'name',
  'resource',
  'resources',
  'kustomize',
  'helm',
  'policy',
  'policies',
  'settings',
  'operation',
  'oldResource',
  'oldResources',
  'user',
  'groups',
  'namespace',
  'namespaceLabels',
  'session',
  'expect',
  'message',
  'patch',
  'mutated',
  'results',
]);
const RESULT_FIELDS = new Set(['object', 'policy', 'expect', 'message', 'patch', 'mutated']);
const OPERATIONS: readonly Operation[] = ['CREATE', 'UPDATE', 'DELETE'];

/** Reads one suite; every problem is a SuiteError with the file and line (the first one found). */
export function parseSuite(file: string, text: string): ParsedSuite {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, keepSourceTokens: false, uniqueKeys: true });
  const at = (node: Node | null | undefined): Place => ({
    file,
    line: node?.range ? lines.linePos(node.range[0]).line : 1,
  });
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new SuiteError({ file, line: e.linePos?.[0].line ?? 1 }, `not valid YAML: ${e.message.split('\n')[0]}`);
  }
  const root = doc.contents;
  if (!isMap(root))
    throw new SuiteError(
      at(root),
      `a test suite is a mapping with apiVersion ${SUITE_API_VERSION} and kind ${SUITE_KIND}`,
    );
  const r = new MapReader(root, at, SUITE_FIELDS, 'suite');
  if (r.string('kind', true) !== SUITE_KIND) throw new SuiteError(r.placeOf('kind'), `kind must be ${SUITE_KIND}`);
  if (r.string('apiVersion', true) !== SUITE_API_VERSION)
    throw new SuiteError(r.placeOf('apiVersion'), `apiVersion must be ${SUITE_API_VERSION}`);
  const metadata = r.node('metadata');
  let name = path.basename(path.dirname(path.resolve(file)));
  if (metadata !== undefined) {
    if (!isMap(metadata)) throw new SuiteError(at(metadata), 'metadata must be a mapping');
    const m = new MapReader(metadata, at, new Set(['name']), 'metadata');
    name = m.string('name') ?? name;
  }
  const dir = path.dirname(file);
  const policies = r.list('policies').map((n) => readPolicy(n, at, dir));
  const names = new Set<string>();
  // Policies of configuration files are named by the file, known once it is read: cases are checked then.
  const checkNames = policies.every((p) => p.kind === 'ref');
  for (const p of policies) {
    if (p.kind !== 'ref') continue;
    if (names.has(p.name)) throw new SuiteError(p.place, `two policies are named ${p.name}; give one a name:`);
    names.add(p.name);
  }
  const caseNodes: YAMLMap[] = [];
  const cases = r.list('cases', true).map((n) => {
    if (!isMap(n)) throw new SuiteError(at(n), 'a case is a mapping with name, the resources and the expected results');
    caseNodes.push(n);
    return readCase(n, at, dir, checkNames ? names : undefined);
  });
  if (cases.length === 0) throw new SuiteError(r.placeOf('cases'), 'cases is empty');
  const seen = new Map<string, Place>();
  for (const c of cases) {
    const prev = seen.get(c.name);
    if (prev)
      throw new SuiteError(
        c.place,
        `a case named ${JSON.stringify(c.name)} is already at line ${prev.line}; case names are unique in a suite`,
      );
    seen.set(c.name, c.place);
  }
  return { suite: { file, name, policies, cases }, doc, caseNodes };
}

type At = (node: Node | null | undefined) => Place;

/** Typed reads of a YAML mapping, refusing unknown fields. */
class MapReader {
  constructor(
    private readonly map: YAMLMap,
    private readonly at: At,
    fields: Set<string>,
    what: string,
  ) {
    for (const item of map.items) {
      const key = isScalar(item.key) ? String(item.key.value) : undefined;
      if (key === undefined || !fields.has(key))
        throw new SuiteError(
          at(item.key as Node),
          `unknown field ${JSON.stringify(key ?? '?')} in the ${what}; known fields: ${[...fields].join(', ')}`,
        );
    }
  }

  node(key: string): Node | undefined {
    const n = this.map.get(key, true) as Node | undefined | null;
    return n === null ? undefined : n;
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  placeOf(key: string): Place {
    const pair = this.map.items.find((i) => isScalar(i.key) && i.key.value === key);
    return this.at((pair?.key as Node | undefined) ?? this.map);
  }

  string(key: string, required = false): string | undefined {
    const n = this.node(key);
    if (n === undefined) {
      if (required) throw new SuiteError(this.at(this.map), `${key} is required`);
      return undefined;
    }
    if (!isScalar(n) || typeof n.value !== 'string') throw new SuiteError(this.at(n), `${key} must be a string`);
    return n.value;
  }

  strings(one: string, many: string): string[] {
    const single = this.string(one);
    const list = this.node(many);
    if (single !== undefined && list !== undefined)
      throw new SuiteError(this.placeOf(many), `give ${one} or ${many}, not both`);
    if (list === undefined) return single !== undefined ? [single] : [];
    if (!isSeq(list) || !list.items.every((i) => isScalar(i) && typeof i.value === 'string'))
      throw new SuiteError(this.at(list), `${many} must be a list of strings`);
    return list.items.map((i) => String((i as { value: string }).value));
  }

  list(key: string, required = false): Node[] {
    const n = this.node(key);
    if (n === undefined) {
      if (required) throw new SuiteError(this.at(this.map), `${key} is required`);
      return [];
    }
    if (!isSeq(n)) throw new SuiteError(this.at(n), `${key} must be a list`);
    return n.items as Node[];
  }

  object(key: string): Record<string, unknown> | undefined {
    const n = this.node(key);
    if (n === undefined) return undefined;
    if (!isMap(n)) throw new SuiteError(this.at(n), `${key} must be a mapping`);
    return n.toJSON() as Record<string, unknown>;
  }

  json(key: string): unknown {
    const n = this.node(key);
    return n === undefined ? undefined : (n.toJSON() as unknown);
  }
}

function readPolicy(n: Node, at: At, dir: string): SuitePolicy {
  if (!isMap(n)) throw new SuiteError(at(n), 'a policy is a mapping: {name, module, settings} or {policies: FILE}');
  const r = new MapReader(n, at, POLICY_FIELDS, 'policy');
  const config = r.string('policies');
  if (config !== undefined) {
    if (r.has('module') || r.has('settings') || r.has('name'))
      throw new SuiteError(
        at(n),
        'a policies: entry takes its policies, names and settings from the file; leave out name, module and settings',
      );
    return { kind: 'config', path: resolveRef(dir, config), place: at(n) };
  }
  const module = r.string('module', true)!;
  const mode = r.string('executionMode');
  if (mode !== undefined && !(EXECUTION_MODES as readonly string[]).includes(mode))
    throw new SuiteError(r.placeOf('executionMode'), `executionMode must be one of ${EXECUTION_MODES.join(', ')}`);
  const ref = resolveModule(dir, module);
  return {
    kind: 'ref',
    name: r.string('name') ?? defaultPolicyName(module),
    module: ref,
    settings: r.object('settings') ?? {},
    ...(mode ? { executionMode: mode } : {}),
    place: at(n),
  };
}

function readCase(n: YAMLMap, at: At, dir: string, policyNames: Set<string> | undefined): TestCase {
  const r = new MapReader(n, at, CASE_FIELDS, 'case');
  const name = r.string('name', true)!;
  const files = r.strings('resource', 'resources').map((f) => resolveRef(dir, f));
  const render: RenderSpec[] = [];
  const kustomize = r.string('kustomize');
  if (kustomize !== undefined) render.push({ kind: 'kustomize', dir: resolveRef(dir, kustomize) });
  const helm = r.node('helm');
  if (helm !== undefined) render.push(readHelm(helm, at, dir));
  if (files.length === 0 && render.length === 0)
    throw new SuiteError(
      at(n),
      `case ${JSON.stringify(name)}: give the objects with resource, resources, kustomize or helm`,
    );
  const policies = r.strings('policy', 'policies');
  for (const p of policies)
    if (policyNames && !policyNames.has(p))
      throw new SuiteError(
        r.placeOf(policies.length === 1 && r.has('policy') ? 'policy' : 'policies'),
        `no policy named ${p} in the suite's policies (${[...(policyNames ?? [])].join(', ')})`,
      );
  const operation = (r.string('operation') ?? 'CREATE') as Operation;
  if (!OPERATIONS.includes(operation))
    throw new SuiteError(r.placeOf('operation'), `operation must be CREATE, UPDATE or DELETE`);
  const oldFiles = r.strings('oldResource', 'oldResources').map((f) => resolveRef(dir, f));
  if (operation === 'UPDATE' && oldFiles.length === 0)
    throw new SuiteError(
      r.placeOf('operation'),
      'an UPDATE needs the stored objects: give them with oldResource or oldResources',
    );
  if (operation !== 'UPDATE' && oldFiles.length > 0)
    throw new SuiteError(
      r.placeOf(r.has('oldResource') ? 'oldResource' : 'oldResources'),
      'oldResource is the stored object of an UPDATE: add operation: UPDATE',
    );
  const groups = r.node('groups');
  if (
    groups !== undefined &&
    (!isSeq(groups) || !groups.items.every((i) => isScalar(i) && typeof i.value === 'string'))
  )
    throw new SuiteError(at(groups), 'groups must be a list of strings');
  const labels = r.object('namespaceLabels') ?? {};
  for (const [ns, l] of Object.entries(labels)) {
    if (
      typeof l !== 'object' ||
      l === null ||
      Array.isArray(l) ||
      !Object.values(l).every((v) => typeof v === 'string')
    )
      throw new SuiteError(r.placeOf('namespaceLabels'), `namespaceLabels.${ns} must map label names to strings`);
  }
  const session = r.string('session');
  const expectation = readExpectation(r);
  const results = r.list('results').map((rn): ResultExpectation => {
    if (!isMap(rn))
      throw new SuiteError(at(rn), 'a results entry is a mapping: object, policy, expect, message, patch, mutated');
    const rr = new MapReader(rn, at, RESULT_FIELDS, 'results entry');
    const policy = rr.string('policy');
    if (policy !== undefined && policyNames && !policyNames.has(policy))
      throw new SuiteError(
        rr.placeOf('policy'),
        `no policy named ${policy} in the suite's policies (${[...policyNames].join(', ')})`,
      );
    const e = readExpectation(rr);
    if (e.expect === undefined) throw new SuiteError(at(rn), 'a results entry needs expect');
    const object = rr.string('object');
    return {
      ...e,
      ...(object !== undefined ? { object } : {}),
      ...(policy !== undefined ? { policy } : {}),
      place: at(rn),
    };
  });
  const settings = r.object('settings');
  const user = r.string('user');
  const namespace = r.string('namespace');
  return {
    name,
    place: at(n),
    files,
    render,
    policies,
    ...(settings ? { settings } : {}),
    operation,
    oldFiles,
    ...(user !== undefined ? { user } : {}),
    ...(groups !== undefined ? { groups: groups.toJSON() as string[] } : {}),
    ...(namespace !== undefined ? { namespace } : {}),
    namespaceLabels: labels as Record<string, Record<string, string>>,
    ...(session !== undefined ? { session: resolveRef(dir, session) } : {}),
    expectation,
    results,
    hasExpectations: expectation.expect !== undefined || results.length > 0,
  };
}

function readExpectation(r: MapReader): Expectation {
  const e: Expectation = {};
  const expect = r.string('expect');
  if (expect !== undefined) {
    if (!(EXPECTATIONS as readonly string[]).includes(expect))
      throw new SuiteError(
        r.placeOf('expect'),
        `expect must be one of ${EXPECTATIONS.join(', ')}, got ${JSON.stringify(expect)}`,
      );
    e.expect = expect as Expected;
  }
  const message = r.string('message');
  if (message !== undefined) e.message = parseMatcher(message, r.placeOf('message'));
  const patch = r.json('patch');
  if (patch !== undefined) {
    if (
      !Array.isArray(patch) ||
      !patch.every(
        (op) =>
          typeof op === 'object' &&
          op !== null &&
          typeof (op as { op?: unknown }).op === 'string' &&
          typeof (op as { path?: unknown }).path === 'string',
      )
    ) {
      throw new SuiteError(r.placeOf('patch'), 'patch must be an RFC 6902 JSON Patch: a list of {op, path, value}');
    }
    e.patch = patch as JsonPatchOperation[];
  }
  const mutated = r.json('mutated');
  if (mutated !== undefined) e.mutated = mutated;
  if ((e.patch !== undefined || e.mutated !== undefined) && e.expect !== undefined && e.expect !== 'mutate')
    throw new SuiteError(
      r.placeOf(e.patch !== undefined ? 'patch' : 'mutated'),
      'patch and mutated go with expect: mutate',
    );
  if ((e.patch !== undefined || e.mutated !== undefined || e.message !== undefined) && e.expect === undefined)
    throw new SuiteError(
      r.placeOf(e.message !== undefined ? 'message' : 'patch'),
      'message, patch and mutated refine an expect: give expect too',
    );
  return e;
}

/** `/re/flags` is a regular expression, anything else a substring. */
export function parseMatcher(text: string, place: Place): MessageMatcher {
  const m = /^\/(.*)\/([a-z]*)$/s.exec(text);
  if (!m) return { kind: 'substring', text };
  try {
    return { kind: 'regex', source: text, re: new RegExp(m[1], m[2]) };
  } catch (err) {
    throw new SuiteError(place, `message: not a valid regular expression: ${(err as Error).message}`);
  }
}

function readHelm(n: Node, at: At, dir: string): RenderSpec {
  if (isScalar(n) && typeof n.value === 'string') return { kind: 'helm', chart: resolveChart(dir, n.value) };
  if (!isMap(n))
    throw new SuiteError(at(n), 'helm is a chart (string) or {chart, values, set, namespace, releaseName}');
  const r = new MapReader(n, at, new Set(['chart', 'values', 'set', 'namespace', 'releaseName']), 'helm');
  const chart = r.string('chart', true)!;
  const list = (key: string): string[] => {
    const v = r.json(key);
    if (v === undefined) return [];
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string'))
      throw new SuiteError(r.placeOf(key), `helm.${key} must be a list of strings`);
    return v as string[];
  };
  const namespace = r.string('namespace');
  const releaseName = r.string('releaseName');
  return {
    kind: 'helm',
    chart: resolveChart(dir, chart),
    values: list('values').map((v) => resolveRef(dir, v)),
    set: list('set'),
    ...(namespace ? { namespace } : {}),
    ...(releaseName ? { releaseName } : {}),
  };
}

/** Paths in a suite are relative to the suite file; URLs stay as they are. */
function resolveRef(dir: string, p: string): string {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(p) || path.isAbsolute(p) ? p : path.join(dir, p);
}

/** A chart path relative to the suite when it starts with . or /; otherwise a repo/name reference. */
function resolveChart(dir: string, chart: string): string {
  return chart.startsWith('.') ? path.join(dir, chart) : chart;
}

/** Module references: local paths (./x.wasm, x.wasm, file://./x.wasm) are relative to the suite file. */
function resolveModule(dir: string, module: string): string {
  if (module.startsWith('file://')) {
    const p = module.slice('file://'.length);
    return path.isAbsolute(p) ? module : `file://${path.resolve(dir, p)}`;
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(module) || path.isAbsolute(module)) return module;
  // A bare reference is a file when it names one (x.wasm, ./x), else a registry reference as -p takes it.
  return module.endsWith('.wasm') || module.startsWith('.') ? path.join(dir, module) : module;
}

function defaultPolicyName(module: string): string {
  const base =
    module
      .replace(/[?#].*$/, '')
      .replace(/@sha256:[0-9a-f]+$/, '')
      .split('/')
      .pop() ?? module;
  return base.replace(/\.wasm$/, '').replace(/:[^:]*$/, '') || module;
}
