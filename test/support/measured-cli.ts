import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { CLI, ROOT, type CliResult } from './cli';

const MAX_RSS = path.join(ROOT, 'test', 'support', 'max-rss.cjs');

export interface MeasuredCliResult extends CliResult {
  /** The child's peak resident set size in MiB (all its threads), as getrusage reports it at exit. */
  maxRssMiB: number;
}

/** Runs the real CLI like runCli and measures its peak memory (test/support/max-rss.cjs). */
export function runCliMeasured(
  args: string[],
  opts: { stdin?: string; env?: NodeJS.ProcessEnv } = {},
): Promise<MeasuredCliResult> {
  const dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-rss-'));
  const out = path.join(dir, 'max-rss');
  return new Promise<MeasuredCliResult>((resolve, reject) => {
    const child = spawn(process.execPath, ['--require', MAX_RSS, CLI, ...args], {
      cwd: ROOT,
      env: { ...process.env, NO_COLOR: '1', ...opts.env, WASMPOLICY_TEST_MAX_RSS_FILE: out },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      let kib = Number.NaN;
      try {
        kib = Number(readFileSync(out, 'utf8'));
      } catch {
        // The child died without running its exit handlers (a V8 abort): NaN fails every bound.
      }
      resolve({ code: code ?? -1, stdout, stderr, maxRssMiB: kib / 1024 });
    });
    child.stdin.end(opts.stdin ?? '');
  }).finally(() => rmSync(dir, { recursive: true, force: true }));
}
