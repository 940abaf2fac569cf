/** apps/v1 defaults: SetDefaults_* of kubernetes pkg/apis/apps/v1/defaults.go plus the templates' PodSpec defaults. */
import type { DefaultingContext, JsonObject } from '../context';
import { gateEnabled } from './feature-gates';
import { child, children, ensureChild, isObject, setDefault } from './json';
import { defaultPodTemplate } from './pod-spec';
import { defaultPersistentVolumeClaim } from './core';

/** SetDefaults_Deployment. */
export function defaultDeployment(obj: JsonObject, ctx: DefaultingContext): void {
  const spec = ensureChild(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  const strategy = ensureChild(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rollingUpdate = ensureChild(strategy, 'rollingUpdate');
    setDefault(rollingUpdate, 'maxUnavailable', '25%');
    setDefault(rollingUpdate, 'maxSurge', '25%');
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  setDefault(spec, 'progressDeadlineSeconds', 600);
  defaultPodTemplate(ensureChild(spec, 'template'), ctx);
}

/**
 * SetDefaults_StatefulSet: `rollingUpdate: {}` is created only when the type itself was defaulted, and its
 * fields are defaulted only when the object exists.
 */
export function defaultStatefulSet(obj: JsonObject, ctx: DefaultingContext): void {
  const spec = ensureChild(obj, 'spec');
  setDefault(spec, 'podManagementPolicy', 'OrderedReady');
  const strategy = ensureChild(spec, 'updateStrategy');
  if (strategy.type === undefined || strategy.type === null || strategy.type === '') {
    strategy.type = 'RollingUpdate';
    if (!isObject(strategy.rollingUpdate)) strategy.rollingUpdate = {};
  }
  const rollingUpdate = child(strategy, 'rollingUpdate');
  if (strategy.type === 'RollingUpdate' && rollingUpdate !== undefined) {
    setDefault(rollingUpdate, 'partition', 0);
    if (gateEnabled(ctx, 'MaxUnavailableStatefulSet')) setDefault(rollingUpdate, 'maxUnavailable', 1);
  }
  const retention = ensureChild(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefault(retention, 'whenDeleted', 'Retain');
  setDefault(retention, 'whenScaled', 'Retain');
  setDefault(spec, 'replicas', 1);
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(ensureChild(spec, 'template'), ctx);
  for (const claim of children(spec, 'volumeClaimTemplates')) defaultPersistentVolumeClaim(claim);
}

/** SetDefaults_DaemonSet. */
export function defaultDaemonSet(obj: JsonObject, ctx: DefaultingContext): void {
  const spec = ensureChild(obj, 'spec');
  const strategy = ensureChild(spec, 'updateStrategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const rollingUpdate = ensureChild(strategy, 'rollingUpdate');
    setDefault(rollingUpdate, 'maxUnavailable', 1);
    setDefault(rollingUpdate, 'maxSurge', 0);
  }
  setDefault(spec, 'revisionHistoryLimit', 10);
  defaultPodTemplate(ensureChild(spec, 'template'), ctx);
}

/** SetDefaults_ReplicaSet. */
export function defaultReplicaSet(obj: JsonObject, ctx: DefaultingContext): void {
  const spec = ensureChild(obj, 'spec');
  setDefault(spec, 'replicas', 1);
  defaultPodTemplate(ensureChild(spec, 'template'), ctx);
}
