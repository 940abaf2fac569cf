/**
 * A PolicyServer's `spec.verificationConfig` names a ConfigMap, in the namespace Kubewarden runs in, whose
 * `verification-config` key holds a verification config: policy-server then refuses to load any policy whose
 * signatures do not satisfy it (kubewarden-controller's PolicyServer CRD and policy-server's
 * `--verification-path`). With `--from-cluster` each policy is verified against the config of the PolicyServer it
 * names (`spec.policyServer`, default `default`), so the verdicts are those of policies the cluster would load.
 */
import type { Cluster } from '../cluster/types';
import type { KubeObject } from '../manifests/types';
import { parseVerificationConfig } from '../verification/config';
import { PolicyVerificationError } from '../verification/errors';
import type { ModuleVerification, ServerVerification } from '../verification/servers';

export type { ModuleVerification } from '../verification/servers';

export const VERIFICATION_CONFIG_KEY = 'verification-config';

export async function readServerVerification(
  cluster: Cluster,
  servers: readonly KubeObject[],
  policies: readonly KubeObject[],
  kubewardenNamespace: string,
): Promise<ModuleVerification> {
  const byServer = new Map<string, ServerVerification>();
  const cmRes = await cluster.resolve('v1', 'ConfigMap');
  for (const s of servers) {
    const name = s.metadata?.name ?? '';
    const ref = (s.spec as { verificationConfig?: unknown } | undefined)?.verificationConfig;
    if (typeof ref !== 'string' || ref === '') continue;
    const where = `${kubewardenNamespace}/${ref}`;
    const cm = cmRes ? await cluster.get(cmRes, ref, kubewardenNamespace) : undefined;
    const text = (cm?.data as Record<string, unknown> | undefined)?.[VERIFICATION_CONFIG_KEY];
    if (typeof text !== 'string') {
      // policy-server does not start without it: no policy of this server would run.
      throw new PolicyVerificationError(
        `PolicyServer ${name}: spec.verificationConfig names ConfigMap ${where}, which ${cm ? `has no "${VERIFICATION_CONFIG_KEY}" key` : 'does not exist'}`,
        'config',
      );
    }
    byServer.set(name, {
      server: name,
      configMap: where,
      config: parseVerificationConfig(text, `ConfigMap ${where} (key ${VERIFICATION_CONFIG_KEY})`),
    });
  }
  const out: ModuleVerification = new Map();
  if (byServer.size === 0) return out;
  for (const p of policies) {
    const spec = (p.spec ?? {}) as {
      policyServer?: unknown;
      module?: unknown;
      policies?: Record<string, { module?: unknown }>;
    };
    const server = byServer.get(
      typeof spec.policyServer === 'string' && spec.policyServer !== '' ? spec.policyServer : 'default',
    );
    if (!server) continue;
    // A group's members are modules of the same PolicyServer.
    const modules = [spec.module, ...Object.values(spec.policies ?? {}).map((m) => m?.module)].filter(
      (m): m is string => typeof m === 'string',
    );
    for (const m of modules) {
      const list = out.get(m) ?? [];
      if (!list.includes(server)) list.push(server);
      out.set(m, list);
    }
  }
  return out;
}
