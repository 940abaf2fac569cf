import { anyRuleMatches } from './admission/match';
import { postProcess } from './admission/postprocess';
import { buildAdmissionRequest, type RequestOptions } from './admission/request';
import { ResourceResolver, type ResolvedResource } from './admission/resources';
import { toAdmissionResponse, type EvaluatedResponse } from './admission/response';
import type { Logger } from './log';
import { loadManifests, type InputLimits, type KubeObject, type ManifestEntry, type ManifestObject } from './manifests';
import { loadPolicies, type LoadedPolicy } from './policy/load';
import type { PolicySpec } from './policy/spec';
import { summarize, type ObjectRef, type Report, type Result } from './report/result';

export interface CheckOptions {
  files: string[];
  recursive: boolean;
  policies: PolicySpec[];
  request: RequestOptions;
  limits?: InputLimits;
  log: Logger;
  stdin?: NodeJS.ReadableStream;
}

/** `check`: manifests → requests → evaluations → results. Throws PolicyLoadError when a policy cannot load. */
export async function runCheck(opts: CheckOptions): Promise<Report> {
  const policies = await loadPolicies(opts.policies, opts.log);
  const entries = await loadManifests(opts.files, { recursive: opts.recursive, limits: opts.limits, stdin: opts.stdin });
  const results = evaluateEntries(entries, policies, opts.request, opts.log);
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

/** Evaluates every object against every policy, in input order then policy order. */
export function evaluateEntries(entries: ManifestEntry[], policies: LoadedPolicy[], reqOpts: RequestOptions, log: Logger): Result[] {
  const resolver = new ResourceResolver();
  resolver.addCrds(entries.filter((e): e is ManifestObject => e.kind === 'object').map((e) => e.object));
  const guessedWarned = new Set<string>();
  const results: Result[] = [];
  for (const entry of entries) {
    if (entry.kind === 'error') {
      results.push({ source: entry.source, verdict: 'error', message: entry.message });
      continue;
    }
    if (entry.kind === 'skip') {
      results.push({ source: entry.source, verdict: 'skip', message: entry.reason });
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
    for (const policy of policies) {
      results.push(evaluateOne(entry, ref, res, synth, policy, reqOpts));
    }
  }
  return results;
}

function evaluateOne(
  entry: ManifestObject,
  ref: ObjectRef,
  res: ResolvedResource,
  synth: ReturnType<typeof buildAdmissionRequest>,
  policy: LoadedPolicy,
  reqOpts: RequestOptions,
): Result {
  const base = { source: entry.source, object: ref, policy: policy.spec.id };
  const target = { group: res.group, version: res.version, resource: res.resource, namespaced: res.namespaced, operation: reqOpts.operation };
  if (!anyRuleMatches(policy.metadata.rules, target)) {
    return { ...base, verdict: 'skip', message: 'the policy rules do not match this resource and operation' };
  }
  const outcome = policy.runtime.validate({ requestJson: synth.json, settingsJson: policy.settingsJson });
  if (!outcome.ok) return { ...base, verdict: 'error', message: outcome.message, code: outcome.code };
  const evaluated = toAdmissionResponse(synth.request, outcome);
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
