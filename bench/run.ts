// `npm run bench`: start-up, throughput, audit and the bare-loop limit, each repeated; prints a table and writes
// bench/results/latest.json. Needs `npm run build` first (the script does it); `npm run package` adds the
// single executable to the start-up rows.
//   npm run bench -- [--quick] [--runs N] [--heavy-runs N] [--objects N] [--audit-objects N]
//                    [--only startup,throughput,admission-path,audit,limit] [--out FILE]
// --quick: 3 start-up runs, 1 heavy run, 5,000 synthetic objects, 2,000 audit objects.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { run as admissionPath } from './scenarios/admission-path';
import { run as audit } from './scenarios/audit';
import { run as limit } from './scenarios/limit';
import { run as startup } from './scenarios/startup';
import { run as throughput } from './scenarios/throughput';
import { isSkipped, type BenchContext, type Ratio, type Row, type Skipped } from './support/types';

const SCENARIOS = ['startup', 'throughput', 'admission-path', 'audit', 'limit'] as const;
type Scenario = (typeof SCENARIOS)[number];

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

interface Options {
  runs: number;
  heavyRuns: number;
  objects: number;
  auditObjects: number;
  only: Scenario[];
  out: string;
  /** Real-world manifests for the throughput scenario: the repository's curated corpus unless --corpus names another. */
  corpus: string;
}

function parseArgs(argv: string[]): Options {
  const o: Options = {
    runs: 11,
    heavyRuns: 3,
    objects: 50_000,
    auditObjects: 10_000,
    only: [...SCENARIOS],
    out: path.join(root, 'bench', 'results', 'latest.json'),
    corpus: path.join(root, 'test', 'fixtures', 'corpus'),
  };
  const count = (flag: string, v: string | undefined): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1)
      throw new Error(`${flag} needs a whole number of at least 1, got ${v ?? 'nothing'}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') Object.assign(o, { runs: 3, heavyRuns: 1, objects: 5_000, auditObjects: 2_000 });
    else if (a === '--runs') o.runs = count(a, argv[++i]);
    else if (a === '--heavy-runs') o.heavyRuns = count(a, argv[++i]);
    else if (a === '--objects') o.objects = count(a, argv[++i]);
    else if (a === '--audit-objects') o.auditObjects = count(a, argv[++i]);
    else if (a === '--out') o.out = path.resolve(argv[++i] ?? '');
    else if (a === '--corpus') o.corpus = path.resolve(argv[++i] ?? '');
    else if (a === '--only') {
      const names = (argv[++i] ?? '').split(',');
      const bad = names.filter((n) => !(SCENARIOS as readonly string[]).includes(n));
      if (bad.length > 0)
        throw new Error(`--only: unknown scenario ${bad.join(', ')} (known: ${SCENARIOS.join(', ')})`);
      o.only = names as Scenario[];
    } else throw new Error(`unknown argument ${a}`);
  }
  return o;
}

const fmtStats = (s: Row['wallMs'], unit: 'ms' | 's'): string => {
  const f = (v: number): string => (unit === 's' ? (v / 1000).toFixed(2) : v.toFixed(0));
  return `${f(s.median)} (${f(s.min)}-${f(s.max)}) ${unit}`;
};

function table(rows: (Row | Skipped)[], ratios: Ratio[]): string {
  const lines = [
    '| scenario | run | wall median (min-max) | CPU median | peak RSS median | runs |',
    '|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    if (isSkipped(r)) lines.push(`| ${r.scenario} | ${r.name} | ${r.skipped} | | | |`);
    else {
      const unit = r.wallMs.median >= 1000 ? 's' : 'ms';
      const cpu =
        r.cpuMs && !Number.isNaN(r.cpuMs.median)
          ? unit === 's'
            ? `${(r.cpuMs.median / 1000).toFixed(2)} s`
            : `${r.cpuMs.median.toFixed(0)} ms`
          : '';
      lines.push(
        `| ${r.scenario} | ${r.name} | ${fmtStats(r.wallMs, unit)} | ${cpu} | ${r.peakRssMiB.median.toFixed(0)} MiB | ${r.wallMs.runs} |`,
      );
    }
  }
  lines.push('', '| ratio | value | target | met |', '|---|---|---|---|');
  for (const r of ratios)
    lines.push(
      `| ${r.name} | ${r.value.toFixed(2)} | ${r.target ?? ''} | ${r.met === undefined ? '' : r.met ? 'yes' : 'NO'} |`,
    );
  return lines.join('\n');
}

const opts = parseArgs(process.argv.slice(2));
const bundle = path.join(root, 'dist', 'kubectl-wasmpolicy.cjs');
if (!existsSync(bundle)) throw new Error(`${bundle}: missing (npm run build)`);
const corpus = opts.corpus;
const ctx: BenchContext = {
  root,
  runs: opts.runs,
  heavyRuns: opts.heavyRuns,
  objects: opts.objects,
  auditObjects: opts.auditObjects,
  bundle,
  ...(existsSync(corpus) ? { corpus } : {}),
  log: (m) => process.stderr.write(`${m}\n`),
};
const started = new Date();
const load = os.loadavg();
const rows: (Row | Skipped)[] = [];
const ratios: Ratio[] = [];
for (const s of opts.only) {
  const r =
    s === 'startup'
      ? await startup(ctx)
      : s === 'throughput'
        ? await throughput(ctx)
        : s === 'admission-path'
          ? await admissionPath(ctx)
          : s === 'audit'
            ? await audit(ctx)
            : await limit(ctx, rows);
  rows.push(...r.rows);
  ratios.push(...r.ratios);
}
const result = {
  started: started.toISOString(),
  machine: {
    cpus: os.cpus().length,
    model: os.cpus()[0]?.model,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    loadAverageAtStart: load,
    loadAverageAtEnd: os.loadavg(),
  },
  options: opts,
  rows,
  ratios,
};
mkdirSync(path.dirname(opts.out), { recursive: true });
writeFileSync(opts.out, `${JSON.stringify(result, null, 2)}\n`);
process.stdout.write(
  `${table(rows, ratios)}\n\nload average ${load.map((l) => l.toFixed(2)).join(' ')} at start, ${os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} at end; ${path.relative(root, opts.out)} written\n`,
);
