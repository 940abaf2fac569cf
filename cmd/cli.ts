import { prewarmWorker } from '../lib/wasm/pool/prewarm';

const argv = process.argv.slice(2);
const check = argv.includes('check');
// `check` evaluates in worker threads: start the first one before anything else loads, so the two overlap. With
// the bundled set, its policies are then compiled and handed to that worker before the CLI loads (./preload.ts).
if (check) prewarmWorker();
const preloaded = check
  ? import('./preload').then((p) => {
      p.preloadBundledSet(argv);
      return p;
    })
  : undefined;
void (preloaded ?? Promise.resolve())
  .then(() => import('./main'))
  .then(({ main }) => main())
  // What the run did not use must not keep the process alive.
  .finally(() => preloaded?.then((p) => p.dropPreloaded()));
