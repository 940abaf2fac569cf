/**
 * HorizontalPodAutoscaler defaults: kubernetes pkg/apis/autoscaling/v2/defaults.go
 * (SetDefaults_HorizontalPodAutoscaler, SetDefaults_HorizontalPodAutoscalerBehavior,
 * GenerateHPAScaleUpRules / GenerateHPAScaleDownRules) and pkg/apis/autoscaling/v1/defaults.go.
 */
import type { JsonObject } from '../context';
import { child, ensureChild, isEmpty, setDefault } from './json';

const DEFAULT_CPU_UTILIZATION = 80;

/** autoscaling/v2 SetDefaults_HorizontalPodAutoscaler. */
export function defaultHPAv2(obj: JsonObject): void {
  const spec = ensureChild(obj, 'spec');
  setDefault(spec, 'minReplicas', 1);
  if (isEmpty(spec.metrics)) {
    spec.metrics = [
      {
        type: 'Resource',
        resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: DEFAULT_CPU_UTILIZATION } },
      },
    ];
  }
  const behavior = child(spec, 'behavior');
  if (behavior === undefined) return;
  behavior.scaleUp = withDefaults(child(behavior, 'scaleUp'), {
    stabilizationWindowSeconds: 0,
    selectPolicy: 'Max',
    policies: [
      { type: 'Pods', value: 4, periodSeconds: 15 },
      { type: 'Percent', value: 100, periodSeconds: 15 },
    ],
  });
  behavior.scaleDown = withDefaults(child(behavior, 'scaleDown'), {
    selectPolicy: 'Max',
    policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }],
  });
}

/** copyHPAScalingRules: each of the user's fields that is set replaces the default's. */
function withDefaults(user: JsonObject | undefined, defaults: JsonObject): JsonObject {
  if (user === undefined) return defaults;
  const out: JsonObject = { ...defaults };
  for (const key of ['selectPolicy', 'stabilizationWindowSeconds', 'policies', 'tolerance']) {
    const v = user[key];
    if (v !== undefined && v !== null) out[key] = v;
  }
  return out;
}

/** autoscaling/v1 SetDefaults_HorizontalPodAutoscaler. */
export function defaultHPAv1(obj: JsonObject): void {
  setDefault(ensureChild(obj, 'spec'), 'minReplicas', 1);
}
