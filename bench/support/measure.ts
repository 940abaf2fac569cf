import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

/** One run of a child process: wall time from spawn to exit, and its peak resident set size. */
export interface Sample {
  wallMs: number;
  /** Peak RSS of the child (GNU time's "Maximum resident set size"), bytes; NaN when unknown. */
  peakRssBytes: number;
  /** User + system CPU time of the child, ms (less disturbed by a busy machine than wall time); NaN when unknown. */
  cpuMs: number;
  status: number | null;
  stdout: string;
  stderr: string;
}

export interface Stats {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export interface ChildSpec {
  cmd: string;
  args: string[];
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Exit codes that count as a successful run (check exits 1 when something is rejected). */
  okStatus?: readonly number[];
}

const TIME = '/usr/bin/time';

/** Runs the child under GNU time -v (for peak RSS) when it exists; stdout and stderr are collected. */
export async function runChild(spec: ChildSpec): Promise<Sample> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kwp-bench-time-'));
  const timeFile = path.join(dir, 'time');
  const viaTime = existsSync(TIME);
  const [cmd, args] = viaTime ? [TIME, ['-v', '-o', timeFile, spec.cmd, ...spec.args]] : [spec.cmd, spec.args];
  const env = { ...(spec.env ?? process.env) };
  // The bench's own loader and coverage settings must not reach the measured process.
  delete env.NODE_OPTIONS;
  delete env.NODE_V8_COVERAGE;
  try {
    const t0 = process.hrtime.bigint();
    const { status, stdout, stderr } = await new Promise<{ status: number | null; stdout: string; stderr: string }>(
      (resolve, reject) => {
        const child = spawn(cmd, args, { cwd: spec.cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on('data', (b: Buffer) => out.push(b));
        child.stderr.on('data', (b: Buffer) => err.push(b));
        child.on('error', reject);
        child.on('close', (code) =>
          resolve({
            status: code,
            stdout: Buffer.concat(out).toString('utf8'),
            stderr: Buffer.concat(err).toString('utf8'),
          }),
        );
      },
    );
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const ok = spec.okStatus ?? [0];
    if (status === null || !ok.includes(status)) {
      throw new Error(`${spec.cmd} ${spec.args.join(' ')}: exit ${status}\n${stderr.slice(-2000)}`);
    }
    const report = viaTime ? readFileSync(timeFile, 'utf8') : '';
    return {
      wallMs,
      peakRssBytes: viaTime ? peakRss(report) : NaN,
      cpuMs: viaTime ? cpuTime(report) : NaN,
      status,
      stdout,
      stderr,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function peakRss(timeReport: string): number {
  const m = /Maximum resident set size \(kbytes\): (\d+)/.exec(timeReport);
  return m ? Number(m[1]) * 1024 : NaN;
}

function cpuTime(timeReport: string): number {
  const user = /User time \(seconds\): ([\d.]+)/.exec(timeReport);
  const sys = /System time \(seconds\): ([\d.]+)/.exec(timeReport);
  return user && sys ? (Number(user[1]) + Number(sys[1])) * 1000 : NaN;
}

export function stats(values: readonly number[]): Stats {
  const s = [...values].sort((a, b) => a - b);
  const n = s.length;
  const median = n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { median, min: s[0] ?? NaN, max: s[n - 1] ?? NaN, runs: n };
}
