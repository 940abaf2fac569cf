// The limit: the bundled policies evaluated on the requests of a corpus by a bare loop on one thread. Requests
// are the ones `check` sends (after the API-server stage: what validating policies receive), built and
// serialised once, and modules instantiated once, before the clock starts; no worker, no selection beyond the
// policies' own rules, no post-processing, no report. Prints one JSON line.
// Run: node --import tsx bench/bare-loop.ts DIR [--repeat N]
import { performance } from 'node:perf_hooks';
import { anyRuleMatches } from '../lib/admission/match';
import { buildOperationRequest } from '../lib/admission/operation';
import { DEFAULT_USER, type RequestOptions } from '../lib/admission/request';
import type { JsonObject } from '../lib/apiserver/context';
import { stageOptionsFor } from '../lib/apiserver/options';
import { apiServerStage } from '../lib/apiserver/stage';
import { DEFAULT_KUBERNETES_VERSION } from '../lib/kube/served-versions';
import type { KubeObject } from '../lib/manifests';
import { ResourceResolver } from '../lib/kube/resource-resolver';
import { createLogger } from '../lib/base/log';
import { readManifests, type ManifestObject } from '../lib/manifests';
import { bundledPolicySet } from '../lib/policy/bundled';
import { fetchPolicy } from '../lib/store/fetch';
import { createRuntime } from '../lib/wasm/create-runtime';
import { DEFAULT_EVALUATION_LIMITS } from '../lib/wasm/limits';
import { compilePolicy, resolveExecutionMode } from '../lib/wasm/compile';
import type { PolicyRuntime } from '../lib/wasm/runtime';

interface Policy {
  id: string;
  runtime: PolicyRuntime;
  settingsJson: string;
  rules: Parameters<typeof anyRuleMatches>[0];
}

const [dir, ...rest] = process.argv.slice(2);
if (!dir) throw new Error('usage: bare-loop.ts DIR [--repeat N]');
const repeatAt = rest.indexOf('--repeat');
const repeat = repeatAt >= 0 ? Number(rest[repeatAt + 1]) : 1;
const log = createLogger('error', () => {});

async function loadBundled(): Promise<Policy[]> {
  return Promise.all(
    bundledPolicySet().map(async (spec) => {
      const c = await compilePolicy(
        spec.id,
        await fetchPolicy(spec.module),
        DEFAULT_EVALUATION_LIMITS.memoryLimitBytes,
      );
      const settingsJson = JSON.stringify(spec.settings ?? {});
      const runtime = createRuntime(
        {
          id: spec.id,
          mode: resolveExecutionMode(spec.id, c),
          module: c.module,
          policyType: c.metadata.policyType,
          settingsJson,
          limits: DEFAULT_EVALUATION_LIMITS,
          ...(c.snapshotGlobals ? { snapshotGlobals: c.snapshotGlobals } : {}),
        },
        { hostCall: () => new Uint8Array(), log },
      );
      return { id: spec.id, runtime, settingsJson, rules: c.metadata.rules };
    }),
  );
}

const policies = await loadBundled();
const entries = await readManifests([dir], { recursive: true });
const objects = entries.filter((e): e is ManifestObject => e.kind === 'object').map((e) => e.object);
const resolver = new ResourceResolver();
resolver.addCrds(objects);
// (request JSON, policy) pairs, in input order then policy order, as the pipeline would call them.
const calls: { json: string; utf8: Uint8Array; policy: Policy }[] = [];
const utf8 = new TextEncoder();
const apiServer = {
  kubernetesVersion: DEFAULT_KUBERNETES_VERSION,
  validate: 'strict',
  applyMode: 'client',
  independent: false,
  now: new Date(0),
} as const;
const reqOpts: RequestOptions = { operation: 'CREATE', userInfo: DEFAULT_USER, apiServer };
for (const obj of objects) {
  const res = resolver.resolve(obj.apiVersion, obj.kind);
  const out = apiServerStage(obj as unknown as JsonObject, res, stageOptionsFor(apiServer, reqOpts));
  if (!out.ok) continue;
  const validating = out.validating(out.mutating, true);
  if (!validating.ok) continue;
  const synth = buildOperationRequest(validating.object as unknown as KubeObject, res, reqOpts, undefined, {
    namespace: out.namespace,
  });
  const r = synth.request;
  const target = {
    group: r.resource.group,
    version: r.resource.version,
    resource: r.resource.resource,
    namespaced: res.namespaced,
    operation: r.operation,
  };
  const bytes = utf8.encode(synth.json);
  for (const p of policies)
    if (anyRuleMatches(p.rules, target)) calls.push({ json: synth.json, utf8: bytes, policy: p });
}

const perPolicy = new Map<string, number>();
let rejected = 0;
const t0 = performance.now();
for (let k = 0; k < repeat; k++) {
  for (const c of calls) {
    const s = performance.now();
    const out = c.policy.runtime.validate({
      requestJson: c.json,
      requestUtf8: c.utf8,
      settingsJson: c.policy.settingsJson,
    });
    perPolicy.set(c.policy.id, (perPolicy.get(c.policy.id) ?? 0) + performance.now() - s);
    if (!out.ok || !out.response.accepted) rejected++;
  }
}
const seconds = (performance.now() - t0) / 1000 / repeat;
process.stdout.write(
  `${JSON.stringify({
    objects: objects.length,
    evaluations: calls.length,
    rejected: rejected / repeat,
    seconds,
    microsPerEvaluation: (seconds * 1e6) / calls.length,
    perPolicyMs: Object.fromEntries(
      [...perPolicy].sort((a, b) => b[1] - a[1]).map(([id, ms]) => [id, Math.round(ms / repeat)]),
    ),
    maxRSS: process.resourceUsage().maxRSS * 1024,
  })}\n`,
);
