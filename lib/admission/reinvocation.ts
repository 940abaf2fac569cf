/**
 * Re-invocation of mutating webhooks, as the API server does it. The admission chain runs once; when a webhook
 * changed the object, it runs a second time (k8s.io/apiserver pkg/admission/reinvocation.go): every built-in
 * mutating plugin again, then only the webhooks with `reinvocationPolicy: IfNeeded` that were called before a
 * later change (pkg/admission/plugin/webhook/mutating/reinvocationcontext.go and dispatcher.go). A webhook is
 * called at most twice. `Never`, the default, is never called again.
 */

export type ReinvocationPolicy = 'Never' | 'IfNeeded';

/** The bookkeeping of one request, keyed by webhook (here: the unit's index). */
export class ReinvocationContext {
  private previouslyInvoked = new Set<number>();
  private readonly toReinvoke = new Set<number>();
  /** A webhook changed the object: the chain runs a second time. */
  shouldReinvoke = false;

  /** After a call: `changed` when its patch changed the object. */
  called(webhook: number, policy: ReinvocationPolicy, changed: boolean): void {
    if (changed) {
      this.requireReinvokingPreviouslyInvoked();
      this.shouldReinvoke = true;
    }
    if (policy === 'IfNeeded') this.previouslyInvoked.add(webhook);
  }

  /** The built-in plugins' second run changed the object: every reinvocable webhook called so far runs again. */
  builtinsChanged(): void {
    this.requireReinvokingPreviouslyInvoked();
  }

  /** Whether the second run calls this webhook. */
  reinvokes(webhook: number): boolean {
    return this.toReinvoke.has(webhook);
  }

  private requireReinvokingPreviouslyInvoked(): void {
    for (const w of this.previouslyInvoked) this.toReinvoke.add(w);
    this.previouslyInvoked = new Set();
  }
}
