import type { Stats } from './measure';

/** Settings shared by every scenario (bench/run.ts parses them from the command line). */
export interface BenchContext {
  root: string;
  /** Repetitions of the fast scenarios (start-up). */
  runs: number;
  /** Repetitions of the long ones (throughput, audit, limit). */
  heavyRuns: number;
  /** Objects in the synthetic corpus. */
  objects: number;
  /** Objects the test API server serves to audit. */
  auditObjects: number;
  /** The CLI bundle (dist/kubectl-wasmpolicy.cjs). */
  bundle: string;
  /** A real-world corpus (test/fixtures/corpus unless --corpus names another), when present. */
  corpus?: string;
  log(message: string): void;
}

/** A measured row: one command, repeated. */
export interface Row {
  scenario: string;
  name: string;
  wallMs: Stats;
  /** User + system CPU of the process (all threads). */
  cpuMs?: Stats;
  peakRssMiB: Stats;
  /** Anything worth keeping with the numbers: evaluation counts, summaries. */
  details?: Record<string, unknown>;
}

/** A row that could not be measured here, and why. */
export interface Skipped {
  scenario: string;
  name: string;
  skipped: string;
}

/** A ratio between two rows' medians, with the target it is held to. */
export interface Ratio {
  name: string;
  value: number;
  /** e.g. `>= 1.7`. */
  target?: string;
  met?: boolean;
}

export interface ScenarioResult {
  rows: (Row | Skipped)[];
  ratios: Ratio[];
}

export const isSkipped = (r: Row | Skipped): r is Skipped => 'skipped' in r;

export function ratio(name: string, value: number, target?: { atLeast?: number; atMost?: number }): Ratio {
  const r: Ratio = { name, value };
  if (target?.atLeast !== undefined) {
    r.target = `>= ${target.atLeast}`;
    r.met = value >= target.atLeast;
  } else if (target?.atMost !== undefined) {
    r.target = `<= ${target.atMost}`;
    r.met = value <= target.atMost;
  }
  return r;
}
