/**
 * The order the API server calls mutating webhooks in: configurations sorted by name, byte by byte as Go
 * compares strings (k8s.io/apiserver pkg/admission/configuration/mutating_webhook_manager.go,
 * `sort.SliceStable(configurations, ...ByName)`), then each configuration's webhooks in their own order.
 * Kubewarden's controller creates one configuration with one webhook per policy and names it after the policy's
 * unique name (kubewarden-controller internal/controller/policy_subreconciler_webhook.go: `policy.GetUniqueName()`,
 * `clusterwide-NAME` or `namespaced-NS-NAME`), which is the id of a policy read from a policy resource here.
 */

/** Go's `a < b` on strings: UTF-8 bytes, not UTF-16 code units (they differ above U+FFFF). */
export function compareConfigurationNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Indices of `names` in webhook call order; equal names keep their input order (a stable sort). */
export function webhookCallOrder(names: readonly string[]): number[] {
  return names.map((_, i) => i).sort((a, b) => compareConfigurationNames(names[a], names[b]) || a - b);
}
