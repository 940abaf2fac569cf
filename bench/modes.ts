// Per-evaluation cost of each execution mode: one policy, one realistic request, the runtime called in a loop
// on one thread (no worker, no parsing, no reporting). Prints a table of medians.
// Run: npm run build && node --import tsx bench/modes.ts   (RUNS=... to change the count)
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildAdmissionRequest, DEFAULT_USER } from '../lib/admission/request';
import { ResourceResolver } from '../lib/kube/resource-resolver';
import { entriesFromText, DEFAULT_LIMITS, type ManifestObject } from '../lib/manifests';
import { createLogger } from '../lib/base/log';
import { compilePolicy } from '../lib/wasm/compile';
import { createRuntime } from '../lib/wasm/create-runtime';
import { DEFAULT_EVALUATION_LIMITS } from '../lib/wasm/limits';
import type { ExecutionMode } from '../lib/wasm/metadata';
import type { EvaluationInput } from '../lib/wasm/runtime';
// @ts-expect-error plain ESM build scripts
import { buildGuestFixtures } from '../test/fixtures/guests/build.mjs';

const RUNS = Number(process.env.RUNS ?? 3000);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..');
const log = createLogger('error', () => {});

function requestFor(file: string): string {
  const obj = (entriesFromText(file, readFileSync(path.join(root, file), 'utf8'), DEFAULT_LIMITS)[0] as ManifestObject)
    .object;
  const res = new ResourceResolver().resolve(obj.apiVersion, obj.kind);
  return buildAdmissionRequest(obj, res, { operation: 'CREATE', userInfo: DEFAULT_USER }).json;
}

async function measure(name: string, mode: ExecutionMode, wasmFile: string, input: EvaluationInput): Promise<string> {
  const c = await compilePolicy(name, readFileSync(wasmFile), DEFAULT_EVALUATION_LIMITS.memoryLimitBytes);
  const rt = createRuntime(
    {
      id: name,
      mode,
      module: c.module,
      policyType: 'kubernetes',
      settingsJson: input.settingsJson,
      limits: DEFAULT_EVALUATION_LIMITS,
      ...(c.snapshotGlobals ? { snapshotGlobals: c.snapshotGlobals } : {}),
    },
    { hostCall: () => new Uint8Array(), log },
  );
  const first = rt.validate(input);
  if (!first.ok) throw new Error(`${name}: ${first.message}`);
  for (let i = 0; i < 200; i++) rt.validate(input);
  const t: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const s = process.hrtime.bigint();
    rt.validate(input);
    t.push(Number(process.hrtime.bigint() - s) / 1000);
  }
  t.sort((a, b) => a - b);
  const q = (p: number) => t[Math.floor(t.length * p)].toFixed(1);
  return `| ${name} | ${mode} | ${q(0.5)} | ${q(0.1)} | ${q(0.9)} |`;
}

const deployment = { requestJson: requestFor('manifests/examples/api.yaml'), settingsJson: '{}' };
const pod = { requestJson: requestFor('test/fixtures/guests/manifests/pods.yaml'), settingsJson: '{}' };
const guests = mkdtempSync(path.join(tmpdir(), 'bench-guests-'));
const built = new Map<string, string>(
  (await buildGuestFixtures(guests)).map((f: { name: string; path: string }) => [f.name, f.path]),
);

// The OPA fixtures are written to the ABI by hand (test/fixtures/opa); built by a plain node child.
const opaDir = mkdtempSync(path.join(tmpdir(), 'bench-opa-'));
execFileSync(process.execPath, [path.join(root, 'test/fixtures/opa/build.mjs'), opaDir], {
  env: { ...process.env, NODE_OPTIONS: '' },
});
writeFileSync(
  path.join(opaDir, 'svc.yaml'),
  'apiVersion: v1\nkind: Service\nmetadata: {name: lb, namespace: shop}\nspec: {type: LoadBalancer, ports: [{port: 80}]}\n',
);
const service = { requestJson: requestFor(path.relative(root, path.join(opaDir, 'svc.yaml'))), settingsJson: '{}' };
const gkSettings = { ...service, settingsJson: '{"forbiddenTypes":["LoadBalancer"],"requiredLabels":["team"]}' };

const rows = [
  await measure(
    'pss-privileged (AssemblyScript, bundled)',
    'kubewarden-wapc',
    path.join(root, 'dist/plugins/pss-privileged.wasm'),
    deployment,
  ),
  await measure(
    'pss-capabilities-restricted (mutating)',
    'kubewarden-wapc',
    path.join(root, 'dist/plugins/pss-capabilities-restricted.wasm'),
    deployment,
  ),
  await measure('wapc-c', 'kubewarden-wapc', built.get('wapc-c')!, pod),
  await measure('wapc-rust', 'kubewarden-wapc', built.get('wapc-rust')!, pod),
  await measure('wasi-c', 'wasi', built.get('wasi-c')!, pod),
  await measure('opa-lb-abi11 (OPA ABI 1.1)', 'opa', path.join(opaDir, 'opa-lb-abi11.wasm'), service),
  await measure('opa-lb-abi12 (OPA ABI 1.2)', 'opa', path.join(opaDir, 'opa-lb-abi12.wasm'), service),
  await measure('gk-lb-abi12 (Gatekeeper)', 'gatekeeper', path.join(opaDir, 'gk-lb-abi12.wasm'), gkSettings),
];
console.log(`| policy | mode | median µs | p10 | p90 |  (${RUNS} runs each)`);
console.log('| --- | --- | ---: | ---: | ---: |');
for (const r of rows) console.log(r);
