/**
 * The kubeconfig a command runs with, resolved as kubectl resolves it: files chosen by config-files.ts and merged
 * (the first file to name a cluster, user or context wins, and so does the first current-context), else in-cluster
 * service-account configuration; then `--context` or the current context, and the namespace from `-n`, else the
 * context, else "default".
 */
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { KubeConfig, type KubeConfigCluster, type KubeConfigContext, type KubeConfigUser } from './client-node';
import { chooseConfigFiles } from './config-files';
import { ClusterError } from './errors';
import { inClusterConfig, SERVICE_ACCOUNT_DIR } from './in-cluster';

export interface ResolvedConfig {
  /** The merged configuration, its current context set to the one in use. */
  kc: KubeConfig;
  context: string;
  server: string;
  namespace: string;
  /** Where it came from, for messages: the files read, or "in-cluster service account". */
  source: string;
}

export interface ResolveOptions {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  env: NodeJS.ProcessEnv;
  serviceAccountDir?: string;
}

/** A kubeconfig's content, one file's or merged. */
export interface KubeConfigData {
  clusters: KubeConfigCluster[];
  users: KubeConfigUser[];
  contexts: KubeConfigContext[];
  currentContext?: string;
}

export function resolveKubeConfig(opts: ResolveOptions): ResolvedConfig {
  const chosen = chooseConfigFiles(opts.kubeconfig, opts.env);
  const parsed = chosen.files.map(readConfigFile);
  const merged = mergeFirstWins(parsed);
  if (isEmpty(merged)) {
    const inCluster = inClusterConfig(opts.env, opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR);
    if (inCluster) return select(inCluster, 'in-cluster service account', opts);
    const looked = chosen.files.length ? chosen.files.join(', ') : chosen.origin === 'KUBECONFIG' ? `KUBECONFIG=${opts.env.KUBECONFIG}` : chosen.origin;
    throw new ClusterError(
      `no Kubernetes cluster configured: nothing usable in ${looked}, and not running in a cluster (KUBERNETES_SERVICE_HOST unset or no service-account token); use --kubeconfig or --context`,
      'config',
    );
  }
  return select(merged, chosen.files.join(', '), opts);
}

function readConfigFile(file: string): KubeConfigData {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    throw new ClusterError(`cannot read kubeconfig ${file}: ${(err as Error).message}`, 'config');
  }
  // An empty file is a valid, empty configuration to kubectl.
  if (text.trim() === '') return { clusters: [], users: [], contexts: [] };
  const kc = new KubeConfig();
  try {
    kc.loadFromString(text);
  } catch (err) {
    throw new ClusterError(`kubeconfig ${file} is not valid: ${firstLine((err as Error).message)}`, 'config');
  }
  const dir = path.dirname(path.resolve(file));
  kc.makePathsAbsolute(dir);
  return {
    clusters: kc.getClusters() ?? [],
    users: (kc.getUsers() ?? []).map((u) => normaliseUser(u, dir)),
    contexts: kc.getContexts() ?? [],
    currentContext: kc.getCurrentContext() || undefined,
  };
}

/**
 * kubectl trims token files and runs an exec plugin named by a relative path (one with a separator) from the
 * kubeconfig's directory; client-node does neither.
 */
function normaliseUser(u: KubeConfigUser, dir: string): KubeConfigUser {
  const exec = u.exec as { command?: unknown } | null | undefined;
  const command = exec && typeof exec.command === 'string' ? exec.command : undefined;
  const relativeCommand = command !== undefined && command.includes('/') && !path.isAbsolute(command);
  return {
    ...u,
    token: typeof u.token === 'string' ? u.token.trim() : u.token,
    exec: relativeCommand ? { ...exec, command: path.join(dir, command) } : u.exec,
  };
}

export function mergeFirstWins(files: KubeConfigData[]): KubeConfigData {
  const pick = <T extends { name: string }>(lists: T[][]): T[] => {
    const seen = new Map<string, T>();
    for (const list of lists) for (const item of list) if (item.name && !seen.has(item.name)) seen.set(item.name, item);
    return [...seen.values()];
  };
  return {
    clusters: pick(files.map((f) => f.clusters)),
    users: pick(files.map((f) => f.users)),
    contexts: pick(files.map((f) => f.contexts)),
    currentContext: files.find((f) => f.currentContext)?.currentContext,
  };
}

function isEmpty(c: KubeConfigData): boolean {
  return c.clusters.length === 0 && c.contexts.length === 0 && c.users.length === 0 && !c.currentContext;
}

function select(config: KubeConfigData, source: string, opts: ResolveOptions): ResolvedConfig {
  const contextName = opts.context || config.currentContext;
  if (!contextName) {
    throw new ClusterError(`no current-context is set in ${source}; name one with --context (contexts: ${names(config.contexts)})`, 'config');
  }
  const context = config.contexts.find((c) => c.name === contextName);
  if (!context) throw new ClusterError(`context "${contextName}" not found in ${source} (contexts: ${names(config.contexts)})`, 'config');
  const cluster = config.clusters.find((c) => c.name === context.cluster);
  if (!cluster) throw new ClusterError(`cluster "${context.cluster}" of context "${contextName}" not found in ${source}`, 'config');
  if (context.user && !config.users.some((u) => u.name === context.user)) {
    throw new ClusterError(`user "${context.user}" of context "${contextName}" not found in ${source}`, 'config');
  }
  const kc = new KubeConfig();
  kc.loadFromOptions({
    // TLS settings mean nothing to a plain-HTTP server (kubectl proxy); client-node refuses one unless told to skip them.
    clusters: config.clusters.map((c) => (c.server.startsWith('http:') ? { ...c, skipTLSVerify: true } : c)),
    users: config.users,
    contexts: config.contexts,
    currentContext: contextName,
  });
  return {
    kc,
    context: contextName,
    server: cluster.server,
    namespace: opts.namespace || context.namespace || 'default',
    source,
  };
}

function names(contexts: KubeConfigContext[]): string {
  return contexts.length ? contexts.map((c) => c.name).join(', ') : 'none';
}

function firstLine(s: string): string {
  return s.split('\n')[0] ?? s;
}
