/**
 * Input limits. They exist so that a hostile or broken input (alias bombs, endless nesting, a multi-GB file)
 * produces an error result instead of exhausting memory or hanging. See docs/input.md.
 */
export interface InputLimits {
  /** Largest file, stdin or URL body read, in bytes. */
  maxInputBytes: number;
  /** Deepest nesting of collections in one document. */
  maxDepth: number;
  /** Most alias nodes (`*ref`) in one document. */
  maxAliases: number;
  /** Most nodes a document may expand to once aliases are resolved (what JSON serialisation would produce). */
  maxExpandedNodes: number;
  /**
   * Most bytes a document may expand to once aliases are resolved (its JSON size). The API server refuses request
   * bodies over 3 MiB (k8s.io/apiserver's MaxRequestBodyBytes), so a larger object could never be applied anyway.
   */
  maxExpandedBytes: number;
  /** Seconds to wait for an http(s) input. */
  urlTimeoutSeconds: number;
}

export const DEFAULT_LIMITS: InputLimits = {
  maxInputBytes: 256 * 1024 * 1024,
  maxDepth: 1000,
  maxAliases: 10_000,
  maxExpandedNodes: 5_000_000,
  maxExpandedBytes: 64 * 1024 * 1024,
  urlTimeoutSeconds: 30,
};
