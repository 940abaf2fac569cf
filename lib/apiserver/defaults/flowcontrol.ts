/** flowcontrol.apiserver.k8s.io/v1 defaults: kubernetes pkg/apis/flowcontrol/v1/defaults.go. */
import type { JsonObject } from '../context';
import { child, ensureChild, setDefault, setDefaultIfZero } from './json';

/** SetDefaults_FlowSchemaSpec: matchingPrecedence 0 → 1000. */
export function defaultFlowSchema(obj: JsonObject): void {
  setDefaultIfZero(ensureChild(obj, 'spec'), 'matchingPrecedence', 1000);
}

/**
 * SetDefaults_LimitedPriorityLevelConfiguration, SetDefaults_ExemptPriorityLevelConfiguration (v1 pointers:
 * only absent values are defaulted) and SetDefaults_QueuingConfiguration (int32s: zero is unset).
 */
export function defaultPriorityLevelConfiguration(obj: JsonObject): void {
  const spec = ensureChild(obj, 'spec');
  const limited = child(spec, 'limited');
  if (limited !== undefined) {
    setDefault(limited, 'nominalConcurrencyShares', 30);
    setDefault(limited, 'lendablePercent', 0);
    const queuing = child(child(limited, 'limitResponse') ?? {}, 'queuing');
    if (queuing !== undefined) {
      setDefaultIfZero(queuing, 'handSize', 8);
      setDefaultIfZero(queuing, 'queues', 64);
      setDefaultIfZero(queuing, 'queueLengthLimit', 50);
    }
  }
  const exempt = child(spec, 'exempt');
  if (exempt !== undefined) {
    setDefault(exempt, 'nominalConcurrencyShares', 0);
    setDefault(exempt, 'lendablePercent', 0);
  }
}
