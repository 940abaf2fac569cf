/**
 * Seeds a test server from the curated manifest corpus (test/fixtures/corpus), read with the plugin's own reader: keeps objects that have
 * apiVersion, kind and name, places namespaced kinds (built-in or defined by a CRD in the corpus) in "default" when
 * they name no namespace, adds the Namespace objects they need and keeps the first of each (group, kind, ns, name).
 */
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import { lookupBuiltin } from '../../../lib/kube/resource-table';
import { readManifests, type KubeObject } from '../../../lib/manifests';
import { crdResources } from './served-resources';
import { groupOf } from './object-store';

const HERE = path.dirname(fileURLToPath(import.meta.url));

/** The curated corpus kept in the repository (test/fixtures/corpus, written by scripts/curate-corpus.mjs). */
export function defaultCorpusDir(): string {
  return path.resolve(HERE, '../../fixtures/corpus');
}

export interface CorpusSeed {
  objects: KubeObject[];
  /** Documents left out: unreadable, without apiVersion/kind/name, or a duplicate of an earlier object. */
  skipped: number;
}

function namespaceObject(name: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels: { 'kubernetes.io/metadata.name': name } } };
}

/** Reading the corpus takes seconds; each directory is read once per process and each caller gets its own copy. */
const cache = new Map<string, Promise<CorpusSeed>>();

export async function seedFromCorpus(dir: string = defaultCorpusDir()): Promise<CorpusSeed> {
  const key = path.resolve(dir);
  let loaded = cache.get(key);
  if (!loaded) {
    loaded = readCorpus(key);
    cache.set(key, loaded);
    loaded.catch(() => cache.delete(key));
  }
  return structuredClone(await loaded);
}

async function readCorpus(dir: string): Promise<CorpusSeed> {
  const entries = await readManifests([dir], { recursive: true });
  const candidates: KubeObject[] = [];
  let skipped = 0;
  for (const e of entries) {
    const o = e.kind === 'object' ? e.object : undefined;
    if (
      o &&
      typeof o.apiVersion === 'string' &&
      o.apiVersion &&
      typeof o.kind === 'string' &&
      o.kind &&
      typeof o.metadata?.name === 'string' &&
      o.metadata.name
    ) {
      candidates.push(structuredClone(o));
    } else {
      skipped++;
    }
  }
  const crdScope = new Map<string, boolean>();
  for (const o of candidates) {
    if (o.kind === 'CustomResourceDefinition' && groupOf(o.apiVersion) === 'apiextensions.k8s.io') {
      for (const r of crdResources(o)) crdScope.set(`${r.group}/${r.kind}`, r.namespaced);
    }
  }
  const namespacedKind = (o: KubeObject): boolean | undefined =>
    lookupBuiltin(o.apiVersion, o.kind)?.namespaced ?? crdScope.get(`${groupOf(o.apiVersion)}/${o.kind}`);

  const seen = new Set<string>();
  const objects: KubeObject[] = [];
  const namespaces = new Set<string>();
  for (const o of candidates) {
    const meta = o.metadata!;
    const namespaced = namespacedKind(o);
    if (namespaced === true && !meta.namespace) meta.namespace = 'default';
    if (namespaced === false) delete meta.namespace;
    const key = `${groupOf(o.apiVersion)}/${o.kind}/${meta.namespace ?? ''}/${meta.name}`;
    if (seen.has(key)) {
      skipped++;
      continue;
    }
    seen.add(key);
    objects.push(o);
    if (meta.namespace) namespaces.add(meta.namespace);
  }
  for (const ns of [...namespaces].sort()) {
    if (!seen.has(`/Namespace//${ns}`)) objects.push(namespaceObject(ns));
  }
  return { objects, skipped };
}
