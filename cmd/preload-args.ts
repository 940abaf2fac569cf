// Whether the command line is a `check` with the bundled set and default evaluation options (cmd/preload.ts),
// decided on the raw arguments before anything else loads, so kept free of imports.

/** Flags after which the run would not use the bundled set as started here. */
const OTHER_RUN = new Set([
  '--policy',
  '--policies',
  '--from-cluster',
  '--help',
  '--verbose',
  '--quiet',
  '--workers',
  '--timeout',
  '--memory-limit',
  '--max-output-size',
  '--record-host-capabilities-interactions',
  '--replay-host-capabilities-interactions',
  '--allowed-host-capabilities',
]);
/** Short flags among them (also inside groups such as -vR). */
const OTHER_RUN_SHORT = /[phvq]/;

export function wantsBundledCheck(argv: readonly string[]): boolean {
  if (argv.find((a) => !a.startsWith('-')) !== 'check') return false;
  for (const a of argv) {
    if (a === '--') break;
    if (a.startsWith('--')) {
      // yargs also accepts --camelCase spellings.
      const name = a.split('=')[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
      if (OTHER_RUN.has(name)) return false;
    } else if (a.startsWith('-') && a.length > 1 && OTHER_RUN_SHORT.test(a.slice(1).split('=')[0])) {
      return false;
    }
  }
  return true;
}
