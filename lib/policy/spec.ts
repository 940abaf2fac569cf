import type { ExecutionMode } from '../wasm/metadata';

export type PolicyMode = 'protect' | 'monitor';

/** What to run and how: one entry of a policies.yml, a -p flag, or one of the bundled policies. */
export interface PolicySpec {
  /** Name shown in results (the policies.yml key, the builtin name, or the file's base name). */
  id: string;
  /** Where the module comes from: builtin://NAME, file://..., a path, https://..., registry://... */
  module: string;
  settings: Record<string, unknown>;
  executionMode?: ExecutionMode;
  mode: PolicyMode;
  /** Whether a patch is let through (Kubewarden: the CRD's `mutating`); undefined means "as the metadata says". */
  allowedToMutate?: boolean;
  /** Custom rejection message (policy-server's `message`). */
  message?: string;
  /** Where the spec was written, for error messages ("-p flag", "bundled set", "policies.yml:12"). */
  origin: string;
}
