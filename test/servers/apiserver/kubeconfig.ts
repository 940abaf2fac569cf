/** Kubeconfig files that point kubectl (or any client) at a test API server. */
import { writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { stringify } from 'yaml';
import type { ClientCert } from './client-cert';

export interface KubeconfigOptions {
  /** Context (and cluster and user entry) name; "test" by default. */
  context?: string;
  /** The context's default namespace. */
  namespace?: string;
  /** Authenticate with this bearer token instead of the server's valid one (e.g. a bad token). */
  token?: string;
  /** Authenticate with a client certificate instead of a token. */
  clientCert?: ClientCert;
  /** Name the CA by file (`certificate-authority`) rather than inline (`certificate-authority-data`). */
  caByPath?: boolean;
  /** File name inside `dir`; "kubeconfig" by default. */
  fileName?: string;
}

export interface KubeconfigTarget {
  url: string;
  caFile: string;
  caPem: string;
  token: string;
}

export function writeKubeconfig(dir: string, target: KubeconfigTarget, o: KubeconfigOptions = {}): string {
  const name = o.context ?? 'test';
  const cluster = o.caByPath
    ? { server: target.url, 'certificate-authority': target.caFile }
    : { server: target.url, 'certificate-authority-data': Buffer.from(target.caPem).toString('base64') };
  const user = o.clientCert
    ? { 'client-certificate': o.clientCert.certFile, 'client-key': o.clientCert.keyFile }
    : { token: o.token ?? target.token };
  const config = {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name, cluster }],
    users: [{ name, user }],
    contexts: [{ name, context: { cluster: name, user: name, ...(o.namespace ? { namespace: o.namespace } : {}) } }],
    'current-context': name,
    preferences: {},
  };
  const file = path.join(dir, o.fileName ?? 'kubeconfig');
  writeFileSync(file, stringify(config), { mode: 0o600 });
  return file;
}
