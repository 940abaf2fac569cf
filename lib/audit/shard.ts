import { createHash } from 'node:crypto';

/** `--shard INDEX/COUNT`: this run audits the namespaces whose hash falls in its share (e.g. one Indexed Job pod each). */
export interface Shard {
  index: number;
  count: number;
}

/** Parses `INDEX/COUNT` (0 ≤ INDEX < COUNT), or throws an Error with a user-facing message. */
export function parseShard(text: string): Shard {
  const m = /^(\d+)\/(\d+)$/.exec(text.trim());
  if (!m) throw new Error(`--shard ${text}: write INDEX/COUNT, e.g. 0/4`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || index >= count) throw new Error(`--shard ${text}: INDEX must be at least 0 and less than COUNT`);
  return { index, count };
}

/** A stable assignment: the same namespace lands in the same shard on every run and every machine. */
export function inShard(namespace: string, shard: Shard): boolean {
  const h = createHash('sha256').update(namespace).digest();
  return h.readUInt32BE(0) % shard.count === shard.index;
}
