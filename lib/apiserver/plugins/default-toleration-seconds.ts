/**
 * The DefaultTolerationSeconds admission plugin (kubernetes plugin/pkg/admission/defaulttolerationseconds/
 * admission.go): pods tolerate the not-ready and unreachable NoExecute taints for 300 s unless a toleration
 * already covers them (same or empty key, NoExecute or empty effect).
 */
import type { JsonObject, PluginContext } from '../context';
import { children, ensureChild, str } from '../defaults/json';

const DEFAULT_SECONDS = 300;
const NOT_READY = 'node.kubernetes.io/not-ready';
const UNREACHABLE = 'node.kubernetes.io/unreachable';

function covers(toleration: JsonObject, key: string): boolean {
  const k = str(toleration.key);
  const effect = str(toleration.effect);
  return (k === key || k === '') && (effect === 'NoExecute' || effect === '');
}

export function admitDefaultTolerationSeconds(pod: JsonObject, ctx: PluginContext): void {
  if (ctx.operation !== 'CREATE' && ctx.operation !== 'UPDATE') return;
  const spec = ensureChild(pod, 'spec');
  const tolerations = children(spec, 'tolerations');
  const added: JsonObject[] = [];
  for (const key of [NOT_READY, UNREACHABLE]) {
    if (!tolerations.some((t) => covers(t, key))) {
      added.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: DEFAULT_SECONDS });
    }
  }
  if (added.length > 0) spec.tolerations = [...(Array.isArray(spec.tolerations) ? spec.tolerations : []), ...added];
}
