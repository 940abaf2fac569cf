#!/usr/bin/env node
// Generates lib/apiserver/schemas/ from the OpenAPI v3 documents a Kubernetes API server serves
// (kubernetes-sigs/kubectl-validate a97ccfac, pkg/openapiclient/builtins/), for every supported minor version.
//
//   node scripts/gen-kube-schemas.mjs <k8s-data-dir>     (the dir holding openapi/<minor>/ and LICENSE)
//
// The table keeps what the typed round trip needs (field types and formats, list types and keys, defaults,
// required) and drops descriptions. Type definitions identical across versions are stored once (defs.json);
// each version's file maps type names and group/version/kinds to them, so a run loads one version.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';

const VERSIONS = ['1.33', '1.34', '1.35'];
const src = process.argv[2];
if (!src) {
  console.error('usage: node scripts/gen-kube-schemas.mjs <k8s-data-dir>');
  process.exit(2);
}
const out = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'lib', 'apiserver', 'schemas');
mkdirSync(out, { recursive: true });

/** Types whose JSON is free-form for the decoder (no schema of their own). */
const OPAQUE = new Set([
  'apimachinery.pkg.apis.meta.v1.FieldsV1',
  'apimachinery.pkg.apis.meta.v1.Patch',
  'apimachinery.pkg.runtime.RawExtension',
  'apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON',
  'apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray',
  'apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool',
  'apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray',
]);
/** Primitive-like named types and their compact tag. */
const NAMED = {
  'apimachinery.pkg.api.resource.Quantity': 'q',
  'apimachinery.pkg.util.intstr.IntOrString': 'ios',
  'apimachinery.pkg.apis.meta.v1.Time': 'time',
  'apimachinery.pkg.apis.meta.v1.MicroTime': 'mtime',
};

const short = (ref) => ref.replace('#/components/schemas/', '').replace(/^io\.k8s\./, '');

function files(dir) {
  return readdirSync(dir).flatMap((n) => {
    const p = path.join(dir, n);
    return statSync(p).isDirectory() ? files(p) : n.endsWith('.json') ? [p] : [];
  });
}

/** Compact type of a property schema. */
function typeOf(s) {
  const ref = s.$ref ?? s.allOf?.[0]?.$ref;
  if (ref) {
    const n = short(ref);
    if (NAMED[n]) return NAMED[n];
    if (OPAQUE.has(n)) return 'any';
    return '@' + n;
  }
  if (s.format === 'int-or-string') return 'ios';
  switch (s.type) {
    case 'string':
      return s.format === 'byte' ? 's:byte' : s.format === 'date-time' ? 'time' : 's';
    case 'integer':
      return s.format === 'int32' ? 'i32' : 'i64';
    case 'number':
      return 'f';
    case 'boolean':
      return 'b';
    case 'array': {
      const t = { a: typeOf(s.items ?? {}) };
      if (s['x-kubernetes-list-type']) t.lt = s['x-kubernetes-list-type'];
      if (s['x-kubernetes-list-map-keys']) t.lk = s['x-kubernetes-list-map-keys'];
      return t;
    }
    case 'object':
      if (s.additionalProperties) return { m: typeOf(s.additionalProperties) };
      return 'any';
    default:
      return 'any';
  }
}

function defOf(name, s) {
  if (NAMED[name] || OPAQUE.has(name)) return undefined;
  const d = { p: {} };
  for (const [k, p] of Object.entries(s.properties ?? {})) {
    const t = typeOf(p);
    d.p[k] = p.default !== undefined ? { t, d: p.default } : t;
  }
  if (s.required?.length) d.r = [...s.required].sort();
  if (!s.properties) d.empty = true;
  return d;
}

const defs = [];
const defIndex = new Map();
for (const v of VERSIONS) {
  const types = {};
  const kinds = {};
  for (const f of files(path.join(src, 'openapi', v)).sort()) {
    const doc = JSON.parse(readFileSync(f, 'utf8'));
    for (const [full, s] of Object.entries(doc.components?.schemas ?? {})) {
      const name = short(full);
      const def = defOf(name, s);
      if (!def) continue;
      const key = JSON.stringify(def);
      let i = defIndex.get(key);
      if (i === undefined) {
        i = defs.length;
        defs.push(def);
        defIndex.set(key, i);
      }
      if (types[name] !== undefined && types[name] !== i) throw new Error(`${v}: ${name} differs between documents`);
      types[name] = i;
      for (const gvk of s['x-kubernetes-group-version-kind'] ?? []) {
        const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
        // A kind is served by its own group's document; others only reference it (e.g. DeleteOptions).
        const rel = path
          .relative(path.join(src, 'openapi', v), f)
          .replace(/\\/g, '/')
          .replace(/\.json$/, '');
        const served = rel === (gvk.group ? `apis/${gvk.group}/${gvk.version}` : `api/${gvk.version}`);
        if (served || kinds[`${apiVersion}/${gvk.kind}`] === undefined) kinds[`${apiVersion}/${gvk.kind}`] = name;
      }
    }
  }
  const sorted = (o) => Object.fromEntries(Object.entries(o).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  writeFileSync(
    path.join(out, `kube-${v}.json`),
    JSON.stringify({ version: v, types: sorted(types), kinds: sorted(kinds) }) + '\n',
  );
  console.log(`${v}: ${Object.keys(types).length} types, ${Object.keys(kinds).length} kinds`);
}
writeFileSync(path.join(out, 'defs.json'), JSON.stringify(defs) + '\n');
copyFileSync(path.join(src, 'LICENSE'), path.join(out, 'LICENSE'));
console.log(`${defs.length} distinct definitions → ${path.relative(process.cwd(), out)}`);
