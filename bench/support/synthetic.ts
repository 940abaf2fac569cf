// A deterministic synthetic corpus: N workload objects of mixed kinds, about the size of real manifests, some of
// them violating the bundled policies. The same count always gives the same files (seeded generator), so runs
// on different days and machines compare.
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** Bump when the generated text changes, so a cached corpus of the old shape is not reused. */
const GENERATOR_VERSION = 1;
const OBJECTS_PER_FILE = 50;
const KINDS: readonly string[] = [
  'Deployment',
  'StatefulSet',
  'DaemonSet',
  'Job',
  'CronJob',
  'Pod',
  'Service',
  'ConfigMap',
];
const IMAGES: readonly string[] = [
  'registry.example.com/shop/api',
  'ghcr.io/acme/worker',
  'docker.io/library/nginx',
  'quay.io/prometheus/node-exporter',
  'registry.k8s.io/pause',
];

/** mulberry32: a tiny seeded PRNG, enough to vary the objects reproducibly (also the tests' generated documents). */
export function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const pick = (rnd: () => number, xs: readonly string[]): string => xs[Math.floor(rnd() * xs.length)];

function container(rnd: () => number, name: string, i: number): string[] {
  // About one object in eight breaks a rule: privileged, no limits, :latest, root, host port, added capability.
  const bad = rnd() < 0.125 ? Math.floor(rnd() * 6) : -1;
  const tag = bad === 2 ? 'latest' : `1.${i % 30}.${i % 7}`;
  const lines = [
    `- name: ${name}`,
    `  image: ${pick(rnd, IMAGES)}:${tag}`,
    `  imagePullPolicy: IfNotPresent`,
    `  args: ["--port=8080", "--log-level=info", "--metrics-addr=:9090"]`,
    `  env:`,
    `  - name: APP_ENV`,
    `    value: production`,
    `  - name: APP_INSTANCE`,
    `    valueFrom: {fieldRef: {fieldPath: metadata.name}}`,
    `  ports:`,
    `  - containerPort: 8080`,
    `    name: http`,
    ...(bad === 4 ? [`    hostPort: 8080`] : []),
    `  readinessProbe:`,
    `    httpGet: {path: /healthz, port: http}`,
    `    periodSeconds: 10`,
    `  livenessProbe:`,
    `    httpGet: {path: /livez, port: http}`,
    `    initialDelaySeconds: 15`,
    `  resources:`,
    `    requests: {cpu: 100m, memory: 128Mi}`,
    ...(bad === 1 ? [] : [`    limits: {cpu: 500m, memory: 256Mi}`]),
    `  securityContext:`,
    `    allowPrivilegeEscalation: ${bad === 0 ? 'true' : 'false'}`,
    ...(bad === 0 ? [`    privileged: true`] : []),
    `    runAsNonRoot: ${bad === 3 ? 'false' : 'true'}`,
    `    readOnlyRootFilesystem: true`,
    `    seccompProfile: {type: RuntimeDefault}`,
    `    capabilities:`,
    `      drop: [ALL]`,
    ...(bad === 5 ? [`      add: [NET_ADMIN]`] : []),
    `  volumeMounts:`,
    `  - {name: config, mountPath: /etc/app}`,
    `  - {name: tmp, mountPath: /tmp}`,
  ];
  return lines;
}

function podSpec(rnd: () => number, app: string, i: number, indent: number, restartNever = false): string[] {
  const containers = 1 + (rnd() < 0.3 ? 1 : 0);
  const lines = [
    ...(restartNever ? ['restartPolicy: Never'] : []),
    `serviceAccountName: ${app}`,
    `securityContext: {runAsUser: 10001, fsGroup: 10001}`,
    ...(rnd() < 0.02 ? ['hostNetwork: true'] : []),
    `containers:`,
    ...Array.from({ length: containers }, (_, c) => container(rnd, c === 0 ? app : `${app}-sidecar`, i + c)).flat(),
    `volumes:`,
    `- name: config`,
    `  configMap: {name: ${app}-config}`,
    `- name: tmp`,
    `  emptyDir: {}`,
  ];
  return lines.map((l) => `${' '.repeat(indent)}${l}`);
}

function metadata(app: string, ns: string, i: number): string[] {
  return [
    `metadata:`,
    `  name: ${app}`,
    `  namespace: ${ns}`,
    `  labels: {app.kubernetes.io/name: ${app}, app.kubernetes.io/part-of: synthetic, team: team-${i % 17}}`,
    `  annotations: {example.com/owner: "team-${i % 17}@example.com", example.com/revision: "${i}"}`,
  ];
}

