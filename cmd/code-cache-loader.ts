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
import { setFlagsFromString } from 'node:v8';
import { Script, compileFunction } from 'node:vm';
import { HEAP_GROWTH_DEFAULT } from '../lib/base/heap-growth';

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

/** The bundle compiled as a CommonJS module's body. */
type ModuleFunction = (
  exports: unknown,
  require: NodeJS.Require,
  module: Module,
  filename: string,
  dirname: string,
) => void;

const PARAMETERS = ['exports', 'require', 'module', '__filename', '__dirname'];

/**
 * The bundle compiled for a coverage run (NODE_V8_COVERAGE): without the code cache (V8 rejects it under coverage
 * anyway), and as a function body rather than a script that starts with Module.wrap's text, so that the offsets V8
 * reports are offsets in the file c8 maps through the source map: with the wrapper's 62 characters in front, every
 * range landed 62 characters off. docs/testing.md, "What the coverage figures count".
 */
function forCoverage(source: string, file: string): ModuleFunction {
  return compileFunction(source, PARAMETERS, { filename: file }) as ModuleFunction;
}

function run(): void {
  const { file, source, cache } = bundle();
  const writeTo = process.env.KUBECTL_WASMPOLICY_WRITE_CODE_CACHE;
  const wrapper =
    process.env.NODE_V8_COVERAGE && !writeTo ? forCoverage(source, file) : fromScript(source, file, writeTo, cache);
  const main = new Module(file, module);
  main.filename = file;
  main.loaded = true;
  wrapper.call(main.exports, main.exports, createRequire(file), main, file, path.dirname(file));
}

/** The bundle compiled as a script from the code cache (or writing it, for `npm run build` and `npm run package`). */
function fromScript(
  source: string,
  file: string,
  writeTo: string | undefined,
  cache: () => Buffer | undefined,
): ModuleFunction {
  const cachedData = writeTo ? undefined : cache();
  const script = new Script(Module.wrap(source), {
    filename: file,
    ...(cachedData ? { cachedData } : {}),
  });
  if (writeTo) {
    // After the run, so that the functions it compiled are in the cache too.
    process.once('exit', () => {
      // V8 accepts a cache only under the flags it was made with, and the run changed one (lib/base/heap-growth.ts):
      // a cache made under it was rejected by every fresh process. Put back what a fresh process has.
      setFlagsFromString(HEAP_GROWTH_DEFAULT);
      writeFileSync(writeTo + '.tmp', script.createCachedData());
      renameSync(writeTo + '.tmp', writeTo);
    });
  }
  return script.runInThisContext() as ModuleFunction;
}

function readCache(file: string): Buffer | undefined {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

run();
