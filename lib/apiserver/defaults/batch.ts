/** batch/v1 defaults: SetDefaults_Job and SetDefaults_CronJob of kubernetes pkg/apis/batch/v1/defaults.go. */
import type { DefaultingContext, JsonObject } from '../context';
import { gateEnabled } from './feature-gates';
import { child, children, ensureChild, isEmpty, isObject, isUnset, setDefault } from './json';
import { defaultPodTemplate } from './pod-spec';

const MAX_INT32 = 2147483647;

/** SetDefaults_Job. */
export function defaultJob(obj: JsonObject, ctx: DefaultingContext): void {
  const spec = ensureChild(obj, 'spec');
  if (isUnset(spec.completions) && isUnset(spec.parallelism)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  setDefault(spec, 'parallelism', 1);
  if (isUnset(spec.backoffLimit)) spec.backoffLimit = isUnset(spec.backoffLimitPerIndex) ? 6 : MAX_INT32;
  const templateLabels = child(child(child(spec, 'template') ?? {}, 'metadata') ?? {}, 'labels');
  const metadata = ensureChild(obj, 'metadata');
  if (templateLabels !== undefined && isEmpty(metadata.labels)) metadata.labels = structuredClone(templateLabels);
  setDefault(spec, 'completionMode', 'NonIndexed');
  setDefault(spec, 'suspend', false);
  defaultPodFailurePolicy(spec);
  if (gateEnabled(ctx, 'JobPodReplacementPolicy')) {
    setDefault(spec, 'podReplacementPolicy', isObject(spec.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed');
  }
  setDefault(spec, 'manualSelector', false);
  defaultPodTemplate(ensureChild(spec, 'template'), ctx);
}

/** PodFailurePolicyOnPodConditionsPattern `status` defaults to "True". */
export function defaultPodFailurePolicy(jobSpec: JsonObject): void {
  for (const rule of children(child(jobSpec, 'podFailurePolicy') ?? {}, 'rules')) {
    for (const pattern of children(rule, 'onPodConditions')) setDefault(pattern, 'status', 'True');
  }
}

/** SetDefaults_CronJob; the job template gets only its pod template's and pod-failure-policy defaults. */
export function defaultCronJob(obj: JsonObject, ctx: DefaultingContext): void {
  const spec = ensureChild(obj, 'spec');
  setDefault(spec, 'concurrencyPolicy', 'Allow');
  setDefault(spec, 'suspend', false);
  setDefault(spec, 'successfulJobsHistoryLimit', 3);
  setDefault(spec, 'failedJobsHistoryLimit', 1);
  const jobSpec = ensureChild(ensureChild(spec, 'jobTemplate'), 'spec');
  defaultPodFailurePolicy(jobSpec);
  defaultPodTemplate(ensureChild(jobSpec, 'template'), ctx);
}
