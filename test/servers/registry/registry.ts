/**
 * Test registries: the real Debian `docker-registry` (distribution 2.8), started on a free loopback port with a
 * config.yml in a temporary directory, optionally with htpasswd Basic auth, token (Bearer) auth or TLS.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export const REGISTRY_BIN = '/usr/bin/docker-registry';

export function registryAvailable(): boolean {
  return existsSync(REGISTRY_BIN);
}

export interface RegistryOptions {
  /** htpasswd Basic auth with these users. */
  htpasswd?: Record<string, string>;
  /** Token auth: the registry trusts tokens signed by `rootCertBundle` (PEM file), issued by `realm`. */
  token?: { realm: string; service: string; issuer: string; rootCertBundle: string };
  /** TLS with this certificate and key (PEM files). */
  tls?: { cert: string; key: string };
}

export interface TestRegistry {
  /** `127.0.0.1:PORT` (or `localhost:PORT` with TLS, to match the certificate name either way). */
  host: string;
  port: number;
  dir: string;
  /** The storage root: blobs are under docker/registry/v2/blobs/sha256/<xx>/<hex>/data. */
  dataDir: string;
  stop(): Promise<void>;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
  });
}

function htpasswdFile(users: Record<string, string>): string {
  return (
    Object.entries(users)
      .map(([u, p]) => execFileSync('htpasswd', ['-Bbn', u, p], { encoding: 'utf8' }).trim())
      .join('\n') + '\n'
  );
}

function configYaml(o: RegistryOptions, port: number, dir: string): string {
  const lines = [
    'version: 0.1',
    'log:',
    '  level: error',
    '  accesslog:',
    '    disabled: true',
    'storage:',
    '  filesystem:',
    `    rootdirectory: ${path.join(dir, 'data')}`,
    '  delete:',
    '    enabled: true',
    '  maintenance:',
    '    uploadpurging:',
    '      enabled: false',
    'http:',
    `  addr: 127.0.0.1:${port}`,
    '  secret: test-secret',
  ];
  if (o.tls) lines.push('  tls:', `    certificate: ${o.tls.cert}`, `    key: ${o.tls.key}`);
  if (o.htpasswd) {
    writeFileSync(path.join(dir, 'htpasswd'), htpasswdFile(o.htpasswd));
    lines.push('auth:', '  htpasswd:', '    realm: test-basic-realm', `    path: ${path.join(dir, 'htpasswd')}`);
  } else if (o.token) {
    lines.push(
      'auth:',
      '  token:',
      `    realm: ${o.token.realm}`,
      `    service: ${o.token.service}`,
      `    issuer: ${o.token.issuer}`,
      `    rootcertbundle: ${o.token.rootCertBundle}`,
    );
  }
  return lines.join('\n') + '\n';
}

function probe(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    const mod = url.startsWith('https:') ? https : http;
    const req = mod.get(url, { rejectUnauthorized: false, timeout: 500 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200 || res.statusCode === 401);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
  });
}

export async function startRegistry(o: RegistryOptions = {}): Promise<TestRegistry> {
  for (let attempt = 0; ; attempt++) {
    const dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-registry-'));
    mkdirSync(path.join(dir, 'data'));
    const port = await freePort();
    writeFileSync(path.join(dir, 'config.yml'), configYaml(o, port, dir));
    const child: ChildProcess = spawn(REGISTRY_BIN, ['serve', path.join(dir, 'config.yml')], {
      cwd: dir,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += d));
    let exited = false;
    child.on('exit', () => (exited = true));
    const url = `${o.tls ? 'https' : 'http'}://127.0.0.1:${port}/v2/`;
    const deadline = Date.now() + 10_000;
    let up = false;
    while (!exited && Date.now() < deadline) {
      if (await probe(url)) {
        up = true;
        break;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    const stop = async (): Promise<void> => {
      if (!exited) {
        const done = new Promise((r) => child.once('exit', r));
        child.kill('SIGTERM');
        await Promise.race([done, new Promise((r) => setTimeout(r, 2000))]);
        if (!exited) child.kill('SIGKILL');
      }
      rmSync(dir, { recursive: true, force: true });
    };
    if (up)
      return { host: `${o.tls ? 'localhost' : '127.0.0.1'}:${port}`, port, dir, dataDir: path.join(dir, 'data'), stop };
    await stop();
    if (attempt >= 2) throw new Error(`docker-registry did not start: ${stderr.slice(-2000)}`);
  }
}

/** Path of a blob's data file in the registry's storage (to tamper with it). */
export function blobPath(reg: TestRegistry, digest: string): string {
  const hex = digest.replace(/^sha256:/, '');
  return path.join(reg.dataDir, 'docker', 'registry', 'v2', 'blobs', 'sha256', hex.slice(0, 2), hex, 'data');
}
