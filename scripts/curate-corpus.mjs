#!/usr/bin/env node
// Copies a curated subset of a real-world manifest corpus into test/fixtures/corpus/, so that the tests that read
// real projects' manifests run from any clone of the repository. Usage:
//
//   node scripts/curate-corpus.mjs <path-to-corpus> [--out test/fixtures/corpus]
//
// The corpus is a folder of sources, each `<source>/` holding byte-for-byte copies of an upstream repository's
// files plus that repository's `LICENSE` and a `SOURCE.md` (repository, commit, license). The selection below
// keeps several projects, multi-document files, Lists, CRDs, kustomize bases and overlays, Helm-rendered output
// and raw Helm templates, known bad documents, and a few large files, in a few MB. Files are copied unchanged;
// each source keeps its LICENSE, and its SOURCE.md is rewritten to name what was taken. docs/testing.md says more.
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * What is taken from each source: paths relative to the source folder; a path ending in `/` takes the whole folder.
 * `why` is written into the source's SOURCE.md.
 */
const SELECTION = [
  {
    source: 'kubernetes-examples',
    take: ['/'],
    why: 'small hand-written files, old API shapes, JSON manifests, an empty file, duplicate keys and `{{ }}` templates (bad-input cases)',
  },
  {
    source: 'microservices-demo',
    take: ['/'],
    why: 'a typical application, one multi-document release file, and kustomize bases, components and overlays',
  },
  {
    source: 'kustomize-examples',
    take: ['/'],
    why: 'the upstream kustomize walkthrough layouts, base/overlay trees intact',
  },
  { source: 'flux2', take: ['/'], why: 'kustomize bases and patches, RBAC, NetworkPolicy and OpenShift SCC objects' },
  {
    source: 'ingress-nginx',
    take: ['/'],
    why: 'per-provider multi-document install bundles (webhooks, Jobs) and two small kustomize layouts',
  },
  {
    source: 'gatekeeper',
    take: ['/'],
    why: 'a single-file install with CRDs, webhooks and RBAC (a large multi-document file)',
  },
  {
    source: 'istio-samples',
    take: ['/'],
    why: 'Istio and Gateway API custom resources, Helm-rendered addons with `...` document ends, raw Helm templates',
  },
  {
    source: 'argo-cd',
    take: ['manifests/namespace-install.yaml'],
    why: 'a generated 50-object namespaced install bundle',
  },
  {
    source: 'kube-prometheus',
    take: [
      'manifests/grafana-dashboardDefinitions.yaml',
      'manifests/kubernetesControlPlane-prometheusRule.yaml',
      'manifests/nodeExporter-prometheusRule.yaml',
      'manifests/prometheus-prometheusRule.yaml',
      'manifests/alertmanager-prometheusRule.yaml',
      'manifests/grafana-deployment.yaml',
      'manifests/nodeExporter-daemonset.yaml',
      'manifests/prometheus-roleSpecificNamespaces.yaml',
      'manifests/prometheus-roleBindingSpecificNamespaces.yaml',
      'manifests/prometheus-prometheus.yaml',
      'manifests/prometheus-networkPolicy.yaml',
      'manifests/kubeStateMetrics-serviceMonitor.yaml',
      'manifests/setup/namespace.yaml',
      'manifests/setup/0prometheusruleCustomResourceDefinition.yaml',
      'manifests/setup/0servicemonitorCustomResourceDefinition.yaml',
    ],
    why: 'an operator stack: a 1 MB `ConfigMapList`, RoleLists, PrometheusRules with their CRD, a large ServiceMonitor CRD',
  },
  {
    source: 'knative-serving-third-party',
    take: [
      'third_party/gateway-api-latest/net-gateway-api.yaml',
      'third_party/contour-latest/net-contour.yaml',
      'third_party/kourier-latest/kourier.yaml',
    ],
    why: 'vendored release bundles of ingress integrations',
  },
];

/** Upper bound of the curated corpus: it lives in git. */
const MAX_BYTES = 4 * 1024 * 1024;

function usage(message) {
  process.stderr.write(`${message}\nusage: node scripts/curate-corpus.mjs <path-to-corpus> [--out DIR]\n`);
  process.exit(2);
}

