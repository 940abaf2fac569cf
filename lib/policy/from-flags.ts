import * as path from 'node:path';
import type { ExecutionMode } from '../wasm/metadata';
import { BUNDLED_SCHEME } from '../store/bundled';
import type { PolicySpec } from './spec';

/** Policies named with -p: each matches what its metadata rules allow, in protect mode. */
export function policiesFromRefs(
  refs: readonly string[],
  opts: { settings?: Record<string, unknown>; executionMode?: ExecutionMode },
): PolicySpec[] {
  const seen = new Map<string, number>();
  return refs.map((ref) => {
    let id = policyIdFromRef(ref);
    const n = (seen.get(id) ?? 0) + 1;
    seen.set(id, n);
    if (n > 1) id = `${id}-${n}`;
    const spec: PolicySpec = { id, module: ref, settings: opts.settings ?? {}, mode: 'protect', origin: `-p ${ref}` };
    if (opts.executionMode) spec.executionMode = opts.executionMode;
    return spec;
  });
}

/** A short readable name: the bundled policy's name, or the file/repository base name without extension or tag. */
export function policyIdFromRef(ref: string): string {
  if (ref.startsWith(BUNDLED_SCHEME)) return ref.slice(BUNDLED_SCHEME.length);
  const noQuery = ref.replace(/[?#].*$/, '').replace(/@sha256:[0-9a-f]+$/, '');
  const base = path.posix.basename(noQuery.replace(/\\/g, '/'));
  return base.replace(/\.wasm$/, '').replace(/:[^:/]+$/, '') || ref;
}
