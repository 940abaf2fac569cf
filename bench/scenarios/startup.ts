// Start-up: `--help`, and `check` of one Deployment with the bundled set (the pre-commit case), for
// `node dist/kubectl-wasmpolicy.cjs` and, when built (`npm run package`), the single executable in dist/sea.
// `node -e 0` runs interleaved with them: the targets are ratios to it (the floor of any Node program moves
// with the machine's load, and with NODE_EXTRA_CA_CERTS, which Node 20 reads at start).
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

/** Target median wall time, as a multiple of `node -e 0`'s median in the same run: [runner, command] → ratio. */
const TARGET_RATIO: Record<string, number> = {
  'packaged --help': 1.05,
  'packaged check -f manifests/examples/api.yaml': 1.5,
  'node+bundle check -f manifests/examples/api.yaml': 2,
};
const FLOOR = { name: 'node -e 0', args: ['-e', '0'] } as const;

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
  const floor: Sample[] = [];
  const runFloor = async (): Promise<Sample> =>
    runChild({ cmd: process.execPath, args: [...FLOOR.args], cwd: ctx.root, okStatus: [0] });
  await runFloor();
  for (const c of COMMANDS) {
    const samples: Sample[][] = runners.map(() => []);
    const one = (i: number): Promise<Sample> =>
      runChild({ ...runners[i].spec(c.args), cwd: ctx.root, okStatus: c.okStatus });
    // One warm-up each (page cache), then interleaved so that a change in the machine's load hits all alike.
    for (let i = 0; i < runners.length; i++) await one(i);
    for (let k = 0; k < ctx.runs; k++) {
      floor.push(await runFloor());
      for (let i = 0; i < runners.length; i++) samples[i].push(await one(i));
    }
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
      const target = TARGET_RATIO[`${r.name} ${c.name}`];
      if (target !== undefined)
        ratios.push(
          ratio(`${r.name} ${c.name}: median / median of node -e 0`, row.wallMs.median / median(floor), {
            atMost: target,
          }),
        );
    });
    if (runners.length === 2) {
      ratios.push(ratio(`${c.name}: packaged / node+bundle`, median(samples[1]) / median(samples[0])));
    }
  }
  const floorRow: Row = {
    scenario: 'start-up',
    name: FLOOR.name,
    wallMs: stats(floor.map((s) => s.wallMs)),
    cpuMs: stats(floor.map((s) => s.cpuMs)),
    peakRssMiB: stats(floor.map((s) => s.peakRssBytes / 1048576)),
  };
  ctx.log(`start-up ${FLOOR.name}: median ${floorRow.wallMs.median.toFixed(0)} ms`);
  return { rows: [floorRow, ...rows], ratios };
}

const median = (s: Sample[]): number => stats(s.map((x) => x.wallMs)).median;
