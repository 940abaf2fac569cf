/** How `check` runs the API-server stage (flags --kubernetes-version, --validate, --apply-mode, --independent). */
import type { KubernetesVersion } from './context';
import type { ApplyMode } from './kubectl-apply';
import type { FieldValidation, StageOptions } from './stage';

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

/**
 * The stage's options for one object of a run: the run's flags, the request's operation and default namespace
 * (kubectl's `default` when none is given), and what the object brings (its CRD, its stored object on UPDATE).
 */
export function stageOptionsFor(
  s: ApiServerOptions,
  request: { operation: StageOptions['operation']; defaultNamespace?: string },
  object: { crd?: StageOptions['crd'] | undefined; old?: StageOptions['old'] | undefined } = {},
): StageOptions {
  return {
    kubernetesVersion: s.kubernetesVersion,
    validate: s.validate,
    applyMode: s.applyMode,
    defaultNamespace: request.defaultNamespace ?? 'default',
    operation: request.operation,
    now: s.now,
    ...(object.crd ? { crd: object.crd } : {}),
    ...(object.old ? { old: object.old } : {}),
  };
}
