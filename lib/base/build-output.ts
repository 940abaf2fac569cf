import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Folder of the running code: the CLI bundle is CommonJS (it has __dirname); tests run the sources as ES modules. */
export function moduleDir(): string {
  return typeof __dirname !== 'undefined' ? __dirname : path.dirname(fileURLToPath(import.meta.url));
}

/**
 * Finds a build output: `name` beside the CLI bundle (dist/), or `dist/<name>` in a folder above the sources,
 * walking up at most `levels` folders. `accept` may reject a candidate that exists (e.g. an empty folder).
 */
export function findBuildOutput(
  name: string,
  levels: number,
  accept: (p: string) => boolean = existsSync,
): string | undefined {
  let dir = moduleDir();
  for (let i = 0; i < levels; i++) {
    for (const candidate of [path.join(dir, name), path.join(dir, 'dist', name)]) {
      if (existsSync(candidate) && accept(candidate)) return candidate;
    }
    dir = path.dirname(dir);
  }
  return undefined;
}
