import { prewarmWorker } from '../lib/wasm/pool/prewarm';
import { wantsBundledCheck } from './preload-args';

const argv = process.argv.slice(2);
const check = argv.includes('check');
const bundled = check && wantsBundledCheck(argv);
// `check` of the bundled set evaluates on this thread while the run is small, and its policies are compiled and
// started before the CLI loads (./preload.ts). Other checks may need worker threads (policies that call the host):
// the first one starts before anything else loads, so the two overlap.
if (check && !bundled) prewarmWorker();
const preloaded = bundled
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