function object(rnd: () => number, i: number): string[] {
  const kind = KINDS[i % KINDS.length];
  const app = `app-${i}`;
  const ns = `ns-${i % 40}`;
  const sel = [`  selector:`, `    matchLabels: {app.kubernetes.io/name: ${app}}`];
  const tmpl = (indent: number): string[] => [
    `${' '.repeat(indent)}template:`,
    `${' '.repeat(indent)}  metadata:`,
    `${' '.repeat(indent)}    labels: {app.kubernetes.io/name: ${app}}`,
    `${' '.repeat(indent)}  spec:`,
  ];
  switch (kind) {
    case 'Deployment':
    case 'StatefulSet':
    case 'DaemonSet':
      return [
        `apiVersion: apps/v1`,
        `kind: ${kind}`,
        ...metadata(app, ns, i),
        `spec:`,
        ...(kind === 'DaemonSet' ? [] : [`  replicas: ${1 + (i % 5)}`]),
        ...(kind === 'StatefulSet' ? [`  serviceName: ${app}`] : []),
        ...sel,
        ...tmpl(2),
        ...podSpec(rnd, app, i, 6),
      ];
    case 'Job':
      return [
        `apiVersion: batch/v1`,
        `kind: Job`,
        ...metadata(app, ns, i),
        `spec:`,
        `  backoffLimit: 2`,
        ...tmpl(2),
        ...podSpec(rnd, app, i, 6, true),
      ];
    case 'CronJob':
      return [
        `apiVersion: batch/v1`,
        `kind: CronJob`,
        ...metadata(app, ns, i),
        `spec:`,
        `  schedule: "${i % 60} * * * *"`,
        `  jobTemplate:`,
        `    spec:`,
        ...tmpl(6),
        ...podSpec(rnd, app, i, 10, true),
      ];
    case 'Pod':
      return [`apiVersion: v1`, `kind: Pod`, ...metadata(app, ns, i), `spec:`, ...podSpec(rnd, app, i, 2)];
    case 'Service':
      return [
        `apiVersion: v1`,
        `kind: Service`,
        ...metadata(app, ns, i),
        `spec:`,
        `  type: ${i % 13 === 0 ? 'LoadBalancer' : 'ClusterIP'}`,
        `  selector: {app.kubernetes.io/name: ${app}}`,
        `  ports:`,
        `  - {name: http, port: 80, targetPort: http}`,
        `  - {name: metrics, port: 9090, targetPort: 9090}`,
      ];
    case 'ConfigMap':
      return [
        `apiVersion: v1`,
        `kind: ConfigMap`,
        ...metadata(app, ns, i),
        `data:`,
        `  app.properties: |`,
        ...Array.from({ length: 12 }, (_, k) => `    setting.${k}=value-${(i * 31 + k) % 997}`),
        `  LOG_LEVEL: info`,
      ];
  }
  throw new Error(`unknown kind ${kind}`);
}

/** The YAML text of file `f` (objects f*50 .. f*50+49 of `count`). */
export function syntheticFile(f: number, count: number): string {
  const rnd = random(0x5eed + f);
  const docs: string[] = [];
  for (let i = f * OBJECTS_PER_FILE; i < Math.min(count, (f + 1) * OBJECTS_PER_FILE); i++)
    docs.push(object(rnd, i).join('\n'));
  return `${docs.join('\n---\n')}\n`;
}

/**
 * Writes (once; reused while the generator is unchanged) a directory of `count` objects in files of `perFile`
 * (50 by default: a repository of manifests; 1,000: rendered charts and `kubectl get -o yaml` dumps; `count`: one
 * file), and returns its path. Every shape holds the same objects in the same order.
 */
export function syntheticCorpus(count: number, base: string = os.tmpdir(), perFile: number = OBJECTS_PER_FILE): string {
  if (perFile % OBJECTS_PER_FILE !== 0 && perFile < count)
    throw new Error(`objects per file must be a multiple of ${OBJECTS_PER_FILE}, got ${perFile}`);
  const shape = perFile === OBJECTS_PER_FILE ? '' : perFile >= count ? '-one-file' : `-per-file-${perFile}`;
  const dir = path.join(base, `kwp-bench-synthetic-v${GENERATOR_VERSION}-${count}${shape}`);
  const files = Math.ceil(count / Math.min(perFile, count));
  if (existsSync(dir) && readdirSync(dir).length === files) return dir;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const chunksPerFile = Math.max(1, Math.ceil(Math.min(perFile, count) / OBJECTS_PER_FILE));
  for (let f = 0; f < files; f++) {
    const texts: string[] = [];
    for (let c = f * chunksPerFile; c < (f + 1) * chunksPerFile && c * OBJECTS_PER_FILE < count; c++)
      texts.push(syntheticFile(c, count));
    // Files of more than 50 objects are the 50-object texts joined by document markers.
    writeFileSync(path.join(dir, `objects-${String(f).padStart(5, '0')}.yaml`), texts.join('---\n'));
  }
  return dir;
}
