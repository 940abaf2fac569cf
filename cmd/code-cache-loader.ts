// The CLI's entry point for `node dist/kubectl-wasmpolicy.cjs` (and bin/, which npm installs): runs the CLI bundle
// (kubectl-wasmpolicy-main.cjs, beside this file) from V8's code cache when one made by this Node.js version ships
// with it. Compiling the 2.3 MB bundle and the functions a `check` runs costs ~60 ms of CPU on every call without
// it (docs/performance.md, round 4); Node 20 has no compile cache of its own (module.enableCompileCache is 22.1+).
//
// The cache is made by `npm run build` (KUBECTL_WASMPOLICY_WRITE_CODE_CACHE, below) and never written at run time:
// nothing lands in the user's directories, and a cache is only ever as trusted as the bundle next to it. V8 checks
// that a cache fits its version, flags and source (length): one that does not is rejected and the bundle compiles as
// it always did. The single executable does not use this file: its blob has a code cache of its own.
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import * as path from 'node:path';
import { Script } from 'node:vm';

const MAIN = 'kubectl-wasmpolicy-main.cjs';

function run(): void {
  const file = path.join(__dirname, MAIN);
  const source = readFileSync(file, 'utf8');
  const writeTo = process.env.KUBECTL_WASMPOLICY_WRITE_CODE_CACHE;
  // Coverage runs (NODE_V8_COVERAGE) count what is compiled, so they compile everything as without a cache.
  const cachedData = writeTo || process.env.NODE_V8_COVERAGE ? undefined : readCache(file + '.codecache');
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
