import { importClusterModule } from '../lib/cluster/lazy';
import type { Cluster } from '../lib/cluster/types';
import type { Logger } from '../lib/base/log';

/** kubectl's connection flags, with kubectl's meaning. */
export interface ClusterArgs {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  'request-timeout'?: number;
}

export const CLUSTER_OPTIONS = {
  kubeconfig: {
    type: 'string',
    describe: 'Path to the kubeconfig file (default: $KUBECONFIG, else ~/.kube/config, else in-cluster)',
  },
  context: { type: 'string', describe: 'The kubeconfig context to use' },
  namespace: { alias: 'n', type: 'string', describe: "Namespace (default: the context's, else default)" },
  'request-timeout': { type: 'number', describe: 'Seconds to wait for one API request (default 30)' },
} as const;

/** Connects lazily: the cluster client (and @kubernetes/client-node) loads only for commands that use it. */
export async function connect(args: ClusterArgs, log: Logger): Promise<Cluster> {
  const { connectCluster } = await importClusterModule();
  return connectCluster({
    log,
    ...(args.kubeconfig ? { kubeconfig: args.kubeconfig } : {}),
    ...(args.context ? { context: args.context } : {}),
    ...(args.namespace ? { namespace: args.namespace } : {}),
    ...(args['request-timeout'] ? { requestTimeoutMs: args['request-timeout'] * 1000 } : {}),
  });
}
