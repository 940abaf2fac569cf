// Start-up time of the single executable (npm run package) against `node dist/kubectl-wasmpolicy.cjs`:
// the median of `--help` and of `check -f manifests/examples/api.yaml` (bundled policies) over N runs, in wall
// time and, where /usr/bin/time exists, in CPU time (user + sys, which a busy machine disturbs less).
// Not a test: `npm run package -- --targets linux-x64 && node bench/startup.mjs [--runs 21] [--binary PATH]... [--node PATH]...`
// (--binary: more single executables to compare; --node: more Node.js binaries to run the bundle with.)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const host = `${process.platform === 'win32' ? 'win' : process.platform}-${process.arch}`;
const args = process.argv.slice(2);
let runs = 21;
const binaries = [
  path.join(root, 'dist', 'sea', host, process.platform === 'win32' ? 'kubectl-wasmpolicy.exe' : 'kubectl-wasmpolicy'),
];
const nodes = [process.execPath];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--runs') runs = Number(args[++i]);
  else if (args[i] === '--binary') binaries.push(path.resolve(args[++i]));
  else if (args[i] === '--node') nodes.push(path.resolve(args[++i]));
  else throw new Error(`unknown argument ${args[i]}`);
}

const bundle = path.join(root, 'dist', 'kubectl-wasmpolicy.cjs');
const nodeVersion = (n) => spawnSync(n, ['--version'], { encoding: 'utf8' }).stdout.trim();
const runners = nodes.map((n) => ({
  name: `${n === process.execPath ? 'node' : path.relative(root, n)} dist/kubectl-wasmpolicy.cjs (${nodeVersion(n)})`,
  cmd: n,
  pre: [bundle],
}));
for (const b of binaries) {
  if (!existsSync(b)) throw new Error(`${b}: missing (npm run package -- --targets ${host})`);
  runners.push({ name: `${path.relative(root, b)} (${(statSync(b).size / 1048576).toFixed(1)} MiB)`, cmd: b, pre: [] });
}
const commands = [
  { name: '--help', args: ['--help'], status: 0 },
  { name: 'check -f manifests/examples/api.yaml', args: ['check', '-f', 'manifests/examples/api.yaml'], status: 0 },
];

const env = { ...process.env };
for (const k of ['NODE_OPTIONS', 'NODE_V8_COVERAGE']) delete env[k];
const timeBin = process.platform === 'linux' && existsSync('/usr/bin/time') ? '/usr/bin/time' : null;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'kwp-bench-'));
const cpuFile = path.join(tmp, 'cpu');

function measure(runner, command) {
  const argv = [...runner.pre, ...command.args];
  const t0 = process.hrtime.bigint();
  const r = timeBin
    ? spawnSync(timeBin, ['-f', '%U %S', '-o', cpuFile, runner.cmd, ...argv], {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      })
    : spawnSync(runner.cmd, argv, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== command.status) throw new Error(`${runner.name} ${command.name}: exit ${r.status}\n${r.stderr}`);
  const cpu = timeBin
    ? readFileSync(cpuFile, 'utf8')
        .trim()
        .split(/\s+/)
        .slice(-2)
        .reduce((a, b) => a + Number(b) * 1000, 0)
    : NaN;
  return { wall, cpu };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
console.log(
  `${runs} runs each, interleaved, after 2 warm-up runs; load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} CPUs`,
);
console.log(`median wall ms${timeBin ? ' | median CPU ms (user+sys)' : ''}`);
for (const command of commands) {
  console.log(`\n${command.name}`);
  for (const runner of runners) for (let i = 0; i < 2; i++) measure(runner, command);
  const samples = runners.map(() => []);
  // Interleaved, so that a change in the machine's load hits every runner alike.
  for (let i = 0; i < runs; i++) runners.forEach((runner, r) => samples[r].push(measure(runner, command)));
  runners.forEach((runner, r) => {
    const wall = median(samples[r].map((s) => s.wall))
      .toFixed(0)
      .padStart(6);
    const cpu = timeBin
      ? ` | ${median(samples[r].map((s) => s.cpu))
          .toFixed(0)
          .padStart(5)}`
      : '';
    console.log(`  ${wall}${cpu}  ${runner.name}`);
  });
}
rmSync(tmp, { recursive: true, force: true });
