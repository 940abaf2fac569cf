/**
 * In-cluster configuration, kubectl's last resort: the API server from KUBERNETES_SERVICE_HOST/PORT, the pod's
 * service-account token (re-read as it rotates) and CA, and its namespace file as the default namespace.
 */
import { existsSync, readFileSync } from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { KubeConfigData } from './kubeconfig-data';

export const SERVICE_ACCOUNT_DIR = '/var/run/secrets/kubernetes.io/serviceaccount';
const CONTEXT = 'in-cluster';

/** undefined when not running in a pod (no service host or no token), as kubectl decides. */
export function inClusterConfig(env: NodeJS.ProcessEnv, dir: string): KubeConfigData | undefined {
  const host = env.KUBERNETES_SERVICE_HOST;
  const port = env.KUBERNETES_SERVICE_PORT;
  const tokenFile = path.join(dir, 'token');
  if (!host || !port || !existsSync(tokenFile)) return undefined;
  const caFile = path.join(dir, 'ca.crt');
  const nsFile = path.join(dir, 'namespace');
  const namespace = existsSync(nsFile) ? readFileSync(nsFile, 'utf8').trim() || undefined : undefined;
  return {
    clusters: [
      {
        name: CONTEXT,
        server: `https://${net.isIPv6(host) ? `[${host}]` : host}:${port}`,
        caFile: existsSync(caFile) ? caFile : undefined,
        skipTLSVerify: false,
      },
    ],
    // client-node's token-file authenticator re-reads the file every minute, so projected tokens keep working.
    users: [{ name: CONTEXT, authProvider: { name: 'tokenFile', config: { tokenFile } } }],
    contexts: [{ name: CONTEXT, cluster: CONTEXT, user: CONTEXT, namespace }],
    currentContext: CONTEXT,
  };
}
