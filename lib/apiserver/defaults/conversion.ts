/**
 * Effects of the versioned → internal → versioned conversions that both webhook stages see (spec §6.3):
 * kubernetes pkg/apis/core/v1/conversion.go (Secret stringData, Pod serviceAccount mirroring, negative grace
 * periods, legacy init-container annotations), pkg/apis/apps/v1/conversion.go (DaemonSet template
 * generation annotation, StatefulSet volumeClaimTemplates type meta) and pkg/apis/autoscaling/v1/conversion.go
 * (the implicit CPU target of autoscaling/v1 HorizontalPodAutoscalers).
 */
import type { DefaultingContext, JsonObject } from '../context';
import { child, children, ensureChild, isObject, str } from './json';

export const DAEMONSET_TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';

/** Annotations Convert_v1_Pod_To_core_Pod / the template conversion drop (init containers before they were fields). */
const LEGACY_INIT_CONTAINER_ANNOTATIONS = [
  'pod.beta.kubernetes.io/init-containers',
  'pod.alpha.kubernetes.io/init-containers',
  'pod.beta.kubernetes.io/init-container-statuses',
  'pod.alpha.kubernetes.io/init-container-statuses',
];

/** Where the pod template sits in each workload kind. */
function podTemplateOf(obj: JsonObject, group: string, kind: string): JsonObject | undefined {
  const spec = child(obj, 'spec');
  if (group === '' && kind === 'PodTemplate') return child(obj, 'template');
  if (spec === undefined) return undefined;
  if (group === 'batch' && kind === 'CronJob')
    return child(child(child(spec, 'jobTemplate') ?? {}, 'spec') ?? {}, 'template');
  if (
    (group === '' && kind === 'ReplicationController') ||
    (group === 'apps' && kind !== 'ControllerRevision') ||
    (group === 'batch' && kind === 'Job')
  ) {
    return child(spec, 'template');
  }
  return undefined;
}

export function applyConversionEffects(obj: JsonObject, ctx: DefaultingContext): void {
  const { group, kind } = ctx;
  if (group === '' && kind === 'Secret') mergeStringData(obj);
  if (group === '' && kind === 'Pod') {
    const spec = child(obj, 'spec');
    if (spec !== undefined) {
      mirrorServiceAccount(spec);
      if (typeof spec.terminationGracePeriodSeconds === 'number' && spec.terminationGracePeriodSeconds < 0)
        spec.terminationGracePeriodSeconds = 1;
    }
    dropLegacyInitContainerAnnotations(obj);
  }
  const template = podTemplateOf(obj, group, kind);
  if (template !== undefined) {
    const spec = child(template, 'spec');
    if (spec !== undefined) mirrorServiceAccount(spec);
    dropLegacyInitContainerAnnotations(template);
  }
  if (group === 'apps' && kind === 'StatefulSet') {
    for (const claim of children(child(obj, 'spec') ?? {}, 'volumeClaimTemplates')) {
      // kind and apiVersion come first in the encoding, as for any object.
      const rest: JsonObject = { ...claim };
      delete rest.kind;
      delete rest.apiVersion;
      for (const k of Object.keys(claim)) delete claim[k];
      Object.assign(claim, { kind: 'PersistentVolumeClaim', apiVersion: 'v1' }, rest);
    }
  }
  if (group === 'apps' && kind === 'DaemonSet') setDaemonSetTemplateGeneration(obj, undefined);
  if (group === 'autoscaling' && ctx.version === 'v1' && kind === 'HorizontalPodAutoscaler') defaultHPAv1CPUTarget(obj);
}

const HPA_METRICS_ANNOTATION = 'autoscaling.alpha.kubernetes.io/metrics';
const DEFAULT_CPU_UTILIZATION = 80;

/**
 * Convert_v1_HorizontalPodAutoscaler_To_autoscaling_HorizontalPodAutoscaler gives an HPA without any metric
 * (no targetCPUUtilizationPercentage, no metrics annotation) the 80 % CPU metric; converted back to v1 that
 * is `targetCPUUtilizationPercentage: 80`.
 */
export function defaultHPAv1CPUTarget(obj: JsonObject): void {
  const spec = ensureChild(obj, 'spec');
  if (typeof spec.targetCPUUtilizationPercentage === 'number') return;
  const annotations = child(child(obj, 'metadata') ?? {}, 'annotations') ?? {};
  if (typeof annotations[HPA_METRICS_ANNOTATION] === 'string') return;
  spec.targetCPUUtilizationPercentage = DEFAULT_CPU_UTILIZATION;
}

/** Convert_v1_Secret_To_core_Secret: stringData entries overwrite data entries, base64 of their UTF-8. */
export function mergeStringData(secret: JsonObject): void {
  const stringData = child(secret, 'stringData');
  if (stringData === undefined) {
    delete secret.stringData;
    return;
  }
  const entries = Object.entries(stringData);
  if (entries.length > 0) {
    const data = ensureChild(secret, 'data');
    for (const [k, v] of entries) data[k] = Buffer.from(str(v), 'utf8').toString('base64');
    secret.data = Object.fromEntries(Object.entries(data).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }
  delete secret.stringData;
}

/** Convert_v1_PodSpec_To_core_PodSpec / Convert_core_PodSpec_To_v1_PodSpec: serviceAccount = serviceAccountName. */
export function mirrorServiceAccount(spec: JsonObject): void {
  const name = str(spec.serviceAccountName) || str(spec.serviceAccount);
  if (name === '') {
    delete spec.serviceAccount;
    delete spec.serviceAccountName;
    return;
  }
  spec.serviceAccountName = name;
  spec.serviceAccount = name;
}

function dropLegacyInitContainerAnnotations(objOrTemplate: JsonObject): void {
  const annotations = child(child(objOrTemplate, 'metadata') ?? {}, 'annotations');
  if (annotations === undefined) return;
  for (const key of LEGACY_INIT_CONTAINER_ANNOTATIONS) delete annotations[key];
  if (Object.keys(annotations).length === 0) delete child(objOrTemplate, 'metadata')?.annotations;
}

/**
 * Convert_v1_DaemonSet_To_apps_DaemonSet parses the annotation into the internal templateGeneration (and
 * removes it); the way back always writes it. `generation` undefined keeps a valid input value, else 0;
 * PrepareForCreate passes 1.
 */
export function setDaemonSetTemplateGeneration(obj: JsonObject, generation: number | undefined): void {
  const metadata = ensureChild(obj, 'metadata');
  const annotations: JsonObject = isObject(metadata.annotations) ? metadata.annotations : {};
  let value = generation;
  if (value === undefined) {
    const current = annotations[DAEMONSET_TEMPLATE_GENERATION];
    value = typeof current === 'string' && /^[+-]?\d+$/.test(current) ? Number.parseInt(current, 10) : 0;
  }
  annotations[DAEMONSET_TEMPLATE_GENERATION] = String(value);
  metadata.annotations = Object.fromEntries(
    Object.entries(annotations).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
  );
}
