import { prewarmWorker } from '../lib/wasm/pool/prewarm';

// `check` evaluates in worker threads: start the first one before the CLI itself loads, so the two overlap.
if (process.argv.slice(2).includes('check')) prewarmWorker();
void import('./main').then(({ main }) => main());
