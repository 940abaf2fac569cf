/**
 * Paginated lists. The first page of a list that does not fit in `limit` freezes the matching objects as a snapshot
 * at the current resourceVersion; its continue token (opaque to clients, base64 JSON like the real server's) names
 * the snapshot and the offset of the next page, so later pages are consistent with the first even after writes.
 * Snapshots can be expired (as etcd compaction does) to make the next continue answer 410 Gone.
 */
import type { KubeObject } from '../../../lib/manifests';
import { badRequest, expiredContinue } from './status';

interface ContinueToken {
  v: 'meta.k8s.io/v1';
  rv: string;
  snapshot: number;
  offset: number;
}

export interface Page {
  items: readonly KubeObject[];
  resourceVersion: string;
  continue?: string;
  remainingItemCount?: number;
}

export interface ListSnapshots {
  /** The page starting at a continue token, or (token undefined) the first page of `matching()`. */
  page(opts: {
    /** What is listed (resource, namespace, selectors): a token only continues the list it came from. */
    listKey: string;
    limit?: number;
    token?: string;
    countRemaining: boolean;
    currentRv: string;
    matching: () => readonly KubeObject[];
  }): Page;
  /** Forgets every snapshot: the next continue of any list answers 410 Expired. */
  expireAll(): void;
  /** How many continue requests have been served (or refused). */
  readonly continues: number;
}

const encode = (t: ContinueToken): string => Buffer.from(JSON.stringify(t)).toString('base64url');

function decode(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as ContinueToken;
    if (
      t.v === 'meta.k8s.io/v1' &&
      typeof t.snapshot === 'number' &&
      typeof t.offset === 'number' &&
      typeof t.rv === 'string'
    )
      return t;
  } catch {
    // fall through to the error below
  }
  throw badRequest('invalid continue token: the token is not one this server issued');
}

/**
 * `expireContinueAfter`: the Nth continue request (1-based) and every later one answers 410, as if compacted.
 * `repeatContinue`: a broken server (or aggregated API) that answers a continue request with the token it was given,
 * so a client that trusts it lists forever.
 */
export function listSnapshots(expireContinueAfter?: number, repeatContinue = false): ListSnapshots {
  const snapshots = new Map<number, { listKey: string; items: readonly KubeObject[] }>();
  let nextId = 1;
  let continues = 0;

  const slice = (
    listKey: string,
    all: readonly KubeObject[],
    offset: number,
    limit: number | undefined,
    rv: string,
    snapshotId: number | undefined,
    countRemaining: boolean,
  ): Page => {
    const end = limit === undefined ? all.length : Math.min(all.length, offset + limit);
    const items = all.slice(offset, end);
    if (end >= all.length) {
      if (snapshotId !== undefined) snapshots.delete(snapshotId);
      return { items, resourceVersion: rv };
    }
    let id = snapshotId;
    if (id === undefined) {
      id = nextId++;
      snapshots.set(id, { listKey, items: all });
    }
    return {
      items,
      resourceVersion: rv,
      continue: encode({ v: 'meta.k8s.io/v1', rv, snapshot: id, offset: end }),
      ...(countRemaining ? { remainingItemCount: all.length - end } : {}),
    };
  };

  return {
    page({ listKey, limit, token, countRemaining, currentRv, matching }) {
      const max = limit !== undefined && limit > 0 ? limit : undefined;
      if (token === undefined) return slice(listKey, matching(), 0, max, currentRv, undefined, countRemaining);
      const t = decode(token);
      continues += 1;
      if (expireContinueAfter !== undefined && continues >= expireContinueAfter) {
        snapshots.delete(t.snapshot);
        throw expiredContinue();
      }
      const frozen = snapshots.get(t.snapshot);
      if (!frozen) throw expiredContinue();
      if (frozen.listKey !== listKey)
        throw badRequest(
          'invalid continue token: it continues a different list (another resource, namespace or selector)',
        );
      const page = slice(listKey, frozen.items, t.offset, max, t.rv, t.snapshot, countRemaining);
      return repeatContinue ? { ...page, continue: token } : page;
    },
    expireAll() {
      snapshots.clear();
    },
    get continues() {
      return continues;
    },
  };
}
