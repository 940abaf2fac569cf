// Build: bundle the CLI into one CommonJS file (dist/kubectl-wasmpolicy-main.cjs) and its entry point
// (dist/kubectl-wasmpolicy.cjs, cmd/code-cache-loader.ts), then compile the bundled policies from source (plugins/)
// and annotate them with their metadata (dist/plugins/<name>.wasm), then make the bundle's V8 code cache.
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFile, mkdir, readdir, readFile, writeFile, rename, rm } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { mapForCoverage } from './source-maps.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
const pkg = JSON.parse(await readFile(path.join(root, 'package.json'), 'utf8'));

function gitCommit() {
  if (process.env.WASMPOLICY_COMMIT) return process.env.WASMPOLICY_COMMIT;
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: root, stdio: ['ignore', 'pipe', 'ignore'] })
      .toString()
      .trim();
  } catch {
    return 'unknown';
  }
}

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  sourcemap: 'linked',
  logLevel: 'warning',
  // ES-module sources read import.meta.url; in the CommonJS bundle it comes from __filename.
  define: { 'import.meta.url': '__import_meta_url' },
  // See scripts/string-width.mjs: yargs's help layout, made cheap.
  alias: { 'string-width': path.join(root, 'scripts/string-width.mjs') },
  banner: { js: "const __import_meta_url = require('url').pathToFileURL(__filename).href;" },
};

const t0 = Date.now();
await mkdir(dist, { recursive: true });
/**
 * A bundle of its own in dist/ (CommonJS); returns its code. With `map`, the file gets a source map (as coverage
 * needs it: scripts/source-maps.mjs) so that coverage runs, which run it from the file, count its code for lib/; the
 * returned code, which the CLI carries as a string, has no reference to the map.
 */
async function bundleOf(entry, file, { map = false } = {}) {
  const outfile = path.join(dist, file);
  await esbuild.build({
    ...common,
    entryPoints: [path.join(root, entry)],
    outfile,
    format: 'cjs',
    sourcemap: map ? 'linked' : false,
    minifySyntax: true,
  });
  if (map) await mapForCoverage(outfile);
  return (await readFile(outfile, 'utf8')).replace(/\n\/\/# sourceMappingURL=\S+\n?$/, '\n');
}

// The evaluation worker and the manifest parser thread (lib/manifests/parser.ts) are bundled first: the CLI
// carries their code as strings (one file to ship); code run from the sources (tests) loads them from dist/.
const workerSource = await bundleOf('lib/evaluation/worker.ts', 'evaluator-worker.cjs', { map: true });
const parserSource = await bundleOf('lib/manifests/parse-thread.ts', 'manifest-parser.cjs', { map: true });
// The cluster client (lib/cluster with @kubernetes/client-node) is a bundle of its own, loaded by the first command
// that talks to a cluster (lib/cluster/lazy.ts): parsing it as part of the CLI would slow every command down.
await bundleOf('lib/cluster/index.ts', 'cluster.cjs', { map: true });
await esbuild.build({
  ...common,
  entryPoints: [path.join(root, 'cmd/cli.ts')],
  outfile: path.join(dist, 'kubectl-wasmpolicy-main.cjs'),
  format: 'cjs',
  // import() of Node's built-ins as require(): the entry point runs this bundle as a vm.Script, where import() would
  // need an experimental loader hook that a code cache made in another process does not carry over.
  supported: { 'dynamic-import': false },
  define: {
    ...common.define,
    __WASMPOLICY_VERSION__: JSON.stringify(pkg.version),
    __WASMPOLICY_COMMIT__: JSON.stringify(gitCommit()),
    __EVALUATOR_WORKER_SOURCE__: JSON.stringify(workerSource),
    __MANIFEST_PARSER_SOURCE__: JSON.stringify(parserSource),
    __CLUSTER_BUNDLE__: JSON.stringify('cluster.cjs'),
  },
});
await mapForCoverage(path.join(dist, 'kubectl-wasmpolicy-main.cjs'));
await esbuild.build({
  ...common,
  entryPoints: [path.join(root, 'cmd/code-cache-loader.ts')],
  outfile: path.join(dist, 'kubectl-wasmpolicy.cjs'),
  format: 'cjs',
  // Its map (one source) lets coverage runs count cmd/code-cache-loader.ts, which every CLI test runs.
  banner: {},
});
await esbuild.build({
  ...common,
  entryPoints: [path.join(root, 'lib/authoring/annotate.ts')],
  outfile: path.join(dist, 'tools/annotate.cjs'),
  format: 'cjs',
});
// The tar writer for scripts/package.mjs's krew archives: the library's own (one tar implementation).
await bundleOf('lib/base/tar.ts', 'tools/tar.cjs');
// The Kubernetes schema tables (lib/apiserver/schema-table.ts reads them on first use, never at start-up).
await mkdir(path.join(dist, 'schemas'), { recursive: true });
for (const f of await readdir(path.join(root, 'lib/apiserver/schemas'))) {
  if (f.endsWith('.json')) await copyFile(path.join(root, 'lib/apiserver/schemas', f), path.join(dist, 'schemas', f));
}
console.error(`built dist/kubectl-wasmpolicy.cjs in ${Date.now() - t0} ms`);

/**
 * The bundle's V8 code cache (cmd/code-cache-loader.ts): made by running the pre-commit case once, so that what it
 * compiles is in it; specific to this Node.js version (V8 rejects it under any other, and the bundle compiles).
 */
function writeCodeCache() {
  const cache = path.join(dist, 'kubectl-wasmpolicy-main.cjs.codecache');
  // Made as users run the CLI, never under coverage (a build run by a coverage run would pass NODE_V8_COVERAGE on).
  const env = { ...process.env, KUBECTL_WASMPOLICY_WRITE_CODE_CACHE: cache };
  delete env.NODE_V8_COVERAGE;
  spawnSync(
    process.execPath,
    [path.join(dist, 'kubectl-wasmpolicy.cjs'), 'check', '-f', 'manifests/examples/api.yaml'],
    {
      cwd: root,
      stdio: 'ignore',
      env,
    },
  );
  if (!existsSync(cache)) throw new Error('the code cache was not written');
}

if (process.argv.includes('--no-plugins')) {
  writeCodeCache();
  process.exit(0);
}

const t1 = Date.now();
const { buildPlugins } = await import(pathToFileURL(path.join(root, 'plugins/build.mjs')).href);
const rawDir = path.join(dist, 'plugins', 'raw');
await mkdir(rawDir, { recursive: true });
const built = await buildPlugins({ outDir: rawDir });
const { createRequire } = await import('node:module');
const { annotate } = createRequire(import.meta.url)(path.join(dist, 'tools/annotate.cjs'));
for (const p of built) {
  const wasm = await readFile(p.rawWasm);
  const metadata = await readFile(p.metadata, 'utf8');
  const readme = path.join(p.dir, 'README.md');
  const usage = existsSync(readme) ? await readFile(readme, 'utf8') : undefined;
  const { bytes } = await annotate(wasm, metadata, { usage });
  const out = path.join(dist, 'plugins', `${p.name}.wasm`);
  await writeFile(out + '.tmp', bytes);
  await rename(out + '.tmp', out);
}
await rm(rawDir, { recursive: true, force: true });
console.error(`built ${built.length} bundled policies into dist/plugins in ${Date.now() - t1} ms`);
writeCodeCache();
