/**
 * Paginated lists (`limit` + `continue`). A continue token can expire while a long list is read (410 Gone, reason
 * Expired); the list is then read again from the start, once, and objects already given (by uid) are not given
 * twice. Items come back with apiVersion and kind set: the API server leaves them out of list items.
 */
import type { Logger } from '../base/log';
import { ClusterError, isClusterError } from './errors';
import { apiVersionOf, resourcePath } from '../kube/api-path';
import type { Transport } from './transport';
import type { ApiResource, KubeObject, ListOptions } from './types';

/** kubectl's default page size. */
export const DEFAULT_PAGE_SIZE = 500;
/** Pages read for one list at most: 5,000,000 objects at the default page size (`audit --max-pages`). */
export const DEFAULT_MAX_PAGES = 10_000;

interface ListPage {
  metadata?: { continue?: string; resourceVersion?: string };
  items?: KubeObject[];
}

/** Sets apiVersion/kind when the server left them out. */
export function withTypeMeta(obj: KubeObject, res: ApiResource): KubeObject {
  if (obj.apiVersion && obj.kind) return obj;
  return { ...obj, apiVersion: obj.apiVersion || apiVersionOf(res.group, res.version), kind: obj.kind || res.kind };
}

export function describe(res: ApiResource, namespace: string | undefined): string {
  const what = res.group ? `${res.resource}.${res.group}` : res.resource;
  return res.namespaced ? `${what} in ${namespace ? `namespace ${namespace}` : 'all namespaces'}` : what;
}

/** What client-go's metadata client asks for, with plain JSON after it for servers that cannot. */
const METADATA_LIST_ACCEPT = 'application/json;as=PartialObjectMetadataList;g=meta.k8s.io;v=v1,application/json';

export async function* listObjects(
  t: Transport,
  res: ApiResource,
  opts: ListOptions,
  log: Logger,
): AsyncGenerator<KubeObject> {
  const path = resourcePath(res, opts.namespace);
  const limit = opts.pageSize ?? DEFAULT_PAGE_SIZE;
  const maxPages = opts.maxPages ?? DEFAULT_MAX_PAGES;
  const given = new Set<string>();
  // A server that answers a continue token with the same token again would be listed forever.
  const tokens = new Set<string>();
  let restarted = false;
  let token: string | undefined;
  let pages = 0;
  for (;;) {
    let page: ListPage;
    try {
      page = await t.json<ListPage>('GET', path, {
        query: { limit, continue: token, labelSelector: opts.labelSelector, fieldSelector: opts.fieldSelector },
        ...(opts.metadataOnly ? { accept: METADATA_LIST_ACCEPT } : {}),
      });
    } catch (err) {
      if (isClusterError(err) && err.kind === 'gone' && token !== undefined && !restarted) {
        log.warn(
          `the list of ${describe(res, opts.namespace)} expired on ${t.where} after ${pages} page(s) (410 Gone); listing again from the start`,
        );
        restarted = true;
        token = undefined;
        pages = 0;
        tokens.clear();
        continue;
      }
      throw err;
    }
    pages++;
    if (!Array.isArray(page.items)) {
      throw new ClusterError(
        `the list of ${describe(res, opts.namespace)} from ${t.where} has no items array`,
        'invalid-response',
      );
    }
    for (const item of page.items as unknown[]) {
      if (item === null || typeof item !== 'object' || Array.isArray(item)) {
        log.warn(
          `the list of ${describe(res, opts.namespace)} from ${t.where} has an item that is not an object (${item === null ? 'null' : Array.isArray(item) ? 'a list' : typeof item}): left out`,
        );
        continue;
      }
      const obj = item as KubeObject;
      const uid = obj.metadata?.uid;
      if (typeof uid === 'string') {
        if (given.has(uid)) continue;
        given.add(uid);
      }
      yield withTypeMeta(obj, res);
    }
    const next = page.metadata?.continue;
    token = typeof next === 'string' && next !== '' ? next : undefined;
    if (!token) return;
    if (tokens.has(token)) {
      throw new ClusterError(
        `the list of ${describe(res, opts.namespace)} from ${t.where} did not end: the server answered page ${pages} with a continue token it had already given`,
        'invalid-response',
      );
    }
    tokens.add(token);
    if (pages >= maxPages) {
      throw new ClusterError(
        `the list of ${describe(res, opts.namespace)} from ${t.where} was cut after ${maxPages} pages of ${limit} objects (--max-pages)`,
        'invalid-response',
      );
    }
  }
}
