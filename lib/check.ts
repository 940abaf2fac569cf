import { anyRuleMatches } from './admission/match';
import { postProcess } from './admission/postprocess';
import { buildAdmissionRequest, type RequestOptions } from './admission/request';
import { ResourceResolver } from './admission/resources';
import { toAdmissionResponse, type EvaluatedResponse } from './admission/response';
import type { Logger } from './log';
import { loadManifests, type InputLimits, type KubeObject, type ManifestEntry, type ManifestObject } from './manifests';
import { loadPolicies, type LoadedPolicy } from './policy/load';
import type { PolicySpec } from './policy/spec';
import { summarize, type ObjectRef, type Report, type Result } from './report/result';
import type { EvaluationLimits } from './wasm/limits';
import type { EvaluationPool } from './wasm/pool/pool';
import type { RuntimeOutcome } from './wasm/runtime';

export interface CheckOptions {
  files: string[];
  recursive: boolean;
  policies: PolicySpec[];
  request: RequestOptions;
  limits?: InputLimits;
  evaluationLimits?: EvaluationLimits;
  workers: number;
  log: Logger;
  debug?: boolean;
  stdin?: NodeJS.ReadableStream;
}

/** `check`: manifests → requests → evaluations → results. Throws PolicyLoadError when a policy cannot load. */
export async function runCheck(opts: CheckOptions): Promise<Report> {
  // Policies load (compile, start in workers, validate settings) while the manifests are read.
  const loading = loadPolicies(opts.policies, { log: opts.log, limits: opts.evaluationLimits, workers: opts.workers, debug: opts.debug });
  const reading = loadManifests(opts.files, { recursive: opts.recursive, limits: opts.limits, stdin: opts.stdin });
  const [{ policies, pool }, entries] = await Promise.all([loading, reading.catch(async (err) => {
    await loading.then((l) => l.pool.close(), () => undefined);
    throw err;
  })]);
  let results: Result[];
  try {
    results = await evaluateEntries(entries, policies, pool, opts.request, opts.log, opts.workers);
  } finally {
    await pool.close();
  }
  const objects = entries.filter((e) => e.kind === 'object').length;
  return {
    results,
    policies: policies.map((p) => ({
      id: p.spec.id,
      module: p.spec.module,
      ...(p.metadata.annotations['io.kubewarden.policy.title'] ? { title: p.metadata.annotations['io.kubewarden.policy.title'] } : {}),
      mode: p.spec.mode,
      mutating: p.metadata.mutating,
      sha256: p.sha256,
    })),
    summary: summarize(results, objects, policies.length),
  };
}

/** How many objects may be in the pool at once: enough to keep every worker busy, few enough to bound memory. */
const IN_FLIGHT_PER_WORKER = 8;

/** Evaluates every object against every policy; results come in input order then policy order. */
export async function evaluateEntries(
  entries: ManifestEntry[],
  policies: LoadedPolicy[],
  pool: EvaluationPool,
  reqOpts: RequestOptions,
  log: Logger,
  workers = 4,
): Promise<Result[]> {
  const resolver = new ResourceResolver();
  resolver.addCrds(entries.filter((e): e is ManifestObject => e.kind === 'object').map((e) => e.object));
  const guessedWarned = new Set<string>();
  const perEntry: Result[][] = new Array(entries.length);
  const inFlight = new Set<Promise<void>>();
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
    const synth = buildAdmissionRequest(obj, res, reqOpts);
    const ref = objectRef(obj, synth.request.namespace);
    const target = { group: res.group, version: res.version, resource: res.resource, namespaced: res.namespaced, operation: reqOpts.operation };
    const matching = policies.filter((p) => anyRuleMatches(p.metadata.rules, target));
    const job = pool.evaluate(synth.json, matching.map((p) => p.index)).then((outcomes) => {
      perEntry[i] = policies.map((policy) => {
        const base = { source: entry.source, object: ref, policy: policy.spec.id };
        const at = matching.indexOf(policy);
        if (at < 0) return { ...base, verdict: 'skip', message: 'the policy rules do not match this resource and operation' };
        return resultOf(base, synth.request, policy, outcomes[at]);
      });
    });
    const tracked = job.finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
    if (inFlight.size >= workers * IN_FLIGHT_PER_WORKER) await Promise.race(inFlight);
  }
  await Promise.all(inFlight);
  return perEntry.flat();
}

function resultOf(
  base: Pick<Result, 'source' | 'object' | 'policy'>,
  request: ReturnType<typeof buildAdmissionRequest>['request'],
  policy: LoadedPolicy,
  outcome: RuntimeOutcome,
): Result {
  if (!outcome.ok) return { ...base, verdict: 'error', message: outcome.message, code: outcome.code };
  const evaluated = toAdmissionResponse(request, outcome);
  const final = postProcess(evaluated, {
    policyId: policy.spec.id,
    mode: policy.spec.mode,
    allowedToMutate: policy.allowedToMutate,
    ...(policy.spec.message !== undefined ? { message: policy.spec.message } : {}),
  });
  return toResult(base, final, final.monitored);
}

function toResult(base: Pick<Result, 'source' | 'object' | 'policy'>, ev: EvaluatedResponse, monitored?: EvaluatedResponse): Result {
  const r = ev.response;
  const warnings = r.warnings;
  const causes = r.status?.details?.causes?.map((c) => c.message ?? '').filter((m) => m !== '');
  const out: Result = { ...base, verdict: 'pass' };
  if (monitored && !monitored.response.allowed) {
    out.verdict = 'warn';
    out.message = `monitor mode: would be rejected: ${monitored.response.status?.message ?? ''}`.trimEnd();
    if (monitored.patch) out.patch = monitored.patch;
  } else if (!r.allowed) {
    out.verdict = 'fail';
    if (r.status?.message !== undefined) out.message = r.status.message;
    if (r.status?.code !== undefined) out.code = r.status.code;
  } else {
    if (ev.patch) out.patch = ev.patch;
    if (warnings && warnings.length > 0) out.verdict = 'warn';
    if (r.status?.message) out.message = r.status.message;
  }
  if (warnings && warnings.length > 0) out.warnings = warnings;
  if (causes && causes.length > 0) out.causes = causes;
  return out;
}

function objectRef(obj: KubeObject, namespace: string | undefined): ObjectRef {
  const ref: ObjectRef = { apiVersion: obj.apiVersion, kind: obj.kind };
  const name = obj.metadata?.name ?? obj.metadata?.generateName;
  if (typeof name === 'string') ref.name = name;
  if (namespace !== undefined) ref.namespace = namespace;
  return ref;
}
