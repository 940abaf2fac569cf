import { strict as assert } from 'node:assert';
import { readdirSync, readFileSync } from 'node:fs';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { JsonObject, JsonValue } from '../../../lib/apiserver/context';
import { schemaTable } from '../../../lib/apiserver/schema-table';
import { decodeTyped } from '../../../lib/apiserver/typed';
import type { PathSegment } from '../../../lib/manifests/locate';

// Every fully populated object of test/fixtures/kube-roundtrip/ (kubernetes/api testdata/HEAD, written by the
// API server's typed encoder) goes through decode → encode unchanged, as a JSON value. HEAD is newer than 1.35:
// the fields a 1.35 server does not know are the only difference allowed, and they are exactly these.
const dir = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../fixtures/kube-roundtrip');
const table = schemaTable('1.35');
const NEWER_THAN_1_35 = new Set([
  'attestations',
  'bindMountOptions',
  'bools',
  'defaultUser',
  'evictionResponders',
  'healthStatus',
  'ints',
  'message',
  'mode',
  'nodeAllocatableResourceClaimStatuses',
  'nodeAllocatableResources',
  'observedGeneration',
  'partitionTypeAttribute',
  'podPreemptionPolicy',
  'preventPodSchedulingIfMissing',
  'protocol',
  'scheduling',
  'schedulingGroup',
  'shardInfo',
  'skipNodeOperations',
  'status',
  'strings',
  'stubPKCS10Request',
  'user',
  'versions',
  'volumeHealth',
  'volumeStatus',
]);

function without(obj: JsonObject, paths: readonly PathSegment[][]): JsonObject {
  const copy = structuredClone(obj);
  for (const p of paths) {
    let at: JsonValue = copy;
    for (const s of p.slice(0, -1)) at = (at as Record<string | number, JsonValue>)[s];
    delete (at as JsonObject)[p[p.length - 1] as string];
  }
  return copy;
}

describe('apiserver: typed round trip of every built-in kind (1.35)', () => {
  const files = readdirSync(dir).filter((f) => f.endsWith('.json'));
  let served = 0;
  for (const f of files) {
    const obj = JSON.parse(readFileSync(path.join(dir, f), 'utf8')) as JsonObject;
    const typeName = table.kind(String(obj.apiVersion), String(obj.kind));
    if (!typeName) continue;
    served++;
    it(f, () => {
      const out = decodeTyped(obj, typeName, table);
      assert.equal(out.error, undefined, out.error?.message);
      for (const u of out.unknown)
        assert.ok(NEWER_THAN_1_35.has(String(u[u.length - 1])), `unexpected unknown field ${u.join('.')}`);
      assert.deepEqual(out.value, without(obj, out.unknown));
    });
  }
  it('covers the kinds a 1.35 API server serves', () => {
    assert.ok(served >= 80, `only ${served} fixtures are of served kinds`);
  });
});
