/** Hermetic per-test homes: HOME, XDG_CACHE_HOME (the store), XDG_CONFIG_HOME (sources.yaml) and DOCKER_CONFIG. */
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';

export interface TestHome {
  dir: string;
  env: NodeJS.ProcessEnv;
  storeRoot: string;
  sourcesPath: string;
  dockerConfigDir: string;
  writeSources(doc: unknown): string;
  writeDockerConfig(doc: unknown): string;
  /** Puts an executable `docker-credential-<name>` on this home's PATH. */
  writeCredentialHelper(name: string, script: string): string;
}

/** Environment variables that would leak the developer's or CI's settings into a test. */
const SCRUB = [
  'DOCKER_CONFIG',
  'HTTPS_PROXY',
  'https_proxy',
  'HTTP_PROXY',
  'http_proxy',
  'NO_PROXY',
  'no_proxy',
  'XDG_CACHE_HOME',
  'XDG_CONFIG_HOME',
];

export function testHome(prefix = 'wasmpolicy-home-'): TestHome {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const bin = path.join(dir, 'bin');
  mkdirSync(bin);
  const base: NodeJS.ProcessEnv = { ...process.env };
  for (const k of SCRUB) delete base[k];
  const env: NodeJS.ProcessEnv = {
    ...base,
    HOME: dir,
    XDG_CACHE_HOME: path.join(dir, 'cache'),
    XDG_CONFIG_HOME: path.join(dir, 'config'),
    DOCKER_CONFIG: path.join(dir, 'docker'),
    PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}`,
    NO_COLOR: '1',
  };
  const sourcesPath = path.join(dir, 'config', 'kubewarden', 'sources.yaml');
  const dockerConfigDir = path.join(dir, 'docker');
  return {
    dir,
    env,
    storeRoot: path.join(dir, 'cache', 'kubewarden', 'store'),
    sourcesPath,
    dockerConfigDir,
    writeSources(doc) {
      mkdirSync(path.dirname(sourcesPath), { recursive: true });
      writeFileSync(sourcesPath, typeof doc === 'string' ? doc : JSON.stringify(doc));
      return sourcesPath;
    },
    writeDockerConfig(doc) {
      mkdirSync(dockerConfigDir, { recursive: true });
      const file = path.join(dockerConfigDir, 'config.json');
      writeFileSync(file, JSON.stringify(doc));
      return file;
    },
    writeCredentialHelper(name, script) {
      const file = path.join(bin, `docker-credential-${name}`);
      writeFileSync(file, script);
      chmodSync(file, 0o755);
      return file;
    },
  };
}

/** Options for in-process calls that match what the CLI would read from `home.env`. */
export function fetchOpts(home: TestHome): { env: NodeJS.ProcessEnv; timeoutMs: number } {
  return { env: home.env, timeoutMs: 10_000 };
}
