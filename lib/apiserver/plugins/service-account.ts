/**
 * The ServiceAccount admission plugin (kubernetes plugin/pkg/admission/serviceaccount/admission.go) on Pod
 * CREATE: `serviceAccountName` defaults to `default`; unless automounting is off on the pod, a projected
 * `kube-api-access-<5 chars>` volume (or an existing one of that prefix) is mounted read-only at
 * /var/run/secrets/kubernetes.io/serviceaccount in every init and regular container that has no mount
 * there. The ServiceAccount object itself is cluster state: it is assumed to exist, to leave automounting
 * on, and to have no imagePullSecrets.
 */
import type { JsonObject, PluginContext } from '../context';
import { child, children, ensureChild, str } from '../defaults/json';

export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
const VOLUME_PREFIX = 'kube-api-access-';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';
/** WarnOnlyBoundTokenExpirationSeconds: 1 hour + 7 s, the projected token the plugin requests. */
const TOKEN_EXPIRATION_SECONDS = 3607;

/** The projected volume createVolume builds. */
export function apiAccessVolume(name: string): JsonObject {
  return {
    name,
    projected: {
      sources: [
        { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
      defaultMode: 420,
    },
  };
}

export function admitServiceAccount(pod: JsonObject, ctx: PluginContext): void {
  if (ctx.operation !== 'CREATE') return;
  if (MIRROR_POD_ANNOTATION in (child(child(pod, 'metadata') ?? {}, 'annotations') ?? {})) return;
  const spec = ensureChild(pod, 'spec');
  if (str(spec.serviceAccountName) === '') {
    spec.serviceAccountName = 'default';
    spec.serviceAccount = 'default';
  }
  if (spec.automountServiceAccountToken === false) return;
  mountServiceAccountToken(spec, ctx);
}

function mountServiceAccountToken(spec: JsonObject, ctx: PluginContext): void {
  const existing = children(spec, 'volumes').find((v) => str(v.name).startsWith(VOLUME_PREFIX));
  const volumeName = existing !== undefined ? str(existing.name) : VOLUME_PREFIX + ctx.random.chars('kube-api-access', 5);
  let needsVolume = false;
  for (const c of [...children(spec, 'initContainers'), ...children(spec, 'containers')]) {
    const mounts = children(c, 'volumeMounts');
    if (mounts.some((m) => m.mountPath === TOKEN_MOUNT_PATH)) continue;
    c.volumeMounts = [...(Array.isArray(c.volumeMounts) ? c.volumeMounts : []), { name: volumeName, readOnly: true, mountPath: TOKEN_MOUNT_PATH }];
    needsVolume = true;
  }
  if (existing === undefined && needsVolume) {
    spec.volumes = [...(Array.isArray(spec.volumes) ? spec.volumes : []), apiAccessVolume(volumeName)];
  }
}
