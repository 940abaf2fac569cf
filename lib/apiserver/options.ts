/** How `check` runs the API-server stage (flags --kubernetes-version, --validate, --apply-mode, --independent). */
import type { KubernetesVersion } from './context';
import type { ApplyMode } from './kubectl-apply';
import type { FieldValidation } from './stage';

export interface ApiServerOptions {
  kubernetesVersion: KubernetesVersion;
  validate: FieldValidation;
  applyMode: ApplyMode;
  /** Each policy on the object after the API server's own steps, instead of the mutating chain's result. */
  independent: boolean;
  now: Date;
  /** `check` of live objects (`audit`): already typed and defaulted by the cluster, so the stage is skipped. */
  skip?: boolean;
}

/** The object state a verdict was given on. */
export type Stage = 'mutating' | 'validating';
