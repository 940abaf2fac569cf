// Start-up: `--help`, and `check` of one Deployment with the bundled set (the pre-commit case), for
// `node dist/kubectl-wasmpolicy.cjs` and, when built (`npm run package`), the single executable in dist/sea.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { runChild, stats, type ChildSpec, type Sample } from '../support/measure';
import { ratio, type BenchContext, type Ratio, type Row, type ScenarioResult, type Skipped } from '../support/types';

const COMMANDS = [
  { name: '--help', args: ['--help'], okStatus: [0] },
  {
    name: 'check -f manifests/examples/api.yaml',
    args: ['check', '-f', 'manifests/examples/api.yaml'],
    okStatus: [0, 1],
  },
] as const;

const TARGET_MS: Record<string, number> = { '--help': 150, 'check -f manifests/examples/api.yaml': 250 };

export function seaBinary(root: string): string {
  const host = `${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
  return path.join(
    root,
    'dist',
    'sea',
    host,
    process.platform === 'win32' ? 'kubectl-wasmpolicy.exe' : 'kubectl-wasmpolicy',
  );
}

export async function run(ctx: BenchContext): Promise<ScenarioResult> {
  const sea = seaBinary(ctx.root);
  const runners: { name: string; spec: (args: readonly string[]) => Pick<ChildSpec, 'cmd' | 'args'> }[] = [
    { name: 'node+bundle', spec: (args) => ({ cmd: process.execPath, args: [ctx.bundle, ...args] }) },
  ];
  const rows: (Row | Skipped)[] = [];
  if (existsSync(sea)) runners.push({ name: 'packaged', spec: (args) => ({ cmd: sea, args: [...args] }) });
  else
    for (const c of COMMANDS)
      rows.push({
        scenario: 'start-up',
        name: `packaged ${c.name}`,
        skipped: `not available: ${path.relative(ctx.root, sea)} is not built (npm run package)`,
      });
  const ratios: Ratio[] = [];
  for (const c of COMMANDS) {
    const samples: Sample[][] = runners.map(() => []);
    const one = (i: number): Promise<Sample> =>
      runChild({ ...runners[i].spec(c.args), cwd: ctx.root, okStatus: c.okStatus });
    // One warm-up each (page cache), then interleaved so that a change in the machine's load hits all alike.
    for (let i = 0; i < runners.length; i++) await one(i);
    for (let k = 0; k < ctx.runs; k++) for (let i = 0; i < runners.length; i++) samples[i].push(await one(i));
    runners.forEach((r, i) => {
      const row: Row = {
        scenario: 'start-up',
        name: `${r.name} ${c.name}`,
        wallMs: stats(samples[i].map((s) => s.wallMs)),
        cpuMs: stats(samples[i].map((s) => s.cpuMs)),
        peakRssMiB: stats(samples[i].map((s) => s.peakRssBytes / 1048576)),
      };
      rows.push(row);
      ctx.log(`start-up ${row.name}: median ${row.wallMs.median.toFixed(0)} ms`);
      // The targets are for the shipped binary (--help) and for whatever the user runs (check).
      const target = TARGET_MS[c.name];
      if (c.name !== '--help' || r.name === 'packaged')
        ratios.push(
          ratio(`${r.name} ${c.name}: median / ${target} ms target`, row.wallMs.median / target, { atMost: 1 }),
        );
    });
    if (runners.length === 2) {
      ratios.push(ratio(`${c.name}: packaged / node+bundle`, median(samples[1]) / median(samples[0])));
    }
  }
  return { rows, ratios };
}

const median = (s: Sample[]): number => stats(s.map((x) => x.wallMs)).median;
