// Throughput: `check -R` over a real-world corpus (test/fixtures/corpus, or --corpus DIR) and over the synthetic one, with 1 and 2 workers, in
// the default (text) output. The two runs must print the same bytes (evaluation order must not leak into the
// report). `-o json` of 50,000 objects is a 380 MB document, which measures the JSON writer more than `check`.
import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { runChild, stats, type Sample } from '../support/measure';
import { syntheticCorpus } from '../support/synthetic';
import { ratio, type BenchContext, type Ratio, type Row, type ScenarioResult, type Skipped } from '../support/types';

export interface Corpus {
  name: string;
  dir: string;
  /** The generated objects (bench/support/synthetic.ts), in one of their shapes. */
  synthetic?: boolean;
}

/** The synthetic objects in three shapes: files of 50 objects, files of 1,000, and one file. */
const SHAPES: readonly { perFile: number | 'all'; label: string }[] = [
  { perFile: 50, label: 'files of 50' },
  { perFile: 1000, label: 'files of 1,000' },
  { perFile: 'all', label: 'one file' },
];

export function corpora(ctx: BenchContext): Corpus[] {
  const out: Corpus[] = [];
  if (ctx.corpus) out.push({ name: `corpus (${path.basename(ctx.corpus)})`, dir: ctx.corpus });
  for (const s of SHAPES) {
    const perFile = s.perFile === 'all' ? ctx.objects : Math.min(s.perFile, ctx.objects);
    out.push({
      name: `synthetic ${ctx.objects}, ${s.label}`,
      dir: syntheticCorpus(ctx.objects, undefined, perFile),
      synthetic: true,
    });
  }
  return out;
}

export const throughputRowName = (c: Corpus, workers: number): string => `${c.name}, --workers ${workers}`;

const WORKERS = [1, 2] as const;

/** The counts of the text report's last line (`N objects, M policies: 1 passed, 0 mutated, ...`). */
function summaryOf(text: string): Record<string, number> {
  const last = text.trimEnd().split('\n').pop() ?? '';
  const out: Record<string, number> = {};
  for (const m of last.matchAll(/(\d+) (objects|policies|passed|mutated|rejected|warnings|errors|skipped)/g))
    out[m[2]] = Number(m[1]);
  if (out.objects === undefined) throw new Error(`no summary line at the end of the report: ${last}`);
  for (const k of ['passed', 'mutated', 'rejected', 'warnings', 'errors']) out[k] ??= 0;
  return out;
}

export async function run(ctx: BenchContext): Promise<ScenarioResult> {
  const rows: (Row | Skipped)[] = [];
  const ratios: Ratio[] = [];
  if (!ctx.corpus)
    rows.push({ scenario: 'throughput', name: 'corpus', skipped: 'not available: the --corpus folder does not exist' });
  for (const c of corpora(ctx)) {
    const samples: Sample[][] = WORKERS.map(() => []);
    const digests = new Set<string>();
    for (let k = 0; k < ctx.heavyRuns; k++) {
      for (let w = 0; w < WORKERS.length; w++) {
        const s = await runChild({
          cmd: process.execPath,
          args: [ctx.bundle, 'check', '-R', '-f', c.dir, '--workers', String(WORKERS[w])],
          cwd: ctx.root,
          okStatus: [0, 1, 2],
        });
        digests.add(createHash('sha256').update(s.stdout).digest('hex'));
        samples[w].push(s);
      }
    }
    const summary = summaryOf(samples[0][0].stdout);
    const evaluations = summary.passed + summary.mutated + summary.rejected + summary.warnings + summary.errors;
    WORKERS.forEach((workers, w) => {
      const row: Row = {
        scenario: 'throughput',
        name: throughputRowName(c, workers),
        wallMs: stats(samples[w].map((s) => s.wallMs)),
        cpuMs: stats(samples[w].map((s) => s.cpuMs)),
        peakRssMiB: stats(samples[w].map((s) => s.peakRssBytes / 1048576)),
        details: { summary, evaluations, identicalOutput: digests.size === 1 },
      };
      rows.push(row);
      ctx.log(
        `throughput ${row.name}: median ${(row.wallMs.median / 1000).toFixed(2)} s, ${row.peakRssMiB.median.toFixed(0)} MiB`,
      );
    });
    const [one, two] = rows.slice(-2) as Row[];
    ratios.push(ratio(`${c.name}: speed-up 1 -> 2 workers`, one.wallMs.median / two.wallMs.median, { atLeast: 1.7 }));
    ratios.push(
      ratio(`${c.name}: output identical for 1 and 2 workers (1 = yes)`, digests.size === 1 ? 1 : 0, { atLeast: 1 }),
    );
    if (c.synthetic) {
      // The targets are stated for 50,000 objects; a smaller run is scaled to them.
      const scale = 50_000 / ctx.objects;
      ratios.push(
        ratio(
          `${c.name}: best wall (scaled to 50,000) / 12 s target`,
          (Math.min(one.wallMs.median, two.wallMs.median) * scale) / 12_000,
          { atMost: 1 },
        ),
      );
      ratios.push(
        ratio(`${c.name}: peak RSS / 400 MiB target`, Math.max(one.peakRssMiB.median, two.peakRssMiB.median) / 400, {
          atMost: 1,
        }),
      );
      // Every shape holds the same objects: the verdicts must not depend on how they are split into files.
      const first = rows.find((r): r is Row => !('skipped' in r) && r.name.startsWith(`synthetic ${ctx.objects},`));
      if (first && first !== one)
        ratios.push(
          ratio(
            `${c.name}: same verdict counts as ${first.name.replace(/, --workers \d+$/, '')} (1 = yes)`,
            JSON.stringify(first.details?.summary) === JSON.stringify(summary) ? 1 : 0,
            { atLeast: 1 },
          ),
        );
    }
  }
  return { rows, ratios };
}
