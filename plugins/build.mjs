// Builds the bundled policies: every plugins/<name>/ with a metadata.yml, from
// plugins/<name>/assembly/index.ts, to <outDir>/<name>.raw.wasm (no metadata section yet:
// scripts/build.mjs annotates them).
//
//   import { buildPlugins } from "./plugins/build.mjs"; await buildPlugins({ outDir })
//   node plugins/build.mjs <outDir> [name...]        (--no-cache to force a rebuild)
//
// Compilation uses the AssemblyScript compiler API in-process, spread over worker threads.
// Results are cached by a hash of the sources, flags and compiler version in
// node_modules/.cache/kubectl-wasmpolicy/plugins, so an unchanged plugin is not recompiled.

import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { Worker, isMainThread, parentPort, workerData } from "node:worker_threads";

export const PLUGINS_DIR = dirname(fileURLToPath(import.meta.url));
const DEFAULT_CACHE_DIR = join(PLUGINS_DIR, "..", "node_modules", ".cache", "kubectl-wasmpolicy", "plugins");
const WORKER_TAG = "kubectl-wasmpolicy/plugins/build.mjs";

/**
 * Compiler flags. The guest must import only from `wapc`: AssemblyScript's `abort` goes to the
 * SDK's guestAbort (reports through __guest_error, then traps); nothing uses Math.random
 * (env.seed) or trace (env.trace); no WASI.
 * `--runtime minimal`: no incremental collector (and its write barriers) during a call; the SDK collects every
 * few calls instead (sdk/wapc.ts), which keeps memory bounded on hosts that reuse an instance.
 */
export const ASC_FLAGS = ["--runtime", "minimal", "--use", "abort=sdk/wapc/guestAbort", "-O3", "--noAssert"];

/** Names of the plugin folders (those with a metadata.yml and an assembly/index.ts). */
export function listPlugins(pluginsDir = PLUGINS_DIR) {
  return readdirSync(pluginsDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(pluginsDir, d.name, "metadata.yml")))
    .filter((d) => existsSync(join(pluginsDir, d.name, "assembly", "index.ts")))
    .map((d) => d.name)
    .sort();
}

/** Compiles one plugin in this thread; returns the wasm bytes. */
export async function compilePlugin(name, { pluginsDir = PLUGINS_DIR, flags = ASC_FLAGS } = {}) {
  const { default: asc } = await import("assemblyscript/asc");
  const entry = `${name}/assembly/index.ts`;
  let binary = null;
  let errText = "";
  const { error } = await asc.main([entry, "--baseDir", pluginsDir, "--outFile", "out.wasm", ...flags], {
    readFile: (file, baseDir) => {
      const p = resolve(baseDir, file);
      return existsSync(p) ? readFileSync(p, "utf8") : null;
    },
    writeFile: (file, contents) => {
      if (file.endsWith(".wasm")) binary = contents;
    },
    listFiles: (dir, baseDir) => {
      const p = resolve(baseDir, dir);
      return existsSync(p) ? readdirSync(p).filter((f) => f.endsWith(".ts")) : [];
    },
    stdout: { write() {} },
    stderr: {
      write(s) {
        errText += s;
      },
    },
  });
  if (error || !binary) {
    throw new Error(`AssemblyScript compilation of plugins/${entry} failed: ${error ? error.message : "no output"}\n${errText}`);
  }
  return Buffer.from(binary);
}

function tsFilesUnder(dir) {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...tsFilesUnder(p));
    else if (e.name.endsWith(".ts")) out.push(p);
  }
  return out.sort();
}

function ascVersion() {
  try {
    const pkg = join(PLUGINS_DIR, "..", "node_modules", "assemblyscript", "package.json");
    return JSON.parse(readFileSync(pkg, "utf8")).version;
  } catch {
    return "unknown";
  }
}

/** Hash of everything that determines a plugin's output. */
function sourceHash(name, pluginsDir, flags) {
  const h = createHash("sha256");
  h.update(`asc ${ascVersion()}\0flags ${flags.join(" ")}\0`);
  for (const f of [...tsFilesUnder(join(pluginsDir, "sdk")), ...tsFilesUnder(join(pluginsDir, name, "assembly"))]) {
    h.update(relative(pluginsDir, f) + "\0");
    h.update(readFileSync(f));
    h.update("\0");
  }
  return h.digest("hex").slice(0, 32);
}

