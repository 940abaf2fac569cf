// The API-server stage alone (lib/apiserver/stage.ts) over the synthetic corpus: parse first (not timed), then
// decode, default, metadata steps, plugins and the validating-stage object for every object. Prints one JSON line.
//   node --import tsx bench/stage-cost.ts N
import { performance } from 'node:perf_hooks';
import { ResourceResolver } from '../lib/kube/resource-resolver';
import type { JsonObject } from '../lib/apiserver/context';
import { apiServerStage } from '../lib/apiserver/stage';
import { DEFAULT_LIMITS, entriesFromText, type KubeObject } from '../lib/manifests';
import { syntheticFile } from './support/synthetic';

const count = Number(process.argv[2] ?? 50_000);
const objects: KubeObject[] = [];
for (let f = 0; f * 50 < count; f++)
  for (const e of entriesFromText(`s-${f}.yaml`, syntheticFile(f, count), DEFAULT_LIMITS))
    if (e.kind === 'object') objects.push(e.object);
const resolver = new ResourceResolver();
const now = new Date(0);
let failed = 0;
const t0 = performance.now();
const c0 = process.cpuUsage();
for (const o of objects) {
  const out = apiServerStage(o as unknown as JsonObject, resolver.resolve(o.apiVersion, o.kind), {
    kubernetesVersion: '1.35',
    validate: 'strict',
    applyMode: 'client',
    defaultNamespace: 'default',
    operation: 'CREATE',
    now,
  });
  if (!out.ok) failed++;
  // Owned, as check passes it when no mutating policy received the object (lib/evaluation/units.ts).
  else if (!out.validating(out.mutating, true).ok) failed++;
}
const stageMs = performance.now() - t0;
const c = process.cpuUsage(c0);
const stageCpuMs = (c.user + c.system) / 1000;
process.stdout.write(JSON.stringify({ objects: objects.length, failed, stageMs, stageCpuMs }) + '\n');
