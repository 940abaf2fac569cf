import { existsSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { PolicySpec } from './spec';

export const BUILTIN_SCHEME = 'builtin://';

function moduleDir(): string {
  // The CLI bundle is CommonJS (it has __dirname); tests run the TypeScript sources as ES modules.
  return typeof __dirname !== 'undefined' ? __dirname : path.dirname(fileURLToPath(import.meta.url));
}

/**
 * Folder holding the bundled policies (`<name>.wasm`): `$KUBECTL_WASMPOLICY_PLUGINS_DIR`, else `plugins/`
 * beside the CLI bundle (dist/), else `dist/plugins` of the source tree.
 */
export function bundledPluginsDir(): string {
  const env = process.env.KUBECTL_WASMPOLICY_PLUGINS_DIR;
  if (env) return env;
  let dir = moduleDir();
  for (let i = 0; i < 4; i++) {
    for (const candidate of [path.join(dir, 'plugins'), path.join(dir, 'dist', 'plugins')]) {
      if (existsSync(candidate) && readdirSync(candidate).some((f) => f.endsWith('.wasm'))) return candidate;
    }
    dir = path.dirname(dir);
  }
  return path.join(moduleDir(), 'plugins');
}

/** Names of the bundled policies, sorted. */
export function bundledPolicyNames(): string[] {
  const dir = bundledPluginsDir();
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((f) => f.endsWith('.wasm') && !f.endsWith('.raw.wasm'))
    .map((f) => f.slice(0, -'.wasm'.length))
    .sort();
}

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
