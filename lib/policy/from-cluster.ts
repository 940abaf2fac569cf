import * as jsyaml from 'js-yaml';
import type { Cluster } from '../cluster/types';
import type { Logger } from '../base/log';
import type { KubeObject } from '../manifests/types';
import { certificatesToPem, type Sources } from '../store/sources';
import { POLICIES_API_VERSION, POLICY_KINDS } from './config/crd';
import { readPolicyConfigText } from './config';
import type { PolicyEntry } from './spec';

export interface ClusterPolicies {
  /** Whether the cluster serves Kubewarden's policy CRDs at all. */
  installed: boolean;
  entries: PolicyEntry[];
  /** The PolicyServers' insecureSources and sourceAuthorities, for pulling the policies' modules. */
  sources: Sources;
}

/**
 * `--from-cluster`: the cluster's Kubewarden policy resources (all four kinds), read with the same validation as
 * `--policies` files, so that their modules are evaluated here exactly as the cluster configures them.
 */
export async function readClusterPolicies(cluster: Cluster, opts: { log: Logger; kubewardenNamespace: string }): Promise<ClusterPolicies> {
  const objects: KubeObject[] = [];
  let installed = false;
  for (const kind of POLICY_KINDS) {
    const res = await cluster.resolve(POLICIES_API_VERSION, kind);
    if (!res) continue;
    installed = true;
    for await (const o of cluster.list(res)) objects.push(withoutServerFields(o));
  }
  const servers: KubeObject[] = [];
  const psRes = await cluster.resolve(POLICIES_API_VERSION, 'PolicyServer');
  if (psRes) for await (const o of cluster.list(psRes)) servers.push(o);
  const sources = policyServerSources(servers, opts.log);
  if (!installed) return { installed, entries: [], sources };
  // Sorted as kubectl lists them, so ids, origins and results are stable from run to run.
  objects.sort((a, b) => `${a.kind}/${a.metadata?.namespace ?? ''}/${a.metadata?.name}`.localeCompare(`${b.kind}/${b.metadata?.namespace ?? ''}/${b.metadata?.name}`));
  const text = objects.map((o) => jsyaml.dump(o, { noRefs: true, lineWidth: -1 })).join('---\n');
  const entries = readPolicyConfigText(`cluster ${cluster.context}`, text, { log: opts.log, kubewardenNamespace: opts.kubewardenNamespace });
  return { installed, entries, sources };
}

/** managedFields and the like are noise in messages; status stays (audit reads status.policyStatus). */
function withoutServerFields(o: KubeObject): KubeObject {
  const metadata = { ...(o.metadata ?? {}) };
  delete metadata.managedFields;
  return { ...o, metadata };
}

/**
 * PolicyServer `spec.insecureSources` (host[:port] list) and `spec.sourceAuthorities` (host → PEM list), merged
 * over every PolicyServer: each policy names its server, but one pull configuration serves the whole run.
 */
export function policyServerSources(servers: readonly KubeObject[], log: Logger): Sources {
  const out: Sources = { insecure: new Set(), authorities: new Map() };
  for (const s of servers) {
    const spec = (s.spec ?? {}) as { insecureSources?: unknown; sourceAuthorities?: unknown };
    const name = `PolicyServer ${s.metadata?.name ?? ''}`;
    if (Array.isArray(spec.insecureSources)) for (const h of spec.insecureSources) if (typeof h === 'string') out.insecure.add(h.trim());
    if (spec.sourceAuthorities && typeof spec.sourceAuthorities === 'object') {
      for (const [host, list] of Object.entries(spec.sourceAuthorities as Record<string, unknown>)) {
        if (!Array.isArray(list)) continue;
        for (const pem of list) {
          if (typeof pem !== 'string') continue;
          try {
            out.authorities.set(host, [...(out.authorities.get(host) ?? []), ...certificatesToPem(Buffer.from(pem, 'utf8'))]);
          } catch (err) {
            log.warn(`${name}: sourceAuthorities.${host}: ${(err as Error).message}; ignored`);
          }
        }
      }
    }
  }
  return out;
}
