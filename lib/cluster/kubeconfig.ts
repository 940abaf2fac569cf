/**
 * The kubeconfig a command runs with, resolved as kubectl resolves it: files chosen by config-files.ts and merged
 * (the first file to name a cluster, user or context wins, and so does the first current-context), else in-cluster
 * service-account configuration; then `--context` or the current context, and the namespace from `-n`, else the
 * context, else "default".
 */
import * as path from 'node:path';
import * as jsyaml from 'js-yaml';
import { KUBERNETES_SCHEMA } from '../manifests/yaml';
import {
  newClusters,
  newContexts,
  newUsers,
  type KubeConfigCluster,
  type KubeConfigContext,
  type KubeConfigUser,
} from './client-node';
import { chooseConfigFiles } from './config-files';
import { ClusterError } from './errors';
import { inClusterConfig, SERVICE_ACCOUNT_DIR } from './in-cluster';
import type { KubeConfigData } from './kubeconfig-data';

export type { KubeConfigData } from './kubeconfig-data';
import { readRegularFileSync } from '../base/bounded-read';

/** A kubeconfig (and a file it names: CA, certificate, key) is small; anything larger is not one. */
export const MAX_KUBECONFIG_BYTES = 16 * 1024 * 1024;

export interface ResolvedConfig {
  cluster: KubeConfigCluster;
  /** Absent for a context without a user (anonymous requests). */
  user?: KubeConfigUser;
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

export function resolveKubeConfig(opts: ResolveOptions): ResolvedConfig {
  const chosen = chooseConfigFiles(opts.kubeconfig, opts.env);
  const parsed = chosen.files.map(readConfigFile);
  const merged = mergeFirstWins(parsed);
  if (isEmpty(merged)) {
    const inCluster = inClusterConfig(opts.env, opts.serviceAccountDir ?? SERVICE_ACCOUNT_DIR);
    if (inCluster) return select(inCluster, 'in-cluster service account', opts);
    const looked = chosen.files.length
      ? chosen.files.join(', ')
      : chosen.origin === 'KUBECONFIG'
        ? `KUBECONFIG=${opts.env.KUBECONFIG}`
        : chosen.origin;
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
    // Bounded, regular files only: KUBECONFIG=/dev/zero or a FIFO is an error, not an endless read.
    text = readRegularFileSync(file, MAX_KUBECONFIG_BYTES).toString('utf8');
  } catch (err) {
    throw new ClusterError(`cannot read kubeconfig ${file}: ${(err as Error).message}`, 'config');
  }
  try {
    const raw = jsyaml.load(text, { schema: KUBERNETES_SCHEMA }) as unknown;
    // An empty file is a valid, empty configuration to kubectl.
    if (raw === null || raw === undefined) return { clusters: [], users: [], contexts: [] };
    if (typeof raw !== 'object' || Array.isArray(raw)) throw new Error('not a YAML mapping');
    const doc = raw as RawKubeConfig;
    resolvePaths(doc, path.dirname(path.resolve(file)));
    const current = doc['current-context'];
    return {
      clusters: newClusters(doc.clusters),
      users: newUsers(doc.users).map(trimToken),
      contexts: newContexts(doc.contexts),
      currentContext: typeof current === 'string' && current ? current : undefined,
    };
  } catch (err) {
    throw new ClusterError(`kubeconfig ${file} is not valid: ${firstLine((err as Error).message)}`, 'config');
  }
}

interface RawKubeConfig {
  clusters?: Array<{ cluster?: Record<string, unknown> }>;
  users?: Array<{ user?: Record<string, unknown> }>;
  contexts?: unknown;
  'current-context'?: unknown;
}

/**
 * Relative file names in a kubeconfig are relative to the file, as kubectl reads them: CA, client certificate
 * and key, token file, and an exec plugin command that contains a slash ("./bin/cred", not "aws").
 */
function resolvePaths(doc: RawKubeConfig, dir: string): void {
  const abs = (o: Record<string, unknown> | undefined, key: string) => {
    const v = o?.[key];
    if (o && typeof v === 'string' && v !== '' && !path.isAbsolute(v)) o[key] = path.join(dir, v);
  };
  for (const c of Array.isArray(doc.clusters) ? doc.clusters : []) abs(c?.cluster, 'certificate-authority');
  for (const u of Array.isArray(doc.users) ? doc.users : []) {
    const user = u?.user;
    if (!user || typeof user !== 'object') continue;
    for (const key of ['client-certificate', 'client-key', 'token-file']) abs(user, key);
    const exec = user.exec as Record<string, unknown> | undefined;
    if (exec && typeof exec === 'object' && typeof exec.command === 'string' && exec.command.includes('/'))
      abs(exec, 'command');
    // A token file is read when a request needs it (and again as it rotates), not at load: client-node's
    // token-file authenticator does that; an unused user's missing file must not break loading either.
    if (typeof user['token-file'] === 'string' && !user.token && !user['auth-provider']) {
      user['auth-provider'] = { name: 'tokenFile', config: { tokenFile: user['token-file'] } };
      delete user['token-file'];
    }
  }
}

/** kubectl trims a token read from a file; a trailing newline would make an invalid header. */
function trimToken(u: KubeConfigUser): KubeConfigUser {
  return typeof u.token === 'string' ? { ...u, token: u.token.trim() } : u;
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
    throw new ClusterError(
      `no current-context is set in ${source}; name one with --context (contexts: ${names(config.contexts)})`,
      'config',
    );
  }
  const context = config.contexts.find((c) => c.name === contextName);
  if (!context)
    throw new ClusterError(
      `context "${contextName}" not found in ${source} (contexts: ${names(config.contexts)})`,
      'config',
    );
  const cluster = config.clusters.find((c) => c.name === context.cluster);
  if (!cluster)
    throw new ClusterError(`cluster "${context.cluster}" of context "${contextName}" not found in ${source}`, 'config');
  if (context.user && !config.users.some((u) => u.name === context.user)) {
    throw new ClusterError(`user "${context.user}" of context "${contextName}" not found in ${source}`, 'config');
  }
  return {
    cluster,
    user: context.user ? config.users.find((u) => u.name === context.user) : undefined,
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
