import * as jsyaml from 'js-yaml';
import type { Cluster } from '../cluster/types';
import type { Logger } from '../base/log';
import type { KubeObject } from '../manifests/types';
import { certificatesToPem, type Sources } from '../store/sources';
import { POLICIES_API_VERSION, POLICY_KINDS } from './config/crd';
import { readPolicyConfigText } from './config';
import type { PolicyEntry } from './spec';
import { readServerVerification, type ModuleVerification } from './cluster-verification';
import { UserError } from '../base/user-error';

export interface ClusterPolicies {
  /** Whether the cluster serves Kubewarden's policy CRDs at all. */
  installed: boolean;
  /** Each with the `sources` of its own PolicyServer (spec.policyServer, `default` when unset). */
  entries: PolicyEntry[];
  /** The PolicyServers' verification configs, by the module references of their policies. */
  verification: ModuleVerification;
}

/** Schemes a module named by a cluster object may have: what a PolicyServer can pull, and the bundled policies. */
const CLUSTER_MODULE_SCHEMES = /^(registry|https|http|builtin):\/\//i;

/** A policy resource in the cluster names a module this machine must not read (a local file, an unknown scheme). */
export class ClusterPolicyError extends UserError<'cluster-policy'> {
  override name = 'ClusterPolicyError';
  constructor(message: string) {
    super(message, 'cluster-policy');
  }
}

/**
 * `--from-cluster`: the cluster's Kubewarden policy resources (all four kinds), read with the same validation as
 * `--policies` files, so that their modules are evaluated here exactly as the cluster configures them.
 *
 * The cluster decides only what a PolicyServer could run: a module must be `registry://`, `https://` (`http://`
 * for insecure sources) or, through the wasmpolicy.kubewarden.io/module annotation, `builtin://`. A `file://` URL or
 * a path would make this machine read its own files (or `/dev/zero`) because an object said so: refused.
 */
export async function readClusterPolicies(
  cluster: Cluster,
  opts: { log: Logger; kubewardenNamespace: string },
): Promise<ClusterPolicies> {
  const objects: KubeObject[] = [];
  let installed = false;
  for (const kind of POLICY_KINDS) {
    const res = await cluster.resolve(POLICIES_API_VERSION, kind);
    if (!res) continue;
    installed = true;
    for await (const o of cluster.list(res)) objects.push(withoutServerFields(o));
  }
  if (!installed) return { installed, entries: [], verification: new Map() };
  const servers = new Map<string, KubeObject>();
  const psRes = await cluster.resolve(POLICIES_API_VERSION, 'PolicyServer');
  if (psRes) for await (const o of cluster.list(psRes)) servers.set(String(o.metadata?.name ?? ''), o);
  const verification = await readServerVerification(cluster, [...servers.values()], objects, opts.kubewardenNamespace);
  // Sorted as kubectl lists them, so ids, origins and results are stable from run to run.
  objects.sort((a, b) =>
    `${a.kind}/${a.metadata?.namespace ?? ''}/${a.metadata?.name}`.localeCompare(
      `${b.kind}/${b.metadata?.namespace ?? ''}/${b.metadata?.name}`,
    ),
  );
  // One read per PolicyServer, so that each policy carries the sources of the server that runs it.
  const byServer = new Map<string, KubeObject[]>();
  for (const o of objects) {
    const server = (o.spec as { policyServer?: unknown } | undefined)?.policyServer;
    const name = typeof server === 'string' && server !== '' ? server : 'default';
    byServer.set(name, [...(byServer.get(name) ?? []), o]);
  }
  const entries: PolicyEntry[] = [];
  for (const [server, list] of byServer) {
    const ps = servers.get(server);
    const sources = policyServerSources(ps ? [ps] : [], opts.log);
    const text = list.map((o) => jsyaml.dump(o, { noRefs: true, lineWidth: -1 })).join('---\n');
    for (const e of readPolicyConfigText(`cluster ${cluster.context}`, text, {
      log: opts.log,
      kubewardenNamespace: opts.kubewardenNamespace,
    })) {
      for (const module of 'members' in e ? e.members.map((m) => m.module) : [e.module]) {
        if (!CLUSTER_MODULE_SCHEMES.test(module)) {
          throw new ClusterPolicyError(
            `${e.id} in cluster ${cluster.context}: module ${JSON.stringify(module)} is not registry://, https:// or builtin://: a policy read from a cluster may not name a file or another local source`,
          );
        }
      }
      entries.push(sources.insecure.size > 0 || sources.authorities.size > 0 ? { ...e, sources } : e);
    }
  }
  return { installed, entries, verification };
}

/** managedFields and the like are noise in messages; status stays (audit reads status.policyStatus). */
function withoutServerFields(o: KubeObject): KubeObject {
  const metadata = { ...(o.metadata ?? {}) };
  delete metadata.managedFields;
  return { ...o, metadata };
}

/** PolicyServer `spec.insecureSources` (host[:port] list) and `spec.sourceAuthorities` (host → PEM list). */
export function policyServerSources(servers: readonly KubeObject[], log: Logger): Sources {
  const out: Sources = { insecure: new Set(), authorities: new Map() };
  for (const s of servers) {
    const spec = (s.spec ?? {}) as { insecureSources?: unknown; sourceAuthorities?: unknown };
    const name = `PolicyServer ${s.metadata?.name ?? ''}`;
    if (Array.isArray(spec.insecureSources))
      for (const h of spec.insecureSources) if (typeof h === 'string') out.insecure.add(h.trim());
    if (spec.sourceAuthorities && typeof spec.sourceAuthorities === 'object') {
      for (const [host, list] of Object.entries(spec.sourceAuthorities as Record<string, unknown>)) {
        if (!Array.isArray(list)) continue;
        for (const pem of list) {
          if (typeof pem !== 'string') continue;
          try {
            out.authorities.set(host, [
              ...(out.authorities.get(host) ?? []),
              ...certificatesToPem(Buffer.from(pem, 'utf8')),
            ]);
          } catch (err) {
            log.warn(`${name}: sourceAuthorities.${host}: ${(err as Error).message}; ignored`);
          }
        }
      }
    }
  }
  return out;
}
