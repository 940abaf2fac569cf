// Audit: `audit -A` over objects served by the test API server (test/servers/apiserver). Both are built on other
// branches; until they are merged this scenario reports "not available" instead of failing the bench.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { entriesFromText, DEFAULT_LIMITS, type KubeObject } from '../../lib/manifests';
import { runChild, stats, type Sample } from '../support/measure';
import { syntheticFile } from '../support/synthetic';
import type { BenchContext, Row, ScenarioResult, Skipped } from '../support/types';

/** What the bench uses of test/servers/apiserver/index.ts. */
interface ApiServer {
  kubeconfig(dir: string): string;
  close(): Promise<void>;
}
interface ApiServerModule {
  startApiServer(opts: { objects?: KubeObject[]; crds?: KubeObject[] }): Promise<ApiServer>;
  reportCrds(): KubeObject[];
}

const OBJECTS_PER_FILE = 50;

function objects(count: number): KubeObject[] {
  const out: KubeObject[] = [];
  for (let f = 0; f * OBJECTS_PER_FILE < count; f++) {
    for (const e of entriesFromText(`synthetic-${f}.yaml`, syntheticFile(f, count), DEFAULT_LIMITS))
      if (e.kind === 'object') out.push(e.object);
  }
  return out;
}

/** Why the scenario cannot run here, or undefined. */
function unavailable(ctx: BenchContext): string | undefined {
  if (!existsSync(path.join(ctx.root, 'test', 'servers', 'apiserver', 'index.ts')))
    return 'not available: test/servers/apiserver/index.ts does not exist on this branch';
  if (!existsSync(path.join(ctx.root, 'cmd', 'audit.ts')))
    return 'not available: the audit command (cmd/audit.ts) does not exist on this branch';
  return undefined;
}

export async function run(ctx: BenchContext): Promise<ScenarioResult> {
  const name = `audit -A, ${ctx.auditObjects} objects from the test API server`;
  const why = unavailable(ctx);
  if (why) return { rows: [{ scenario: 'audit', name, skipped: why } satisfies Skipped], ratios: [] };
  const mod = (await import(
    pathToFileURL(path.join(ctx.root, 'test', 'servers', 'apiserver', 'index.ts')).href
  )) as Partial<ApiServerModule>;
  if (typeof mod.startApiServer !== 'function') {
    return {
      rows: [
        {
          scenario: 'audit',
          name,
          skipped: 'not available: test/servers/apiserver/index.ts exports no startApiServer',
        },
      ],
      ratios: [],
    };
  }
  const all = objects(ctx.auditObjects);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kwp-bench-audit-'));
  const audit = (api: ApiServer, extra: string[]): Promise<Sample> =>
    runChild({
      cmd: process.execPath,
      args: [ctx.bundle, 'audit', '-A', '-o', 'json', ...extra],
      cwd: ctx.root,
      env: { ...process.env, KUBECONFIG: api.kubeconfig(dir) },
      okStatus: [0, 1],
    });
  const rows: Row[] = [];
  const row = (label: string, samples: Sample[]): void => {
    const r: Row = {
      scenario: 'audit',
      name: label,
      wallMs: stats(samples.map((s) => s.wallMs)),
      cpuMs: stats(samples.map((s) => s.cpuMs)),
      peakRssMiB: stats(samples.map((s) => s.peakRssBytes / 1048576)),
    };
    rows.push(r);
    ctx.log(`${label}: median ${(r.wallMs.median / 1000).toFixed(2)} s`);
  };
  try {
    const api = await mod.startApiServer({ objects: all });
    try {
      const samples: Sample[] = [];
      for (let k = 0; k < ctx.heavyRuns; k++) samples.push(await audit(api, []));
      row(name, samples);
    } finally {
      await api.close();
    }
    // --apply-reports: one report per audited object, written to a server that has none (created) and again to the
    // same server (each one replaced), as audit-scanner's next run does.
    if (typeof mod.reportCrds === 'function') {
      const created: Sample[] = [];
      const replaced: Sample[] = [];
      for (let k = 0; k < ctx.heavyRuns; k++) {
        const withReports = await mod.startApiServer({ objects: all, crds: mod.reportCrds() });
        try {
          created.push(await audit(withReports, ['--apply-reports']));
          replaced.push(await audit(withReports, ['--apply-reports']));
        } finally {
          await withReports.close();
        }
      }
      row(`audit -A --apply-reports, ${ctx.auditObjects} objects, reports created`, created);
      row(`audit -A --apply-reports, ${ctx.auditObjects} objects, reports replaced`, replaced);
    }
    return { rows, ratios: [] };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
