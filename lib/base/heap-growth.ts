import { setFlagsFromString } from 'node:v8';

/**
 * How much V8 lets a heap grow past what the last full collection kept, in percent. V8's default factor goes up
 * to 4× on a machine with memory to spare: for a long run whose live data is 100-150 MiB (the results of 20,000
 * objects), that let the main thread's heap reach 400 MiB before collecting. At 1.5× the same runs peaked at about
 * 320 MiB instead of 520 MiB; at 1.2×, 50 files of 1,000 objects with 2 workers peak at 390 MiB instead of 417 for
 * 1.5-1.7 % more CPU (two runs of each, alternated; docs/performance.md, round 4, memory).
 */
const HEAP_GROWING_PERCENT = 20;

/** The flag as a fresh process has it (V8 decides the factor), for a run that must look fresh again (cmd/code-cache-loader.ts). */
export const HEAP_GROWTH_DEFAULT = '--heap-growing-percent=0';

let bounded = false;

/**
 * Bounds heap growth for the rest of the process, every thread included (V8 flags are process-wide and read at
 * each collection). Called by runs whose memory grows with their input: their peak is then set by the work in
 * flight and the results, not by how long the collector waits.
 */
export function boundHeapGrowth(): void {
  if (bounded) return;
  bounded = true;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
}
