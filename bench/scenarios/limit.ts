// The limit: the same policies on the same requests in a bare loop (bench/bare-loop.ts), and the pipeline
// overhead ratio: end to end on one worker / bare loop.
import * as path from 'node:path';
import { runChild, stats } from '../support/measure';
import { ratio, isSkipped, type BenchContext, type Ratio, type Row, type ScenarioResult } from '../support/types';
import { corpora, throughputRowName } from './throughput';

interface BareLoopOutput {
  objects: number;
  evaluations: number;
  rejected: number;
  seconds: number;
  microsPerEvaluation: number;
  perPolicyMs: Record<string, number>;
}

export async function run(
  ctx: BenchContext,
  earlier: readonly (Row | { skipped: string; name: string })[],
): Promise<ScenarioResult> {
  const rows: Row[] = [];
  const ratios: Ratio[] = [];
  // The bare loop is measured on the first shape: what it runs does not depend on how objects are split into files.
  for (const c of corpora(ctx).filter((c, i, all) => !c.synthetic || all.findIndex((x) => x.synthetic) === i)) {
    const outs: BareLoopOutput[] = [];
    const rss: number[] = [];
    for (let k = 0; k < ctx.heavyRuns; k++) {
      const s = await runChild({
        cmd: process.execPath,
        args: ['--import', 'tsx', path.join(ctx.root, 'bench', 'bare-loop.ts'), c.dir],
        cwd: ctx.root,
      });
      outs.push(JSON.parse(s.stdout) as BareLoopOutput);
      rss.push(s.peakRssBytes / 1048576);
    }
    const row: Row = {
      scenario: 'limit',
      name: `bare loop, ${c.name}`,
      // Only the loop is timed (in the child); loading policies and parsing the corpus are not.
      wallMs: stats(outs.map((o) => o.seconds * 1000)),
      peakRssMiB: stats(rss),
      details: {
        evaluations: outs[0].evaluations,
        microsPerEvaluation: stats(outs.map((o) => o.microsPerEvaluation)).median,
        perPolicyMs: outs[0].perPolicyMs,
      },
    };
    rows.push(row);
    ctx.log(
      `limit ${row.name}: median ${(row.wallMs.median / 1000).toFixed(2)} s, ${(row.details!.microsPerEvaluation as number).toFixed(0)} µs per evaluation`,
    );
    const e2e = earlier.find((r): r is Row => !isSkipped(r as Row) && r.name === throughputRowName(c, 1));
    if (e2e)
      ratios.push(
        ratio(
          `${c.name}: pipeline overhead (end to end, 1 worker / bare loop)`,
          e2e.wallMs.median / row.wallMs.median,
          { atMost: 1.3 },
        ),
      );
  }
  return { rows, ratios };
}
