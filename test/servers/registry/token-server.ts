/**
 * A tiny token service for distribution's `auth: token` (docs: spec/auth/token.md, jwt.md): GET /token with
 * Basic credentials (or anonymous), and the OAuth2 POST /token with a refresh token (identity tokens). Tokens
 * are ES256 JWTs carrying the signer certificate in `x5c`, which the registry checks against its rootcertbundle.
 */
import { createPrivateKey, randomBytes, sign, X509Certificate } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface TokenServer {
  realm: string;
  service: string;
  issuer: string;
  /** What came in: method, whether credentials were sent and for whom, the scopes asked. */
  requests: { method: string; user?: string; anonymous: boolean; scopes: string[]; grant?: string }[];
  stop(): Promise<void>;
}

export interface TokenServerOptions {
  certPem: string;
  keyPem: string;
  users: Record<string, string>;
  /** refresh token → user, for the OAuth2 flow. */
  refreshTokens?: Record<string, string>;
  service?: string;
  issuer?: string;
}

const b64url = (b: Buffer | string) => Buffer.from(b).toString('base64url');

export async function startTokenServer(o: TokenServerOptions): Promise<TokenServer> {
  const service = o.service ?? 'wasmpolicy-test-registry';
  const issuer = o.issuer ?? 'wasmpolicy-test-issuer';
  const key = createPrivateKey(o.keyPem);
  const x5c = [new X509Certificate(o.certPem).raw.toString('base64')];
  const requests: TokenServer['requests'] = [];

  const issue = (user: string | undefined, scopes: string[]): string => {
    const now = Math.floor(Date.now() / 1000);
    const access = user
      ? scopes.map((s) => {
          const [type, ...rest] = s.split(':');
          const actions = rest.pop()!.split(',');
          return { type, name: rest.join(':'), actions };
        })
      : [];
    const header = b64url(JSON.stringify({ typ: 'JWT', alg: 'ES256', x5c }));
    const claims = b64url(
      JSON.stringify({
        iss: issuer,
        sub: user ?? '',
        aud: service,
        exp: now + 300,
        nbf: now - 10,
        iat: now,
        jti: randomBytes(8).toString('hex'),
        access,
      }),
    );
    const sig = sign('sha256', Buffer.from(`${header}.${claims}`), { key, dsaEncoding: 'ieee-p1363' });
    return `${header}.${claims}.${b64url(sig)}`;
  };

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const reply = (status: number, body: unknown) => {
      res.writeHead(status, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (url.pathname !== '/token') return reply(404, { error: 'not found' });
    if (req.method === 'POST') {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const form = new URLSearchParams(body);
        const scopes = (form.get('scope') ?? '').split(' ').filter(Boolean);
        const user = o.refreshTokens?.[form.get('refresh_token') ?? ''];
        requests.push({ method: 'POST', user, anonymous: false, scopes, grant: form.get('grant_type') ?? undefined });
        if (form.get('grant_type') !== 'refresh_token' || !user || form.get('service') !== service)
          return reply(401, { error: 'invalid_grant' });
        reply(200, { access_token: issue(user, scopes), expires_in: 300, scope: scopes.join(' ') });
      });
      return;
    }
    const scopes = url.searchParams.getAll('scope');
    const auth = req.headers.authorization;
    if (!auth) {
      requests.push({ method: 'GET', anonymous: true, scopes });
      return reply(200, { token: issue(undefined, scopes), expires_in: 300 });
    }
    const [user, pass] = Buffer.from(auth.replace(/^Basic /, ''), 'base64')
      .toString('utf8')
      .split(/:(.*)/s);
    requests.push({ method: 'GET', user, anonymous: false, scopes });
    if (!(user in o.users) || o.users[user] !== pass) {
      res.setHeader('WWW-Authenticate', 'Basic realm="token"');
      return reply(401, { errors: [{ code: 'UNAUTHORIZED', message: 'bad credentials' }] });
    }
    const token = issue(user, scopes);
    reply(200, { token, access_token: token, expires_in: 300, issued_at: new Date().toISOString() });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  return {
    realm: `http://127.0.0.1:${port}/token`,
    service,
    issuer,
    requests,
    stop: () => new Promise((r) => server.close(() => r())),
  };
}