/** Compiles `names` on a pool of worker threads; returns Map name → Buffer. */
async function compileMany(names, { pluginsDir, flags, threads }) {
  const results = new Map();
  if (names.length === 0) return results;
  const n = Math.max(1, Math.min(threads, names.length));
  const queue = [...names];
  const failures = [];
  await Promise.all(
    Array.from({ length: n }, () =>
      new Promise((resolveWorker) => {
        const worker = new Worker(fileURLToPath(import.meta.url), {
          workerData: { tag: WORKER_TAG, pluginsDir, flags },
        });
        let current = null;
        const next = () => {
          current = queue.shift() ?? null;
          if (current === null) {
            worker.postMessage({ done: true });
          } else {
            worker.postMessage({ name: current });
          }
        };
        worker.on("message", (m) => {
          if (m.error) failures.push(m.error);
          else results.set(m.name, Buffer.from(m.binary));
          next();
        });
        worker.on("error", (e) => {
          failures.push(`worker failed${current ? ` while compiling ${current}` : ""}: ${e.message}`);
          resolveWorker();
        });
        worker.on("exit", () => resolveWorker());
        next();
      }),
    ),
  );
  if (failures.length) throw new Error(failures.join("\n"));
  return results;
}

/**
 * Builds all plugins (or `names`) to `<outDir>/<name>.raw.wasm`.
 * Options: `cache` (default true; or a directory), `threads` (default: CPU count).
 * @returns {Promise<Array<{name: string, rawWasm: string, metadata: string, dir: string}>>}
 */
export async function buildPlugins({
  outDir,
  names,
  pluginsDir = PLUGINS_DIR,
  flags = ASC_FLAGS,
  cache = true,
  threads = availableParallelism(),
} = {}) {
  if (!outDir) throw new Error("buildPlugins: outDir is required");
  mkdirSync(outDir, { recursive: true });
  const all = listPlugins(pluginsDir);
  const selected = names && names.length ? names : all;
  for (const n of selected) {
    if (!all.includes(n)) throw new Error(`unknown plugin ${n} (have: ${all.join(", ")})`);
  }
  const cacheDir = cache === false ? null : typeof cache === "string" ? cache : DEFAULT_CACHE_DIR;
  const binaries = new Map();
  const hashes = new Map();
  const toCompile = [];
  for (const name of selected) {
    const hash = sourceHash(name, pluginsDir, flags);
    hashes.set(name, hash);
    const cached = cacheDir && join(cacheDir, `${name}-${hash}.wasm`);
    if (cached && existsSync(cached)) binaries.set(name, readFileSync(cached));
    else toCompile.push(name);
  }
  const compiled = await compileMany(toCompile, { pluginsDir, flags, threads });
  for (const [name, bin] of compiled) {
    binaries.set(name, bin);
    if (cacheDir) {
      try {
        mkdirSync(cacheDir, { recursive: true });
        const dst = join(cacheDir, `${name}-${hashes.get(name)}.wasm`);
        writeFileSync(`${dst}.tmp`, bin);
        renameSync(`${dst}.tmp`, dst);
      } catch {
        // the cache is an optimisation only
      }
    }
  }
  return selected.map((name) => {
    const rawWasm = join(outDir, `${name}.raw.wasm`);
    writeFileSync(rawWasm, binaries.get(name));
    return { name, rawWasm, metadata: join(pluginsDir, name, "metadata.yml"), dir: join(pluginsDir, name) };
  });
}

// Worker thread: compile the plugins the main thread sends, one at a time.
if (!isMainThread && workerData && workerData.tag === WORKER_TAG) {
  parentPort.on("message", async (m) => {
    if (m.done) {
      parentPort.close();
      return;
    }
    try {
      const bin = await compilePlugin(m.name, { pluginsDir: workerData.pluginsDir, flags: workerData.flags });
      parentPort.postMessage({ name: m.name, binary: bin });
    } catch (e) {
      parentPort.postMessage({ name: m.name, error: e.message });
    }
  });
}

// CLI
if (isMainThread && process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const args = process.argv.slice(2);
  const noCache = args.includes("--no-cache");
  const [outDir, ...names] = args.filter((a) => a !== "--no-cache");
  if (!outDir) {
    console.error("usage: node plugins/build.mjs <outDir> [--no-cache] [plugin...]");
    process.exit(2);
  }
  const t0 = performance.now();
  try {
    const built = await buildPlugins({ outDir: resolve(outDir), names, cache: !noCache });
    for (const b of built) console.error(`built ${relative(process.cwd(), b.rawWasm)}`);
    console.error(`${built.length} plugins in ${Math.round(performance.now() - t0)} ms`);
  } catch (e) {
    console.error(e.message);
    process.exit(1);
  }
}
