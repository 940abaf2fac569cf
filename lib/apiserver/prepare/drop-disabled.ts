/**
 * Fields of disabled features dropped on create (spec §5.1/§5.2): kubernetes pkg/api/pod/util.go
 * DropDisabledPodFields / DropDisabledTemplateFields with no old object (so "in use by the old object" never
 * applies). Each rule names the gate it follows; the gate states per version are in
 * ../defaults/feature-gates.ts.
 */
import type { JsonObject, ObjectContext } from '../context';
import { gateEnabled } from '../defaults/feature-gates';
import { child, children, isObject } from '../defaults/json';

function allContainers(spec: JsonObject): JsonObject[] {
  return [
    ...children(spec, 'initContainers'),
    ...children(spec, 'containers'),
    ...children(spec, 'ephemeralContainers'),
  ];
}

export function dropDisabledPodSpecFields(spec: JsonObject, ctx: ObjectContext): void {
  if (!gateEnabled(ctx, 'ContainerStopSignals')) {
    for (const c of allContainers(spec)) {
      const lifecycle = child(c, 'lifecycle');
      if (lifecycle === undefined || !('stopSignal' in lifecycle)) continue;
      delete lifecycle.stopSignal;
      // dropContainerStopSignals: a lifecycle left empty becomes nil.
      if (Object.keys(lifecycle).length === 0) delete c.lifecycle;
    }
  }
  if (!gateEnabled(ctx, 'GenericWorkload')) delete spec.workloadRef;
  if (!gateEnabled(ctx, 'HostnameOverride')) delete spec.hostnameOverride;
  if (!gateEnabled(ctx, 'PodLevelResources')) delete spec.resources;
  if (!gateEnabled(ctx, 'DynamicResourceAllocation')) {
    delete spec.resourceClaims;
    for (const c of allContainers(spec)) delete child(c, 'resources')?.claims;
  }
  if (!gateEnabled(ctx, 'ClusterTrustBundleProjection') || !gateEnabled(ctx, 'PodCertificateRequest')) {
    for (const volume of children(spec, 'volumes')) {
      for (const source of children(child(volume, 'projected') ?? {}, 'sources')) {
        if (!gateEnabled(ctx, 'ClusterTrustBundleProjection')) delete source.clusterTrustBundle;
        if (!gateEnabled(ctx, 'PodCertificateRequest')) delete source.podCertificate;
      }
    }
  }
  if (!gateEnabled(ctx, 'EnvFiles')) {
    for (const c of allContainers(spec))
      for (const env of children(c, 'env')) delete child(env, 'valueFrom')?.fileKeyRef;
  }
  if (!gateEnabled(ctx, 'ContainerRestartRules')) dropContainerRestartRules(spec);
  if (!gateEnabled(ctx, 'ImageVolume')) dropImageVolumes(spec);
}

/** Without ContainerRestartRules only sidecar init containers (`restartPolicy: Always`) keep a restart policy. */
function dropContainerRestartRules(spec: JsonObject): void {
  for (const c of children(spec, 'initContainers')) {
    if (c.restartPolicy !== undefined && c.restartPolicy !== 'Always') delete c.restartPolicy;
    delete c.restartPolicyRules;
  }
  for (const c of [...children(spec, 'containers'), ...children(spec, 'ephemeralContainers')]) {
    delete c.restartPolicy;
    delete c.restartPolicyRules;
  }
}

/** dropImageVolumes: image volumes and every mount of them are removed. */
function dropImageVolumes(spec: JsonObject): void {
  const volumes = children(spec, 'volumes');
  const names = new Set(volumes.filter((v) => isObject(v.image)).map((v) => String(v.name)));
  if (names.size === 0) return;
  const kept = volumes.filter((v) => !isObject(v.image));
  if (kept.length > 0) spec.volumes = kept;
  else delete spec.volumes;
  for (const c of allContainers(spec)) {
    const mounts = children(c, 'volumeMounts').filter((m) => !names.has(String(m.name)));
    if (mounts.length > 0) c.volumeMounts = mounts;
    else delete c.volumeMounts;
  }
}

/** DropDisabledTemplateFields: the template's spec gets the same dropping. */
export function dropDisabledTemplateFields(template: JsonObject | undefined, ctx: ObjectContext): void {
  const spec = template === undefined ? undefined : child(template, 'spec');
  if (spec !== undefined) dropDisabledPodSpecFields(spec, ctx);
}
