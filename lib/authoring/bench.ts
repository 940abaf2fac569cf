import { performance } from 'node:perf_hooks';
import { anyRuleMatches } from '../admission/match';
import { buildAdmissionRequest, type RequestOptions } from '../admission/request';
import type { HostCapabilityOptions } from '../capabilities/run';
import type { EvaluationUnit } from '../evaluation/units';
import type { Operation } from '../kube/admission-review';
import type { ResourceNames } from '../kube/resource-type';
import type { Logger, LogLevel } from '../base/log';
import { ResourceResolver } from '../kube/resource-resolver';
import { DEFAULT_LIMITS, readManifests, type InputLimits } from '../manifests';
import type { PolicyEntry } from '../policy/spec';
import type { FetchOptions } from '../store/fetch';
import type { EvaluationLimits } from '../wasm/limits';
import { evaluateDirect, isRawUnit, startDirect } from './direct';
import { parseRunRequest, type RunRequest } from './run-request';

export interface BenchOptions {
  policies: PolicyEntry[];
  /** kwctl style: the text of `-r` (an AdmissionReview or AdmissionRequest). */
  requestText?: string;
  requestSource?: string;
  raw?: boolean;
  /** check style: manifests, each object one request (the ones a policy's rules select). */
  files?: string[];
  request?: RequestOptions;
  /** Evaluations measured per policy and request; `warmup` more are run first and not counted. */
  iterations: number;
  warmup: number;
  /** Stop measuring a policy after this long (kwctl's --measurement-time), even before `iterations`. */
  maxMeasureMs?: number;
  log: Logger;
  logLevel?: LogLevel;
  limits?: EvaluationLimits;
  inputLimits?: InputLimits;
  fetch?: FetchOptions;
  hostCapabilities?: HostCapabilityOptions;
}

/** Milliseconds. */
export interface Distribution {
  count: number;
  min: number;
  median: number;
  p99: number;
  max: number;
  mean: number;
}

export interface PolicyBench {
  policy: string;
  module: string;
  /** Fetch, compile, start in a worker and validate the settings, as a policy-server start-up does, in ms. */
  startMs: number;
  /** Requests the policy evaluated (those its rules select, with manifests). */
  requests: number;
  evaluation?: Distribution;
}

/**
 * `bench`: per policy, the time to start it and the distribution of one evaluation's time (min, median, p99), as
 * `kwctl bench` measures validate (kubewarden/kwctl src/cli/command/bench.rs). Policies start one at a time so
 * their start-ups do not overlap; an evaluation is timed from the request sent to the worker to its response.
 */
export async function runBench(opts: BenchOptions): Promise<PolicyBench[]> {
  const manifests = opts.files
    ? await manifestRequests(opts.files, opts.request!, opts.inputLimits ?? DEFAULT_LIMITS)
    : undefined;
  const out: PolicyBench[] = [];
  for (const entry of opts.policies) {
    const t0 = performance.now();
    // In a worker, as every evaluation it times: the main thread would time some (the first 100 ms) differently.
    const direct = await startDirect([entry], { ...opts, inline: false });
    const startMs = performance.now() - t0;
    try {
      const unit = direct.units[0];
      const requests = manifests
        ? manifests.filter((m) => selects(unit, m)).map((m) => m.req)
        : [parseRunRequest(opts.requestText ?? '', opts.requestSource ?? '-r', Boolean(opts.raw) || isRawUnit(unit))];
      const samples: number[] = [];
      for (const req of requests) for (let i = 0; i < opts.warmup; i++) await evaluateDirect(unit, direct.pool, req);
      const began = performance.now();
      outer: for (let i = 0; i < opts.iterations; i++) {
        for (const req of requests) {
          const s = performance.now();
          await evaluateDirect(unit, direct.pool, req);
          samples.push(performance.now() - s);
          if (opts.maxMeasureMs !== undefined && performance.now() - began > opts.maxMeasureMs) break outer;
        }
      }
      out.push({
        policy: unit.id,
        module: unit.kind === 'single' ? unit.policy.spec.module : `group(${unit.spec.expression})`,
        startMs,
        requests: requests.length,
        ...(samples.length > 0 ? { evaluation: distribution(samples) } : {}),
      });
    } finally {
      await direct.close();
    }
  }
  return out;
}

/** Nearest-rank percentiles of the samples. */
export function distribution(samples: readonly number[]): Distribution {
  const s = [...samples].sort((a, b) => a - b);
  const rank = (p: number): number => s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
  return {
    count: s.length,
    min: s[0],
    median: rank(50),
    p99: rank(99),
    max: s[s.length - 1],
    mean: s.reduce((a, b) => a + b, 0) / s.length,
  };
}

interface ManifestRequest {
  req: RunRequest;
  target: ResourceNames & { operation: Operation };
}

async function manifestRequests(
  files: string[],
  request: RequestOptions,
  limits: InputLimits,
): Promise<ManifestRequest[]> {
  const entries = await readManifests(files, { recursive: true, limits });
  const resolver = new ResourceResolver();
  const objects = entries.flatMap((e) => (e.kind === 'object' ? [e.object] : []));
  resolver.addCrds(objects.filter((o) => o.kind === 'CustomResourceDefinition'));
  return objects.map((o) => {
    const res = resolver.resolve(o.apiVersion, o.kind);
    const synth = buildAdmissionRequest(o, res, request);
    return {
      req: { request: synth.request, json: synth.json },
      target: {
        group: res.group,
        version: res.version,
        resource: res.resource,
        namespaced: res.namespaced,
        operation: request.operation,
      },
    };
  });
}

function selects(unit: EvaluationUnit, m: ManifestRequest): boolean {
  const rules = unit.kind === 'single' ? unit.policy.metadata.rules : unit.members.flatMap((p) => p.metadata.rules);
  return anyRuleMatches(rules, m.target);
}
