/**
 * Authentication as kube-apiserver does it: a bearer token from a static token table, or a client certificate
 * signed by the server's CA (CN = user name, O = groups). Either way the user joins system:authenticated.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

export interface UserInfo {
  user: string;
  groups: string[];
}

export type TokenTable = Readonly<Record<string, { user: string; groups?: string[] }>>;

const withAuthenticated = (groups: readonly string[]): string[] =>
  groups.includes('system:authenticated') ? [...groups] : [...groups, 'system:authenticated'];

function asList(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

/**
 * The authenticated user, or undefined (answer 401). A verified client certificate is tried first, then the bearer
 * token, in kube-apiserver's authenticator order.
 */
export function authenticate(req: IncomingMessage, tokens: TokenTable): UserInfo | undefined {
  const socket = req.socket as TLSSocket;
  if (socket.authorized) {
    const subject = socket.getPeerCertificate()?.subject;
    const cn = subject ? asList(subject.CN)[0] : undefined;
    if (cn) return { user: cn, groups: withAuthenticated(asList(subject!.O)) };
  }
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  const entry = m ? tokens[m[1]] : undefined;
  return entry ? { user: entry.user, groups: withAuthenticated(entry.groups ?? []) } : undefined;
}

/**
 * `kubectl --as USER --as-group GROUP`: the Impersonate-User/Impersonate-Group headers. Returns the impersonated
 * user, or undefined when the request does not impersonate. (The caller checks the "impersonate" permission.)
 */
export function impersonated(req: IncomingMessage): UserInfo | undefined {
  const user = req.headers['impersonate-user'];
  if (typeof user !== 'string' || user === '') return undefined;
  const raw = req.headers['impersonate-group'];
  const groups = (Array.isArray(raw) ? raw : raw === undefined ? [] : raw.split(','))
    .map((g) => g.trim())
    .filter(Boolean);
  return { user, groups: withAuthenticated(groups) };
}
