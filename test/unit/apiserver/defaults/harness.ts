/**
 * Table-driven checks for the API-server rules: a case is an input fragment, the rule it exercises (named by
 * the upstream file and function it follows) and the fragment expected afterwards. `expect` matches as a
 * subset (every key it names must match; arrays item by item with the same length), `absent` lists dotted paths that must not
 * exist, and `exact` compares the whole object.
 */
import assert from 'node:assert/strict';
import {
  seededRandom,
  type JsonObject,
  type JsonValue,
  type KubernetesVersion,
  type PluginContext,
} from '../../../../lib/apiserver/context';

export interface RuleCase {
  name: string;
  /** Upstream file and function, e.g. `pkg/apis/core/v1/defaults.go SetDefaults_Container`. */
  upstream: string;
  /** `group/version/Kind` (core: `v1/Kind`). */
  gvk: string;
  version?: KubernetesVersion;
  gates?: Record<string, boolean>;
  input: JsonObject;
  expect?: JsonObject;
  absent?: string[];
  exact?: JsonObject;
}

export const NOW = new Date('2026-12-07T01:00:00.500Z');

export function contextFor(
  gvk: string,
  version: KubernetesVersion = '1.35',
  gates: Record<string, boolean> = {},
  seed = 'seed',
): PluginContext {
  const parts = gvk.split('/');
  const kind = parts[parts.length - 1];
  const apiVersion = parts.length === 3 ? parts[1] : parts[0];
  const group = parts.length === 3 ? parts[0] : '';
  return {
    group,
    version: apiVersion,
    kind,
    resource: `${kind.toLowerCase()}s`,
    namespaced: true,
    kubernetesVersion: version,
    featureGates: gates,
    now: NOW,
    random: seededRandom(seed),
    operation: 'CREATE',
  };
}

function isObj(v: JsonValue | undefined): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Asserts `actual` contains `expected` (objects by subset, everything else deep-equal). */
export function assertSubset(actual: JsonValue | undefined, expected: JsonValue, path = ''): void {
  if (isObj(expected)) {
    assert.ok(isObj(actual), `${path || '.'}: expected an object, got ${JSON.stringify(actual)}`);
    for (const [k, v] of Object.entries(expected)) assertSubset(actual[k], v, `${path}.${k}`);
    return;
  }
  if (Array.isArray(expected)) {
    assert.ok(
      Array.isArray(actual) && actual.length === expected.length,
      `${path}: expected ${expected.length} items, got ${JSON.stringify(actual)}`,
    );
    expected.forEach((e, i) => assertSubset(actual[i], e, `${path}[${i}]`));
    return;
  }
  assert.deepEqual(actual, expected, `${path || '.'}: ${JSON.stringify(actual)} != ${JSON.stringify(expected)}`);
}

function lookup(obj: JsonValue, path: string): JsonValue | undefined {
  let cur: JsonValue | undefined = obj;
  for (const key of path.split('.')) {
    if (Array.isArray(cur)) cur = cur[Number(key)];
    else if (isObj(cur)) cur = cur[key];
    else return undefined;
  }
  return cur;
}

export function runCases(cases: RuleCase[], apply: (obj: JsonObject, ctx: PluginContext) => void): void {
  for (const c of cases) {
    it(`${c.name} [${c.upstream}]${c.version ? ` (${c.version})` : ''}`, () => {
      const obj = structuredClone(c.input);
      apply(obj, contextFor(c.gvk, c.version, c.gates));
      if (c.exact !== undefined) assert.deepEqual(obj, c.exact);
      if (c.expect !== undefined) assertSubset(obj, c.expect);
      for (const p of c.absent ?? [])
        assert.equal(lookup(obj, p), undefined, `${p} should be absent: ${JSON.stringify(obj)}`);
    });
  }
}

/** A one-container pod spec for cases that only care about one field. */
export function podWith(spec: JsonObject, metadata: JsonObject = { name: 'p', namespace: 'default' }): JsonObject {
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata,
    spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], ...spec },
  };
}
