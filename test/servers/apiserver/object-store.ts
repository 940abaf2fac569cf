/**
 * The server's objects, indexed by (group, kind) then namespace then name, with one resourceVersion counter like
 * etcd's revision. Lists come back in etcd key order (namespace, then name) from a sorted cache that a write drops.
 */
import { cloneDeep } from './deep-json';
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../../lib/manifests';

export interface ObjectKey {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

export function groupOf(apiVersion: string): string {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? '' : apiVersion.slice(0, slash);
}

export function keyOf(obj: KubeObject): ObjectKey {
  return {
    group: groupOf(obj.apiVersion),
    kind: obj.kind,
    namespace: obj.metadata?.namespace ?? '',
    name: obj.metadata?.name ?? '',
  };
}

const typeKey = (group: string, kind: string): string => `${group}\n${kind}`;

interface TypeBucket {
  byNamespace: Map<string, Map<string, KubeObject>>;
  /** All objects of the type in key order; undefined after a write. */
  sorted?: KubeObject[];
  sortedByNamespace: Map<string, KubeObject[]>;
}

const byName = (a: KubeObject, b: KubeObject): number => {
  const x = a.metadata!.name!;
  const y = b.metadata!.name!;
  return x < y ? -1 : x > y ? 1 : 0;
};

export class ObjectStore {
  private readonly types = new Map<string, TypeBucket>();
  private revision = 0;
  /** Called after every write with the object's group and kind (the server rebuilds discovery on CRD writes). */
  onChange?: (group: string, kind: string) => void;

  /** The latest resourceVersion handed out, as the string clients see. */
  get resourceVersion(): string {
    return String(this.revision);
  }

  get(group: string, kind: string, namespace: string, name: string): KubeObject | undefined {
    return this.types.get(typeKey(group, kind))?.byNamespace.get(namespace)?.get(name);
  }

  /** Objects of one type, in one namespace or (namespace undefined) all of them, in key order. Do not mutate. */
  list(group: string, kind: string, namespace?: string): readonly KubeObject[] {
    const bucket = this.types.get(typeKey(group, kind));
    if (!bucket) return [];
    if (namespace !== undefined) {
      let cached = bucket.sortedByNamespace.get(namespace);
      if (!cached) {
        cached = [...(bucket.byNamespace.get(namespace)?.values() ?? [])].sort(byName);
        bucket.sortedByNamespace.set(namespace, cached);
      }
      return cached;
    }
    if (!bucket.sorted) {
      const namespaces = [...bucket.byNamespace.keys()].sort();
      bucket.sorted = namespaces.flatMap((ns) => this.list(group, kind, ns));
    }
    return bucket.sorted;
  }

  /** Every stored object, in no particular order. */
  all(): KubeObject[] {
    const out: KubeObject[] = [];
    for (const bucket of this.types.values())
      for (const names of bucket.byNamespace.values()) out.push(...names.values());
    return out;
  }

  get size(): number {
    let n = 0;
    for (const bucket of this.types.values()) for (const names of bucket.byNamespace.values()) n += names.size;
    return n;
  }

  /**
   * Stores an object (insert or replace), stamping a new resourceVersion and, on insert, uid and creationTimestamp
   * (kept when the object already carries them). Returns the stored copy.
   */
  put(obj: KubeObject): KubeObject {
    const key = keyOf(obj);
    const previous = this.get(key.group, key.kind, key.namespace, key.name);
    const stored = cloneDeep(obj);
    const meta = (stored.metadata ??= {});
    this.revision += 1;
    meta.resourceVersion = String(this.revision);
    if (previous) {
      meta.uid = previous.metadata!.uid;
      meta.creationTimestamp = previous.metadata!.creationTimestamp;
    } else {
      meta.uid ??= randomUUID();
      meta.creationTimestamp ??= new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    }
    if (key.namespace === '') delete meta.namespace;
    this.bucket(key.group, key.kind, key.namespace).set(key.name, stored);
    this.touched(key);
    return stored;
  }

  /** Removes an object; returns it, or undefined when there was none. */
  delete(group: string, kind: string, namespace: string, name: string): KubeObject | undefined {
    const names = this.types.get(typeKey(group, kind))?.byNamespace.get(namespace);
    const found = names?.get(name);
    if (!found) return undefined;
    names!.delete(name);
    this.revision += 1;
    this.touched({ group, kind, namespace, name });
    return found;
  }

  /** Removes every object in a namespace; returns how many. */
  deleteNamespaceContents(namespace: string): number {
    let removed = 0;
    for (const [type, bucket] of this.types) {
      const names = bucket.byNamespace.get(namespace);
      if (!names || names.size === 0) continue;
      removed += names.size;
      const [group, kind] = type.split('\n');
      for (const name of [...names.keys()]) this.delete(group, kind, namespace, name);
    }
    return removed;
  }

  private bucket(group: string, kind: string, namespace: string): Map<string, KubeObject> {
    let bucket = this.types.get(typeKey(group, kind));
    if (!bucket)
      this.types.set(typeKey(group, kind), (bucket = { byNamespace: new Map(), sortedByNamespace: new Map() }));
    let names = bucket.byNamespace.get(namespace);
    if (!names) bucket.byNamespace.set(namespace, (names = new Map()));
    return names;
  }

  private touched(key: ObjectKey): void {
    const bucket = this.types.get(typeKey(key.group, key.kind))!;
    bucket.sorted = undefined;
    bucket.sortedByNamespace.delete(key.namespace);
    this.onChange?.(key.group, key.kind);
  }
}
