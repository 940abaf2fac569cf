import { BUILTIN_RESOURCES } from './admission/builtin-resources';
import { RunCapabilities, type HostCapabilityOptions } from './capabilities/run';
import { EquivalentIndex } from './admission/match';
import { buildOperationRequest, objectKey } from './admission/operation';
import type { RequestOptions } from './admission/request';
import { ResourceResolver } from './admission/resources';
import type { Logger, LogLevel } from './log';
import type { FetchOptions } from './store/fetch';
import { loadManifests, type InputLimits, type KubeObject, type ManifestEntry, type ManifestObject, type RenderSpec } from './manifests';
import { loadPolicies, poolOptions } from './policy/load';
import type { PolicyEntry } from './policy/spec';
import { bindUnits, evaluateObject, NamespaceIndex, planUnits, unitSummary, type EvaluationUnit } from './policy/units';
import { enrichReport } from './report/enrich';
import { summarize, type ObjectRef, type Report, type Result } from './report/result';
import { DEFAULT_EVALUATION_LIMITS, type EvaluationLimits } from './wasm/limits';
import { EvaluationPool } from './wasm/pool/pool';

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
}

/** `check`: manifests → requests → evaluations → results. Throws PolicyLoadError when a policy cannot load. */
export async function runCheck(opts: CheckOptions): Promise<Report> {
  // Policies load (compile, start in workers, validate settings) while the manifests are read.
  // Policy groups are loaded as their members; results come per unit (policy or group).
  const { specs, plans } = planUnits(opts.policies);
  const caps = new RunCapabilities(opts.hostCapabilities ?? {}, opts.fetch, opts.log);
  const workers = caps.sequential ? 1 : opts.workers;
  const loadOpts = { log: opts.log, limits: opts.evaluationLimits, workers, logLevel: opts.logLevel, hostCalls: caps.hostCalls, ...(opts.fetch ? { fetch: opts.fetch } : {}) };
  // The first worker starts now, while policies compile and manifests are read.
  const early = new EvaluationPool(undefined, poolOptions(loadOpts, specs.length));
  const loading = loadPolicies(specs, { ...loadOpts, pool: early }).catch(async (err) => {
    await early.close();
    throw err;
  });
  // Input texts, kept for the reporters to locate fields in.
  const texts = new Map<string, string>();
  const reading = Promise.all([
    loadManifests(opts.files, { recursive: opts.recursive, limits: opts.limits, stdin: opts.stdin, onText: (name, text) => texts.set(name, text), ...(opts.render ? { render: opts.render } : {}) }),
    opts.oldFiles ? loadManifests(opts.oldFiles, { recursive: opts.recursive, limits: opts.limits, stdin: opts.stdin }) : Promise.resolve([]),
  ]);
  // The objects of the run are the world the kubernetes capability sees (unless a source says otherwise). It is
  // ready as soon as they are read: a policy may call the host while it starts or validates its settings.
  void reading.then(([read]) => caps.start(read.filter((e): e is ManifestObject => e.kind === 'object').map((e) => e.object), opts.request.defaultNamespace ?? 'default'), () => undefined);
  const [{ policies, pool }, [entries, oldEntries]] = await Promise.all([loading, reading.catch(async (err) => {
    await early.close();
    throw err;
  })]);
  const units = bindUnits(plans, policies, (opts.evaluationLimits ?? DEFAULT_EVALUATION_LIMITS).timeoutMs);
  let results: Result[];
  try {
    results = await evaluateEntries(entries, units, pool, opts.request, opts.log, workers, opts.oldFiles ? oldEntries : undefined, opts.onProgress);
  } finally {
    await pool.close();
  }
  await caps.finish();
  const objects = entries.filter((e) => e.kind === 'object').length;
  return enrichReport({
    results,
    policies: units.map(unitSummary),
    summary: summarize(results, objects, units.length),
  }, entries, texts, units);
}

