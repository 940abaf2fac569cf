import { strict as assert } from 'node:assert';
import { ReinvocationContext, type ReinvocationPolicy } from '../../../lib/admission/reinvocation';
import { compareConfigurationNames, webhookCallOrder } from '../../../lib/admission/webhook-order';

// The API server's re-invocation of mutating webhooks: k8s.io/apiserver pkg/admission/reinvocation.go (a second
// run of the chain when a webhook changed the object) and pkg/admission/plugin/webhook/mutating/
// reinvocationcontext.go with dispatcher.go (which webhooks that second run calls).

/** One first run: each webhook's policy and whether its call changed the object, in call order. */
function firstRun(calls: [ReinvocationPolicy, boolean][]): ReinvocationContext {
  const ctx = new ReinvocationContext();
  calls.forEach(([policy, changed], i) => ctx.called(i, policy, changed));
  return ctx;
}
const reinvoked = (ctx: ReinvocationContext, n: number): number[] =>
  [...Array(n).keys()].filter((i) => ctx.reinvokes(i));

describe('mutating webhook re-invocation (reinvocationcontext.go)', () => {
  const cases: {
    name: string;
    calls: [ReinvocationPolicy, boolean][];
    builtins?: boolean;
    second: boolean;
    want: number[];
  }[] = [
    {
      name: 'nothing changed: no second run',
      calls: [
        ['IfNeeded', false],
        ['Never', false],
      ],
      second: false,
      want: [],
    },
    {
      name: 'Never (the default, and every Kubewarden webhook): a second run of the built-in plugins only',
      calls: [
        ['Never', false],
        ['Never', true],
      ],
      second: true,
      want: [],
    },
    {
      name: 'IfNeeded before a later change: called again',
      calls: [
        ['IfNeeded', false],
        ['Never', true],
      ],
      second: true,
      want: [0],
    },
    {
      name: 'IfNeeded that made the last change itself: not called again',
      calls: [
        ['Never', false],
        ['IfNeeded', true],
      ],
      second: true,
      want: [],
    },
    {
      name: '... unless the built-in plugins change the object in the second run',
      calls: [
        ['Never', false],
        ['IfNeeded', true],
      ],
      builtins: true,
      second: true,
      want: [1],
    },
    {
      name: 'only the IfNeeded webhooks called before the last change',
      calls: [
        ['IfNeeded', true],
        ['IfNeeded', false],
        ['Never', true],
        ['IfNeeded', false],
      ],
      second: true,
      want: [0, 1],
    },
  ];
  for (const c of cases)
    it(c.name, () => {
      const ctx = firstRun(c.calls);
      assert.equal(ctx.shouldReinvoke, c.second);
      if (c.builtins) ctx.builtinsChanged();
      assert.deepEqual(reinvoked(ctx, c.calls.length), c.want);
    });
});

describe('mutating webhook order (configuration/mutating_webhook_manager.go: sorted by name)', () => {
  it('sorts by the configuration names kubewarden-controller gives (policy_subreconciler_webhook.go: GetUniqueName)', () => {
    const names = ['namespaced-default-aa', 'clusterwide-zz', 'clusterwide-a', 'namespaced-apps-b'];
    assert.deepEqual(
      webhookCallOrder(names).map((i) => names[i]),
      ['clusterwide-a', 'clusterwide-zz', 'namespaced-apps-b', 'namespaced-default-aa'],
    );
  });
  it('compares bytes as Go does, not UTF-16 code units', () => {
    // U+FF5E (UTF-16 0xFF5E, UTF-8 EF BD 9E) and U+1F600 (UTF-16 0xD83D..., UTF-8 F0 9F 98 80): the orders differ.
    assert.ok('\u{1F600}' < '\uFF5E');
    assert.ok(compareConfigurationNames('\uFF5E', '\u{1F600}') < 0);
  });
  it('keeps the input order of equal names (a stable sort)', () => {
    assert.deepEqual(webhookCallOrder(['b', 'a', 'b', 'a']), [1, 3, 0, 2]);
  });
});
