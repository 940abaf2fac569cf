/**
 * Shared types of the API-server stage (lib/apiserver/): what the defaulting, PrepareForCreate and built-in
 * plugin steps are told about the object they work on. See docs/admission-path.md.
 */
import { createHash } from 'node:crypto';

export type JsonValue = null | boolean | number | string | JsonValue[] | JsonObject;
export interface JsonObject {
  [key: string]: JsonValue;
}

/** The Kubernetes minor versions whose schemas and defaults the stage knows (one list: lib/kube/served-versions.ts). */
import type { ResourceType } from '../kube/resource-type';
import type { KubernetesVersion } from '../kube/served-versions';
export {
  KUBERNETES_VERSIONS,
  type KubernetesVersion,
  DEFAULT_KUBERNETES_VERSION as NEWEST_KUBERNETES_VERSION,
} from '../kube/served-versions';

/**
 * Randomness the API server would use (uids, `kube-api-access-xxxxx` names, generateName suffixes), made
 * deterministic: every value is derived from a seed (the object's content) and a label naming its use, so the
 * same input always gives the same output and the same result with any worker count.
 */
export interface RandomSource {
  /** A lowercase UUID v4-shaped string for `label`. */
  uid(label: string): string;
  /** `length` characters from `alphabet` for `label` (the API server uses `bcdfghjklmnpqrstvwxz2456789`). */
  chars(label: string, length: number, alphabet?: string): string;
}

/** The alphabet of `k8s.io/apimachinery/pkg/util/rand.String`. */
export const KUBE_RAND_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';

/** Which object the stage is working on, for which cluster version. */
export interface ObjectContext extends ResourceType {
  kubernetesVersion: KubernetesVersion;
  /** Feature gates in effect for `kubernetesVersion` (names as in kube_features.go); absent = the version's default. */
  featureGates: Readonly<Record<string, boolean>>;
  /** "Now" for creationTimestamp, managedFields time, condition times: SOURCE_DATE_EPOCH when set. */
  now: Date;
  random: RandomSource;
}

/** Passed to `applyDefaults` (lib/apiserver/defaults/index.ts): SetDefaults_* of built-in kinds. */
export type DefaultingContext = ObjectContext;

/** Passed to `prepareForCreate` (lib/apiserver/prepare/index.ts): validating-stage-only steps. */
export interface PrepareContext extends ObjectContext {
  /** The request's user, for kinds that record it (CertificateSigningRequest). */
  userInfo?: { username?: string; uid?: string; groups?: string[]; extra?: Record<string, string[]> };
}

/** Passed to `runBuiltinMutatingPlugins` (lib/apiserver/plugins/index.ts). */
export interface PluginContext extends ObjectContext {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
}

/** A RandomSource seeded by `seed` (e.g. the object's JSON): SHA-256 of seed and label. */
export function seededRandom(seed: string): RandomSource {
  const base = createHash('sha256').update(seed).digest('hex');
  const bytes = (label: string): Buffer => createHash('sha256').update(base).update('\0').update(label).digest();
  return {
    uid(label) {
      const h = bytes(label).toString('hex');
      const variant = ((parseInt(h[16], 16) & 0x3) | 0x8).toString(16);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
    chars(label, length, alphabet = KUBE_RAND_ALPHABET) {
      let out = '';
      let block = bytes(label);
      let i = 0;
      while (out.length < length) {
        if (i === block.length) {
          block = createHash('sha256').update(block).digest();
          i = 0;
        }
        out += alphabet[block[i++] % alphabet.length];
      }
      return out;
    },
  };
}

let lastTime: { ms: number; text: string } | undefined;

/** Deterministic RFC 3339 UTC seconds, the shape metav1.Time encodes to. */
export function kubeTime(d: Date): string {
  // A run stamps every object with the same "now": the last one is kept.
  const ms = d.getTime();
  if (lastTime?.ms !== ms) lastTime = { ms, text: d.toISOString().replace(/\.\d{3}Z$/, 'Z') };
  return lastTime.text;
}
