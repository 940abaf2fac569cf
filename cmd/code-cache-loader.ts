// The CLI's entry point for `node dist/kubectl-wasmpolicy.cjs` (and bin/, which npm installs) and the single
// executable: runs the CLI bundle (kubectl-wasmpolicy-main.cjs, beside this file or a SEA asset) from V8's code cache
// when one made by this Node.js version ships with it. Compiling the 2.3 MB bundle and the functions a `check` runs costs ~60 ms of CPU on every call without
// it (docs/performance.md, round 4); Node 20 has no compile cache of its own (module.enableCompileCache is 22.1+).
//
// The cache is made by `npm run build` and `npm run package` (KUBECTL_WASMPOLICY_WRITE_CODE_CACHE, below, with the
// Node.js that will run it) and never written at run time: nothing lands in the user's directories, and a cache is
// only ever as trusted as the bundle it ships with. V8 checks that a cache fits its version, flags and source
// (length): one that does not is rejected and the bundle compiles as it always did. In the single executable this
// replaces the blob's own code cache (`useCodeCache`), which holds only the bundle's top level.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import * as path from 'node:path';
import * as sea from 'node:sea';
import { Script } from 'node:vm';

export const MAIN = 'kubectl-wasmpolicy-main.cjs';
export const CODE_CACHE = `${MAIN}.codecache`;

/** The bundle and its cache: SEA assets in the single executable, files beside this one otherwise. */
interface Bundle {
  /** The bundle's __filename: the executable in the single executable, as when the bundle was its main. */
  file: string;
  source: string;
  cache(): Buffer | undefined;
}

function bundle(): Bundle {
  if (sea.isSea())
    return {
      file: process.execPath,
      // Decoded by Buffer (simdutf): getAsset's own 'utf8' decoding took ~38 ms for the 2.3 MB bundle.
      source: Buffer.from(sea.getAsset(MAIN)).toString('utf8'),
      cache: () => {
        try {
          return Buffer.from(sea.getAsset(CODE_CACHE));
        } catch {
          return undefined;
        }
      },
    };
  const file = path.join(__dirname, MAIN);
  return { file, source: readFileSync(file, 'utf8'), cache: () => readCache(file + '.codecache') };
}

function run(): void {
  const { file, source, cache } = bundle();
  const writeTo = process.env.KUBECTL_WASMPOLICY_WRITE_CODE_CACHE;
  // Coverage runs (NODE_V8_COVERAGE) count what is compiled, so they compile everything as without a cache.
  const cachedData = writeTo || process.env.NODE_V8_COVERAGE ? undefined : cache();
  const script = new Script(Module.wrap(source), {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  if (writeTo) {
    // After the run, so that the functions it compiled are in the cache too.
    process.once('exit', () => {
      writeFileSync(writeTo + '.tmp', script.createCachedData());
      renameSync(writeTo + '.tmp', writeTo);
    });
  }
  const wrapper = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: Module,
    filename: string,
    dirname: string,
  ) => void;
  const main = new Module(file, module);
  main.filename = file;
  main.loaded = true;
  wrapper.call(main.exports, main.exports, createRequire(file), main, file, path.dirname(file));
}

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

run();
