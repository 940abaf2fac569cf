/** One object at a time: read it (absent is not an error) and write it (create, else replace). */
import { ClusterError, httpError } from './errors';
import { resourcePath } from '../kube/api-path';
import { withTypeMeta } from './list';
import type { Transport } from './transport';
import type { ApiResource, KnownState, KubeObject } from './types';

/** PUTs retried when someone else changed the object between our read and our write. */
const APPLY_ATTEMPTS = 3;

/** The object, or undefined when the server answers 404. */
export async function getObject(
  t: Transport,
  res: ApiResource,
  name: string,
  namespace: string | undefined,
): Promise<KubeObject | undefined> {
  const path = resourcePath(res, namespace, name);
  const r = await t.request('GET', path);
  if (r.status === 404) return undefined;
  if (r.status < 200 || r.status > 299) throw httpError(r.status, r.body, t.where);
  try {
    return withTypeMeta(JSON.parse(r.body) as KubeObject, res);
  } catch {
    throw new ClusterError(`the answer from ${t.where} to GET ${path} is not JSON`, 'invalid-response');
  }
}

/**
 * Creates the object, or replaces it when it exists: a PUT that carries the resourceVersion just read, so a change
 * made in between is not overwritten silently (the server answers 409 and the read is done again).
 * `namespace` is where a namespaced object without one goes. With `known`, the first write is sent at once, as a
 * create or as a replace of that resourceVersion: one request instead of two when nothing changed in between; a
 * 409 (created or changed since) or a 404 on the replace (deleted since) falls back to reading it.
 */
export async function applyObject(
  t: Transport,
  res: ApiResource,
  obj: KubeObject,
  defaultNamespace: string,
  known?: KnownState,
): Promise<KubeObject> {
  const namespace = res.namespaced ? obj.metadata?.namespace || defaultNamespace : undefined;
  const body: KubeObject = namespace ? { ...obj, metadata: { ...obj.metadata, namespace } } : obj;
  const name = obj.metadata?.name;
  const collection = resourcePath(res, namespace);
  if (!name) return t.json<KubeObject>('POST', collection, { body });
  const conflict = (err: unknown): boolean => err instanceof ClusterError && err.kind === 'conflict';
  if (known) {
    try {
      if (!known.exists) return await t.json<KubeObject>('POST', collection, { body });
      return await t.json<KubeObject>('PUT', resourcePath(res, namespace, name), {
        body: { ...body, metadata: { ...body.metadata, resourceVersion: known.resourceVersion } },
      });
    } catch (err) {
      // 409: created or changed since the list; 404 on a replace: deleted since.
      const gone = known.exists && err instanceof ClusterError && err.kind === 'not-found';
      if (!conflict(err) && !gone) throw err;
    }
  }
  const retry = (err: unknown, attempt: number) => conflict(err) && attempt < APPLY_ATTEMPTS;
  for (let attempt = 1; ; attempt++) {
    const current = await getObject(t, res, name, namespace);
    try {
      if (!current) return await t.json<KubeObject>('POST', collection, { body });
      const resourceVersion = current.metadata?.resourceVersion;
      return await t.json<KubeObject>('PUT', resourcePath(res, namespace, name), {
        body: { ...body, metadata: { ...body.metadata, resourceVersion } },
      });
    } catch (err) {
      // Created or changed by someone else since our read: read again.
      if (!retry(err, attempt)) throw err;
    }
  }
}
