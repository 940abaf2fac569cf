/**
 * PrepareForCreate of the kinds with pod templates (kubernetes pkg/registry/core/{replicationcontroller,
 * podtemplate}/strategy.go, pkg/registry/apps/{deployment,replicaset,statefulset,daemonset}/strategy.go,
 * pkg/registry/batch/{job,cronjob}/strategy.go): status reset (with the counters the Go status structs
 * always encode), generation 1, the template's disabled fields dropped.
 */
import type { JsonObject, ObjectContext } from '../context';
import { setDaemonSetTemplateGeneration } from '../defaults/conversion';
import { gateEnabled } from '../defaults/feature-gates';
import { child, ensureChild, str } from '../defaults/json';
import { dropDisabledTemplateFields } from './drop-disabled';

function generationOne(obj: JsonObject): void {
  ensureChild(obj, 'metadata').generation = 1;
}

export function prepareReplicationController(obj: JsonObject, ctx: ObjectContext): void {
  obj.status = { replicas: 0 };
  generationOne(obj);
  dropDisabledTemplateFields(child(child(obj, 'spec') ?? {}, 'template'), ctx);
}

export function preparePodTemplate(obj: JsonObject, ctx: ObjectContext): void {
  generationOne(obj);
  dropDisabledTemplateFields(child(obj, 'template'), ctx);
}

export function prepareDeployment(obj: JsonObject, ctx: ObjectContext): void {
  obj.status = {};
  generationOne(obj);
  dropDisabledTemplateFields(child(child(obj, 'spec') ?? {}, 'template'), ctx);
}

export function prepareReplicaSet(obj: JsonObject, ctx: ObjectContext): void {
  obj.status = { replicas: 0 };
  generationOne(obj);
  dropDisabledTemplateFields(child(child(obj, 'spec') ?? {}, 'template'), ctx);
}

export function prepareStatefulSet(obj: JsonObject, ctx: ObjectContext): void {
  obj.status = { replicas: 0, availableReplicas: 0 };
  generationOne(obj);
  const spec = child(obj, 'spec') ?? {};
  if (!gateEnabled(ctx, 'MaxUnavailableStatefulSet')) {
    delete child(child(spec, 'updateStrategy') ?? {}, 'rollingUpdate')?.maxUnavailable;
  }
  dropDisabledTemplateFields(child(spec, 'template'), ctx);
}

export function prepareDaemonSet(obj: JsonObject, ctx: ObjectContext): void {
  obj.status = { currentNumberScheduled: 0, numberMisscheduled: 0, desiredNumberScheduled: 0, numberReady: 0 };
  generationOne(obj);
  // The internal templateGeneration starts at 1; conversion writes it back as the annotation.
  setDaemonSetTemplateGeneration(obj, 1);
  dropDisabledTemplateFields(child(child(obj, 'spec') ?? {}, 'template'), ctx);
}

const JOB_NAME_LABELS = ['job-name', 'batch.kubernetes.io/job-name'];
const CONTROLLER_UID_LABELS = ['controller-uid', 'batch.kubernetes.io/controller-uid'];

/** generateSelector: unless manualSelector, template labels and the selector get the job's name and uid. */
export function generateJobSelector(obj: JsonObject): void {
  const spec = ensureChild(obj, 'spec');
  if (spec.manualSelector === true) return;
  const metadata = ensureChild(obj, 'metadata');
  const labels = ensureChild(ensureChild(ensureChild(spec, 'template'), 'metadata'), 'labels');
  for (const key of JOB_NAME_LABELS) if (!(key in labels)) labels[key] = str(metadata.name);
  for (const key of CONTROLLER_UID_LABELS) if (!(key in labels)) labels[key] = str(metadata.uid);
  const matchLabels = ensureChild(ensureChild(spec, 'selector'), 'matchLabels');
  if (!('batch.kubernetes.io/controller-uid' in matchLabels))
    matchLabels['batch.kubernetes.io/controller-uid'] = str(metadata.uid);
}

export function prepareJob(obj: JsonObject, ctx: ObjectContext): void {
  generateJobSelector(obj);
  obj.status = {};
  generationOne(obj);
  dropDisabledTemplateFields(child(child(obj, 'spec') ?? {}, 'template'), ctx);
}

export function prepareCronJob(obj: JsonObject, ctx: ObjectContext): void {
  obj.status = {};
  generationOne(obj);
  const jobSpec = child(child(child(obj, 'spec') ?? {}, 'jobTemplate') ?? {}, 'spec');
  dropDisabledTemplateFields(jobSpec === undefined ? undefined : child(jobSpec, 'template'), ctx);
}
