import { bundledPolicySet } from '../lib/policy/bundled';
import { bundledPolicyAsset, bundledPolicyPath } from '../lib/store/bundled';
import { dropSpeculativeStart, startSpeculatively } from '../lib/evaluation/start';
import { compilePolicy } from '../lib/wasm/compile';
import { DEFAULT_EVALUATION_LIMITS } from '../lib/wasm/limits';
import { readFileSync } from 'node:fs';
import { EVALUATION_OPTIONS } from './evaluation-options';
import { logLevelFor } from './context';
import { wantsBundledCheck } from './preload-args';

/**
 * `check` with the bundled set is the common case (a pre-commit hook): its policies start compiling before the CLI
 * is even loaded (on V8's threads), and are handed to the evaluation pool, which starts them (instantiation, init,
 * settings validation) as soon as this thread is free. The run uses that work only if it turns out to want exactly
 * it (lib/evaluation/start.ts); otherwise it is dropped and nothing changes.
 *
 * Decided on the raw arguments, conservatively: any flag that selects other policies or changes how they run
 * (log level, limits, workers) means no speculation, and so does help.
 */
export function preloadBundledSet(argv: readonly string[]): void {
  if (!wantsBundledCheck(argv)) return;
  try {
    const specs = bundledPolicySet();
    if (specs.length === 0) return;
    const limits = DEFAULT_EVALUATION_LIMITS;
    const names = specs.map((s) => `policy ${s.id} (${s.module})`);
    const bytes = specs.map((s) => {
      const name = s.module.slice('builtin://'.length);
      return bundledPolicyAsset(name) ?? readFileSync(bundledPolicyPath(name));
    });
    // Compiled by V8's own threads while this one loads the CLI (the modules' validation was ~16 ms here).
    const compiled = Promise.all(bytes.map((b, i) => compilePolicy(names[i], b, limits.memoryLimitBytes)));
    startSpeculatively(specs, compiled, names, {
      limits,
      workers: EVALUATION_OPTIONS.workers.default,
      logLevel: logLevelFor({ verbose: 0 }),
    });
  } catch {
    // Anything unusual is left to the run itself, which reports it.
  }
}

/** Closes what `preloadBundledSet` started if the run did not use it. */
export function dropPreloaded(): Promise<void> {
  return dropSpeculativeStart();
}
