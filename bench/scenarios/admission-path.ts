// The cost of the API-server stage (docs/admission-path.md): the stage alone over the synthetic corpus, in a
// child process, reported as time per object and scaled to the 50,000-object target's 20 s budget. The
// end-to-end cost is in the throughput rows (check runs the stage for every object).
import * as path from 'node:path';
import { runChild, stats, type Sample } from '../support/measure';
import { ratio, type BenchContext, type Row, type ScenarioResult } from '../support/types';

export async function run(ctx: BenchContext): Promise<ScenarioResult> {
  const samples: Sample[] = [];
  const stageMs: number[] = [];
  const stageCpuMs: number[] = [];
  let objects = 0;
  for (let k = 0; k < ctx.heavyRuns; k++) {
    const s = await runChild({
      cmd: process.execPath,
      args: ['--import', 'tsx', path.join(ctx.root, 'bench', 'stage-cost.ts'), String(ctx.objects)],
      cwd: ctx.root,
      okStatus: [0],
    });
    const out = JSON.parse(s.stdout) as { objects: number; failed: number; stageMs: number; stageCpuMs: number };
    if (out.failed > 0) throw new Error(`the stage refused ${out.failed} synthetic objects`);
    objects = out.objects;
    stageMs.push(out.stageMs);
    stageCpuMs.push(out.stageCpuMs);
    samples.push(s);
  }
  const row: Row = {
    scenario: 'admission-path',
    name: `API-server stage alone, ${objects} objects`,
    wallMs: stats(stageMs),
    cpuMs: stats(stageCpuMs),
    peakRssMiB: stats(samples.map((s) => s.peakRssBytes / 1048576)),
    details: { cpuMicrosecondsPerObject: (stats(stageCpuMs).median * 1000) / objects },
  };
  ctx.log(`admission-path: ${row.wallMs.median.toFixed(0)} ms for ${objects} objects`);
  // CPU time, not wall: the stage is single-threaded, and CPU is what a loaded machine does not inflate.
  return {
    rows: [row],
    ratios: [
      ratio(
        'API-server stage CPU (scaled to 50,000 objects) / 20 s budget',
        (stats(stageCpuMs).median * (50_000 / objects)) / 20_000,
        { atMost: 0.25 },
      ),
    ],
  };
}