function filesUnder(dir) {
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...filesUnder(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** The lines of the upstream SOURCE.md that name the repository, the commit and the license. */
function provenance(sourceMd) {
  const keep = sourceMd.split('\n').filter((l) => /^# Source:|^- (Repository|Commit|License):/.test(l));
  if (keep.length < 4) throw new Error('SOURCE.md lacks a repository, commit or license line');
  return keep;
}

function curate(from, out) {
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  let total = 0;
  const rows = [];
  for (const { source, take, why } of SELECTION) {
    const src = path.join(from, source);
    for (const required of ['LICENSE', 'SOURCE.md']) {
      if (!existsSync(path.join(src, required)))
        throw new Error(`${path.join(src, required)} is missing: every source needs its license and provenance`);
    }
    const files = take
      .flatMap((t) => (t.endsWith('/') ? filesUnder(path.join(src, t)) : [path.join(src, t)]))
      .map((f) => path.relative(src, f))
      .filter((f) => f !== 'LICENSE' && f !== 'SOURCE.md')
      .sort();
    let bytes = 0;
    const sums = [];
    for (const f of files) {
      const to = path.join(out, source, f);
      mkdirSync(path.dirname(to), { recursive: true });
      copyFileSync(path.join(src, f), to);
      chmodSync(to, 0o644);
      bytes += statSync(to).size;
      sums.push(`${createHash('sha256').update(readFileSync(to)).digest('hex')}  ${f}`);
    }
    copyFileSync(path.join(src, 'LICENSE'), path.join(out, source, 'LICENSE'));
    chmodSync(path.join(out, source, 'LICENSE'), 0o644);
    const [title, ...facts] = provenance(readFileSync(path.join(src, 'SOURCE.md'), 'utf8'));
    const lines = [
      title,
      '',
      ...facts,
      `- Curated subset (scripts/curate-corpus.mjs): ${take.map((t) => (t === '/' ? '(everything the corpus holds)' : `\`${t}\``)).join(', ')}`,
      `- Why: ${why}`,
      `- Files: ${files.length} (${(bytes / 1024).toFixed(1)} KiB), byte-for-byte copies at the commit above; do not edit them (copy and change a file elsewhere).`,
      '',
      '## SHA-256 of each file',
      '',
      '```',
      ...sums,
      '```',
      '',
    ];
    writeFileSync(path.join(out, source, 'SOURCE.md'), lines.join('\n'));
    rows.push(`| \`${source}/\` | ${files.length} | ${(bytes / 1024).toFixed(1)} KiB | ${why} |`);
    total += bytes;
  }
  if (total > MAX_BYTES)
    throw new Error(`the curated corpus is ${(total / 1048576).toFixed(2)} MiB, over ${MAX_BYTES / 1048576} MiB`);
  const readme = [
    '# Curated real-world manifest corpus (third-party data, test input only)',
    '',
    'Written by `node scripts/curate-corpus.mjs <path-to-corpus>` (docs/testing.md): a subset of a larger corpus of',
    "public projects' manifests. Every file was written by the project its folder's `SOURCE.md` names (repository,",
    "commit, license, SHA-256 of each file); each folder carries that project's `LICENSE` (all Apache-2.0). Do not",
    'edit these files by hand: rerun the script, then update the counts the tests assert (test/corpus.test.ts).',
    '',
    '| folder | files | size | what it is here for |',
    '| --- | ---: | ---: | --- |',
    ...rows,
    `| **total** | | **${(total / 1048576).toFixed(2)} MiB** | |`,
    '',
  ];
  writeFileSync(path.join(out, 'README.md'), readme.join('\n'));
  return total;
}

const args = process.argv.slice(2);
const outAt = args.indexOf('--out');
let out = path.join(ROOT, 'test', 'fixtures', 'corpus');
if (outAt >= 0) {
  if (!args[outAt + 1]) usage('--out needs a directory');
  out = path.resolve(args[outAt + 1]);
  args.splice(outAt, 2);
}
if (args.length !== 1) usage('give the corpus location');
const from = path.resolve(args[0]);
if (!existsSync(from) || !statSync(from).isDirectory()) usage(`${from} is not a directory`);
try {
  const bytes = curate(from, out);
  process.stdout.write(`wrote ${path.relative(process.cwd(), out) || out} (${(bytes / 1048576).toFixed(2)} MiB)\n`);
} catch (e) {
  process.stderr.write(`curate-corpus: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
}