/** How many objects may be in the pool at once: enough to keep every worker busy, few enough to bound memory. */
const IN_FLIGHT_PER_WORKER = 8;

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
  const resolver = new ResourceResolver();
  const objects = entries.filter((e): e is ManifestObject => e.kind === 'object').map((e) => e.object);
  const oldObjects = (oldEntries ?? []).filter((e): e is ManifestObject => e.kind === 'object').map((e) => e.object);
  resolver.addCrds([...objects, ...oldObjects]);
  const equivalents = new EquivalentIndex(BUILTIN_RESOURCES, [...objects, ...oldObjects]);
  const namespaces = new NamespaceIndex(objects, oldObjects);
  const olds = new Map<string, KubeObject>();
  for (const o of oldObjects) olds.set(objectKey(o, resolver.resolve(o.apiVersion, o.kind), reqOpts.defaultNamespace), o);
  const failedOpen = new Set<string>();
  const onFailOpen = (m: string): void => {
    if (!failedOpen.has(m)) {
      failedOpen.add(m);
      log.warn(m);
    }
  };
  // --old errors are reported like input errors, first.
  const oldProblems: Result[] = (oldEntries ?? []).filter((e) => e.kind === 'error').map((e) => ({ source: e.source, verdict: 'error' as const, message: (e as { message: string }).message }));
  const guessedWarned = new Set<string>();
  const perEntry: Result[][] = new Array(entries.length);
  const inFlight = new Set<Promise<void>>();
  let done = 0;
  onProgress?.(0, objects.length);
  for (let i = 0; i < entries.length; i++) {
    const entry = entries[i];
    if (entry.kind === 'error') {
      perEntry[i] = [{ source: entry.source, verdict: 'error', message: entry.message }];
      continue;
    }
    if (entry.kind === 'skip') {
      perEntry[i] = [{ source: entry.source, verdict: 'skip', message: entry.reason }];
      continue;
    }
    const obj = entry.object;
    const res = resolver.resolve(obj.apiVersion, obj.kind);
    if (res.origin === 'guessed') {
      const key = `${obj.apiVersion}/${obj.kind}`;
      if (!guessedWarned.has(key)) {
        guessedWarned.add(key);
        log.warn(`${entry.source.file}:${entry.source.line}: unknown kind ${obj.kind} (${obj.apiVersion}): assuming resource "${res.resource}", namespaced; include its CustomResourceDefinition in the input to resolve it`);
      }
    }
    let old: KubeObject | undefined;
    if (oldEntries && reqOpts.operation === 'UPDATE') {
      old = olds.get(objectKey(obj, res, reqOpts.defaultNamespace));
      if (!old) {
        const ref = objectRef(obj, undefined);
        perEntry[i] = [{ source: entry.source, object: ref, verdict: 'error', message: `--operation UPDATE: no object with the same apiVersion, kind, namespace and name in --old` }];
        continue;
      }
    }
    const synth = buildOperationRequest(obj, res, reqOpts, old);
    const ref = objectRef(obj, synth.request.namespace);
    const job = evaluateObject(units, pool, {
      source: entry.source,
      ref,
      synth,
      namespaced: res.namespaced,
      namespaces,
      equivalents: () => equivalents.equivalents(res.group, res.resource),
      onFailOpen,
    }).then((results) => {
      perEntry[i] = results;
      onProgress?.(++done, objects.length);
    });
    const tracked = job.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= workers * IN_FLIGHT_PER_WORKER) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return [...oldProblems, ...perEntry.flat()];
}

function objectRef(obj: KubeObject, namespace: string | undefined): ObjectRef {
  const ref: ObjectRef = { apiVersion: obj.apiVersion, kind: obj.kind };
  const name = obj.metadata?.name ?? obj.metadata?.generateName;
  if (typeof name === 'string') ref.name = name;
  if (namespace !== undefined) ref.namespace = namespace;
  return ref;
}
