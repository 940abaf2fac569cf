import type { RequestOptions } from '../admission/request';
import { RunCapabilities, type HostCapabilityOptions } from '../capabilities/run';
import { EvaluationStream } from '../evaluation/stream';
import type { Logger, LogLevel } from '../base/log';
import type { FetchOptions } from '../store/fetch';
import {
  DEFAULT_LIMITS,
  InputTexts,
  readManifests,
  rereader,
  streamManifests,
  type InputLimits,
  type ManifestEntry,
  type RenderSpec,
} from '../manifests';
import { startEngine } from '../evaluation/engine';
import type { PolicyEntry } from '../policy/spec';
import { unitSummary, type EvaluationUnit } from '../evaluation/units';
import { enrichReport } from '../report/enrich';
import { summarize, type Report, type Result } from '../evaluation/result';
import type { EvaluationLimits } from '../wasm/limits';
import { EvaluationPool } from '../wasm/pool/pool';

export interface CheckOptions {
  files: string[];
  recursive: boolean;
  /** Policies and policy groups, in the order results are wanted. */
  policies: PolicyEntry[];
  /** UPDATE: the stored objects (`--old`), matched to the new ones by apiVersion, kind, namespace and name. */
  oldFiles?: string[];
  request: RequestOptions;
  limits?: InputLimits;
  evaluationLimits?: EvaluationLimits;
  workers: number;
  log: Logger;
  logLevel?: LogLevel;
  fetch?: FetchOptions;
  stdin?: NodeJS.ReadableStream;
  /** `-k DIR` / `--helm CHART`: inputs rendered by kubectl kustomize / helm template, after the `-f` ones. */
  render?: RenderSpec[];
  /** Called as objects finish evaluating (done of total), e.g. for a progress spinner. */
  onProgress?: (done: number, total: number) => void;
  /** Host capabilities: the kubernetes source (default: the manifests given), record/replay (lib/capabilities/run.ts). */
  hostCapabilities?: HostCapabilityOptions;
  /** policy-server's always-accept namespace: requests in it are accepted without evaluation. */
  alwaysAcceptNamespace?: string;
}

/** `check`: manifests → requests → evaluations → results. Throws PolicyLoadError when a policy cannot load. */
export async function runCheck(opts: CheckOptions): Promise<Report> {
  // Policies load (compile, start in workers, validate settings) while the manifests are read.
  // Policy groups are loaded as their members; results come per unit (policy or group).
  const defaultNamespace = opts.request.defaultNamespace ?? 'default';
  const caps = new RunCapabilities(opts.hostCapabilities ?? {}, opts.fetch, opts.log);
  // A cluster or a recorded session answers at once; the run's own objects answer once all are read.
  if (!caps.worldFromManifests) caps.start([], defaultNamespace);
  // The first worker starts now, while policies compile and manifests are read.
  const engine = startEngine(opts.policies, caps, opts);
  const { loading, pool: early, workers } = engine;
  // Input texts, kept (large files: read again) for the reporters to locate fields in.
  const texts = new InputTexts((opts.limits ?? DEFAULT_LIMITS).maxInputBytes);
  // --old is read first: UPDATE matches every object to its stored one.
  const oldEntries = opts.oldFiles
    ? await readManifests(opts.oldFiles, { recursive: opts.recursive, limits: opts.limits, stdin: opts.stdin }).catch(
        async (err) => {
          await early.close();
          throw err;
        },
      )
    : undefined;
  // Objects are evaluated as their inputs are parsed, overlapping reading with evaluation.
  const stream = new EvaluationStream({
    request: opts.request,
    log: opts.log,
    workers,
    reread: rereader(texts, opts.limits ?? DEFAULT_LIMITS),
    ...(oldEntries ? { oldEntries } : {}),
    ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    ...(opts.alwaysAcceptNamespace !== undefined ? { alwaysAcceptNamespace: opts.alwaysAcceptNamespace } : {}),
  });
  const reading = (async () => {
    for await (const batch of streamManifests(opts.files, {
      recursive: opts.recursive,
      limits: opts.limits,
      stdin: opts.stdin,
      onText: (name, text, path) => texts.add(name, text, path),
      onFile: (name, path, digest) => texts.addFile(name, path, digest),
      onParserFailure: (m) => opts.log.warn(m),
      ...(opts.render ? { render: opts.render } : {}),
    })) {
      stream.add(batch);
      // A policy asking the host while it starts needs the whole input: stop waiting for evaluation then.
      await Promise.race([stream.room(), caps.wanted]);
    }
    // The objects of the run are the world the kubernetes capability sees (unless a source says otherwise).
    caps.start(
      stream.allEntries().flatMap((e) => (e.kind === 'object' ? [e.object] : [])),
      defaultNamespace,
    );
  })();
  // Evaluation starts as soon as the policies are ready, while the inputs are still being read.
  const starting = loading.then(({ policies, pool }) => {
    const units = engine.bind(policies);
    // Policies that may look up other objects of the run see all of them, so nothing is evaluated early.
    if (caps.worldFromManifests && policies.some((p) => p.callsHost)) stream.holdForCompleteInput();
    stream.start(units, pool);
    return { units, pool };
  });
  const [{ units, pool }] = await Promise.all([starting, reading]).catch(async (err) => {
    await early.close();
    throw err;
  });
  let results: Result[];
  try {
    results = await stream.finish();
  } finally {
    await pool.close();
  }
  await caps.finish();
  const entries = stream.allEntries();
  const objects = entries.filter((e) => e.kind === 'object').length;
  return enrichReport(
    {
      results,
      policies: units.map(unitSummary),
      summary: summarize(results, objects, units.length),
    },
    entries,
    texts,
    units,
  );
}

/** Evaluates every object against every policy; results come in input order then policy order. */
export async function evaluateEntries(
  entries: ManifestEntry[],
  units: EvaluationUnit[],
  pool: EvaluationPool,
  reqOpts: RequestOptions,
  log: Logger,
  workers = 4,
  /** UPDATE: the stored objects; an object without one gets an error result. */
  oldEntries?: ManifestEntry[],
  /** Called after each object is evaluated, with the count done and the number of objects. */
  onProgress?: (done: number, total: number) => void,
): Promise<Result[]> {
  const stream = new EvaluationStream({
    request: reqOpts,
    log,
    workers,
    ...(oldEntries ? { oldEntries } : {}),
    ...(onProgress ? { onProgress } : {}),
  });
  stream.add(entries);
  stream.start(units, pool);
  return stream.finish();
}
