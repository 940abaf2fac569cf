/**
 * Verification against the configs of the PolicyServers that run a module (`--from-cluster`, read by
 * lib/policy/cluster-verification.ts): every one must hold, on the same digest.
 */
import type { Logger } from '../base/log';
import { formatRegistryRef, parseRegistryRef, type RegistryRef } from '../store/ref';
import type { RegistryClient } from '../store/registry';
import type { VerificationConfig } from './config';
import { PolicyVerificationError } from './errors';
import type { TrustRoot } from './trust-root';
import { verifyArtifact } from './verify';

export interface ServerVerification {
  server: string;
  /** `namespace/name` of the ConfigMap, for messages. */
  configMap: string;
  config: VerificationConfig;
}

/** module reference → the verification configs of the PolicyServers that run it. */
export type ModuleVerification = Map<string, ServerVerification[]>;

/** Verifies a registry module against the configs of the PolicyServers that run it (all of them must hold). */
export async function verifyForServers(
  mv: ModuleVerification,
  ref: RegistryRef,
  client: RegistryClient,
  trustRoot: TrustRoot,
  log: Logger | undefined,
): Promise<string | undefined> {
  const key = formatRegistryRef(ref);
  const servers = [...mv.entries()]
    .filter(([module]) => {
      try {
        return formatRegistryRef(parseRegistryRef(module)) === key;
      } catch {
        return false;
      }
    })
    .flatMap(([, list]) => list);
  let digest: string | undefined;
  for (const s of servers) {
    const v = await verifyArtifact({
      client,
      ref,
      config: s.config,
      trustRoot,
      subject: `policy (PolicyServer ${s.server}, ConfigMap ${s.configMap})`,
    });
    if (digest !== undefined && v.digest !== digest)
      throw new PolicyVerificationError(
        `${key}: the tag moved during verification (${digest}, then ${v.digest})`,
        'unsatisfied',
      );
    digest = v.digest;
    log?.info(`verified ${key} at ${v.digest} for PolicyServer ${s.server} (ConfigMap ${s.configMap})`);
  }
  return digest;
}
