/**
 * Where kwctl keeps its store and its sources.yaml (`directories::ProjectDirs("io.kubewarden", "", "kubewarden")`),
 * so that either tool reuses the other's pulls (docs/host-interface.md §7).
 */
import * as os from 'node:os';
import * as path from 'node:path';

export interface PlatformEnv {
  platform?: NodeJS.Platform;
  env?: NodeJS.ProcessEnv;
  home?: string;
}

function ctx(p: PlatformEnv): {
  platform: NodeJS.Platform;
  env: NodeJS.ProcessEnv;
  home: string;
  join: (...s: string[]) => string;
} {
  const platform = p.platform ?? process.platform;
  const env = p.env ?? process.env;
  const home = p.home ?? (platform === 'win32' ? env.USERPROFILE : env.HOME) ?? os.homedir();
  const join = platform === 'win32' ? path.win32.join : path.posix.join;
  return { platform, env, home, join };
}

/** An XDG variable counts only when it is an absolute path (as the `directories` crate reads it). */
function xdg(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name];
  return v && path.posix.isAbsolute(v) ? v : undefined;
}

/** kwctl's cache directory: Linux `${XDG_CACHE_HOME:-~/.cache}/kubewarden`, macOS `~/Library/Caches/io.kubewarden.kubewarden`, Windows `%LOCALAPPDATA%\kubewarden\cache`. */
export function cacheDir(p: PlatformEnv = {}): string {
  const { platform, env, home, join } = ctx(p);
  if (platform === 'win32') return join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'kubewarden', 'cache');
  if (platform === 'darwin') return join(home, 'Library', 'Caches', 'io.kubewarden.kubewarden');
  return join(xdg(env, 'XDG_CACHE_HOME') ?? join(home, '.cache'), 'kubewarden');
}

/** kwctl's config directory: Linux `${XDG_CONFIG_HOME:-~/.config}/kubewarden`, macOS `~/Library/Application Support/io.kubewarden.kubewarden`, Windows `%APPDATA%\kubewarden\config`. */
export function configDir(p: PlatformEnv = {}): string {
  const { platform, env, home, join } = ctx(p);
  if (platform === 'win32') return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'kubewarden', 'config');
  if (platform === 'darwin') return join(home, 'Library', 'Application Support', 'io.kubewarden.kubewarden');
  return join(xdg(env, 'XDG_CONFIG_HOME') ?? join(home, '.config'), 'kubewarden');
}

/** The root of the policy store shared with kwctl. */
export function defaultStoreRoot(p: PlatformEnv = {}): string {
  return ctx(p).join(cacheDir(p), 'store');
}

/** Where kwctl reads sources.yaml when no `--sources-path` is given. */
export function defaultSourcesPath(p: PlatformEnv = {}): string {
  return ctx(p).join(configDir(p), 'sources.yaml');
}

/** The Docker CLI configuration file: `$DOCKER_CONFIG/config.json`, else `~/.docker/config.json`. */
export function dockerConfigPath(p: PlatformEnv = {}): string {
  const { env, home, join } = ctx(p);
  return env.DOCKER_CONFIG ? join(env.DOCKER_CONFIG, 'config.json') : join(home, '.docker', 'config.json');
}
