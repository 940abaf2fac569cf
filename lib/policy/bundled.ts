import { readdirSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { findBuildOutput, moduleDir } from '../base/build-output';
import type { PolicySpec } from './spec';

export const BUILTIN_SCHEME = 'builtin://';

/** The part of `node:sea` used here (Node ≥ 20.12). */
interface SeaModule {
  isSea(): boolean;
  getAsset(key: string): ArrayBuffer;
  getAsset(key: string, encoding: string): string;
}

/** SEA asset keys: the index (a JSON array of names) and one asset per policy (scripts/package.mjs writes them). */
export const SEA_POLICY_INDEX = 'plugins/index.json';
export const seaPolicyKey = (name: string): string => `plugins/${name}.wasm`;

let seaModule: SeaModule | null | undefined;

/**
 * `node:sea` when this process is a single executable application (the krew binary), else null. In the binary the
 * bundled policies are SEA assets, not files; `$KUBECTL_WASMPOLICY_PLUGINS_DIR` still takes precedence.
 */
function sea(): SeaModule | null {
  if (seaModule !== undefined) return seaModule;
  seaModule = null;
  try {
    // Only the CommonJS bundle can be a single executable; the sources run as ES modules (no `require`).
    if (typeof require === 'function') {
      const m = require('node:sea') as SeaModule;
      if (m.isSea()) seaModule = m;
    }
  } catch {
    // a Node.js without node:sea
  }
  return seaModule;
}

function seaPolicies(): SeaModule | null {
  return process.env.KUBECTL_WASMPOLICY_PLUGINS_DIR ? null : sea();
}

/** The bytes of a bundled policy embedded in the single executable, or undefined when not running as one. */
export function bundledPolicyAsset(name: string): Uint8Array | undefined {
  const s = seaPolicies();
  return s ? new Uint8Array(s.getAsset(seaPolicyKey(name))) : undefined;
}

/**
 * Folder holding the bundled policies (`<name>.wasm`): `$KUBECTL_WASMPOLICY_PLUGINS_DIR`, else `plugins/`
 * beside the CLI bundle (dist/), else `dist/plugins` of the source tree.
 */
export function bundledPluginsDir(): string {
  const env = process.env.KUBECTL_WASMPOLICY_PLUGINS_DIR;
  if (env) return env;
  if (foundPluginsDir) return foundPluginsDir;
  const hasWasm = (dir: string): boolean => readdirSync(dir).some((f) => f.endsWith('.wasm'));
  const found = findBuildOutput('plugins', 4, hasWasm);
  // Found once per process (a run asks once per bundled policy); not finding it is not remembered.
  if (found) foundPluginsDir = found;
  return found ?? path.join(moduleDir(), 'plugins');
}

let foundPluginsDir: string | undefined;

/** The last listing of a plugins folder, valid while the folder's mtime is unchanged. */
let listed: { dir: string; mtimeMs: number; names: string[] } | undefined;

/** Names of the bundled policies, sorted. */
export function bundledPolicyNames(): string[] {
  const s = seaPolicies();
  if (s) {
    seaNames ??= (JSON.parse(s.getAsset(SEA_POLICY_INDEX, 'utf8')) as string[]).slice().sort();
    return seaNames.slice();
  }
  const dir = bundledPluginsDir();
  let mtimeMs: number;
  try {
    mtimeMs = statSync(dir).mtimeMs;
  } catch {
    return [];
  }
  if (listed?.dir !== dir || listed.mtimeMs !== mtimeMs) {
    const names = readdirSync(dir)
      .filter((f) => f.endsWith('.wasm') && !f.endsWith('.raw.wasm'))
      .map((f) => f.slice(0, -'.wasm'.length))
      .sort();
    listed = { dir, mtimeMs, names };
  }
  return listed.names.slice();
}

let seaNames: string[] | undefined;

export function builtinPath(name: string): string {
  return path.join(bundledPluginsDir(), `${name}.wasm`);
}

/** The default policy set: every bundled policy, protect mode, default settings. */
export function bundledPolicySet(): PolicySpec[] {
  return bundledPolicyNames().map((name) => ({
    id: name,
    module: `${BUILTIN_SCHEME}${name}`,
    settings: {},
    mode: 'protect',
    origin: 'bundled set',
  }));
}
