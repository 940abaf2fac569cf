/**
 * admissionregistration.k8s.io/v1 defaults (kubernetes pkg/apis/admissionregistration/v1/defaults.go).
 * These kinds are never sent to webhooks (rules.IsExemptAdmissionConfigurationResource); the defaults
 * matter for `scaffold admission-request` and for reading configurations from manifests.
 */
import type { JsonObject } from '../context';
import { child, children, isObject, setDefault } from './json';

function defaultRules(owner: JsonObject): void {
  for (const rule of children(owner, 'rules')) setDefault(rule, 'scope', '*');
}

function defaultMatchResources(match: JsonObject | undefined): void {
  if (match === undefined) return;
  setDefault(match, 'matchPolicy', 'Equivalent');
  if (!isObject(match.namespaceSelector)) match.namespaceSelector = {};
  if (!isObject(match.objectSelector)) match.objectSelector = {};
  defaultRules(match);
  for (const excluded of ['resourceRules', 'excludeResourceRules']) {
    for (const rule of children(match, excluded)) setDefault(rule, 'scope', '*');
  }
}

/** SetDefaults_ValidatingWebhook / SetDefaults_MutatingWebhook, SetDefaults_Rule, SetDefaults_ServiceReference. */
export function defaultWebhookConfiguration(obj: JsonObject, mutating: boolean): void {
  for (const webhook of children(obj, 'webhooks')) {
    setDefault(webhook, 'failurePolicy', 'Fail');
    setDefault(webhook, 'matchPolicy', 'Equivalent');
    if (!isObject(webhook.namespaceSelector)) webhook.namespaceSelector = {};
    if (!isObject(webhook.objectSelector)) webhook.objectSelector = {};
    setDefault(webhook, 'timeoutSeconds', 10);
    if (mutating) setDefault(webhook, 'reinvocationPolicy', 'Never');
    const service = child(child(webhook, 'clientConfig') ?? {}, 'service');
    if (service !== undefined) setDefault(service, 'port', 443);
    defaultRules(webhook);
  }
}

/** SetDefaults_ValidatingAdmissionPolicySpec and SetDefaults_MatchResources. */
export function defaultValidatingAdmissionPolicy(obj: JsonObject): void {
  const spec = child(obj, 'spec');
  if (spec === undefined) return;
  setDefault(spec, 'failurePolicy', 'Fail');
  defaultMatchResources(child(spec, 'matchConstraints'));
}

/** ValidatingAdmissionPolicyBinding: SetDefaults_MatchResources on matchResources. */
export function defaultValidatingAdmissionPolicyBinding(obj: JsonObject): void {
  defaultMatchResources(child(child(obj, 'spec') ?? {}, 'matchResources'));
}
