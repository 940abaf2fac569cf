/**
 * Many lists at once, for audits: at most `parallel` in flight, of which at most `perResource` for one resource and
 * `perNamespace` in one namespace, so one huge namespace or resource does not take every slot. Items of all lists
 * come out interleaved as they arrive. A list that fails (a 403 on one resource, typically) becomes one error item
 * and the others go on. A consumer that reads slowly holds the lists back (a bounded buffer), and one that stops
 * reading stops them.
 */
import { ClusterError, isClusterError } from './errors';
import type { KubeObject, ListManyItem, ListTarget } from './types';

export interface Limits {
  parallel: number;
  perResource?: number;
  perNamespace?: number;
}

/** Items waiting for the consumer before the lists pause. */
const BUFFER = 1000;

const resourceKey = (t: ListTarget) => `${t.res.group}/${t.res.version}/${t.res.resource}`;
// An all-namespaces list counts as its own "namespace".
const namespaceKey = (t: ListTarget) => (t.res.namespaced ? (t.namespace ?? '*') : '');

export async function* listMany(
  listOne: (t: ListTarget) => AsyncIterable<KubeObject>,
  targets: ListTarget[],
  limits: Limits,
): AsyncGenerator<ListManyItem> {
  const parallel = Math.max(1, Math.floor(limits.parallel));
  const perResource = Math.max(1, Math.floor(limits.perResource ?? parallel));
  const perNamespace = Math.max(1, Math.floor(limits.perNamespace ?? parallel));
  const pending = [...targets];
  const byResource = new Map<string, number>();
  const byNamespace = new Map<string, number>();
  const buffer: ListManyItem[] = [];
  let running = 0;
  let stopped = false;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducers: Array<() => void> = [];

  const bump = (m: Map<string, number>, k: string, d: number) => m.set(k, (m.get(k) ?? 0) + d);
  const notifyConsumer = () => {
    wakeConsumer?.();
    wakeConsumer = undefined;
  };

  /** false when the consumer has gone: the list should stop. */
  async function put(item: ListManyItem): Promise<boolean> {
    while (!stopped && buffer.length >= BUFFER) await new Promise<void>((r) => wakeProducers.push(r));
    if (stopped) return false;
    buffer.push(item);
    notifyConsumer();
    return true;
  }

  async function run(t: ListTarget): Promise<void> {
    try {
      for await (const object of listOne(t)) if (!(await put({ target: t, object }))) return;
    } catch (err) {
      await put({ target: t, error: toClusterError(err) });
    } finally {
      running--;
      bump(byResource, resourceKey(t), -1);
      bump(byNamespace, namespaceKey(t), -1);
      startMore();
      notifyConsumer();
    }
  }

  function startMore(): void {
    while (!stopped && running < parallel) {
      const i = pending.findIndex(
        (t) =>
          (byResource.get(resourceKey(t)) ?? 0) < perResource && (byNamespace.get(namespaceKey(t)) ?? 0) < perNamespace,
      );
      if (i < 0) return;
      const [t] = pending.splice(i, 1);
      running++;
      bump(byResource, resourceKey(t), 1);
      bump(byNamespace, namespaceKey(t), 1);
      void run(t);
    }
  }

  try {
    startMore();
    for (;;) {
      if (buffer.length) {
        const item = buffer.shift() as ListManyItem;
        const waiting = wakeProducers;
        wakeProducers = [];
        for (const w of waiting) w();
        yield item;
        continue;
      }
      if (running === 0 && pending.length === 0) return;
      await new Promise<void>((r) => (wakeConsumer = r));
    }
  } finally {
    stopped = true;
    for (const w of wakeProducers) w();
  }
}

function toClusterError(err: unknown): ClusterError {
  if (isClusterError(err)) return err;
  return new ClusterError((err as Error)?.message ?? String(err), 'invalid-response');
}
