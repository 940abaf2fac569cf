import { strict as assert } from 'node:assert';
import { definedMemories, importDefinedMemory, WASM_PAGE } from '../../../../lib/wasm/binary';
import { compilePolicy } from '../../../../lib/wasm/compile';
import { WapcInstance, type WapcHostOptions } from '../../../../lib/wasm/wapc/host';
import { WapcRuntime } from '../../../../lib/wasm/wapc/runtime';
import { wapcGuest, wat2wasm } from '../../../support/wat';

/*
 * An evaluation that grows memory leaves an instance that cannot be restored to the post-init state (memory
 * cannot shrink). The runtime then starts later instances with the grown memory, so that they stay restorable.
 */

const enc = new TextEncoder();
const ACCEPT = '{"accepted":true}';
const acceptData = `(data (i32.const 120000) "${ACCEPT.replace(/"/g, '\\"')}")`;

/** Logs "init" from wapc_init, so that a test can count instantiations. */
const withInitLog = (wat: string): string =>
  wat
    .replace(
      '(func (export "wapc_init"))',
      '(func (export "wapc_init") (call $console_log (i32.const 120100) (i32.const 4)))',
    )
    .replace(acceptData, `${acceptData} (data (i32.const 120100) "init")`);

/**
 * Like AssemblyScript's allocator: the heap is the memory there is at start (saved by the start function); a call
 * needing more than that grows memory, by at least as much again.
 */
const sizesHeapAtStart = withInitLog(
  wapcGuest(
    `(global.set $need (i32.add (i32.const 3) (i32.shr_u (global.get $payload_len) (i32.const 16))))
     (if (i32.gt_u (global.get $need) (global.get $heap_pages))
       (then (drop (memory.grow (select (global.get $need) (global.get $heap_pages) (i32.gt_u (global.get $need) (global.get $heap_pages)))))
             (global.set $heap_pages (memory.size))))
     (call $guest_response (i32.const 120000) (i32.const ${ACCEPT.length})) (i32.const 1)`,
    `(global $heap_pages (mut i32) (i32.const 0)) (global $need (mut i32) (i32.const 0)) (func $init_heap (global.set $heap_pages (memory.size))) (start $init_heap) ${acceptData}`,
  ),
);

/** Like Rust's dlmalloc: every call takes a new page from memory.grow, whatever the size at start. */
const growsEveryCall = withInitLog(
  wapcGuest(
    `(drop (memory.grow (i32.const 1))) (call $guest_response (i32.const 120000) (i32.const ${ACCEPT.length})) (i32.const 1)`,
    acceptData,
  ),
);

async function runtime(
  wat: string,
  memoryLimitBytes = 512 * 1024 * 1024,
): Promise<{ rt: WapcRuntime; inits: () => number }> {
  const c = await compilePolicy('test', await wat2wasm(wat), memoryLimitBytes);
  const logs: string[] = [];
  const host: WapcHostOptions = { hostCall: () => new Uint8Array(), log: (m) => logs.push(m), memoryLimitBytes };
  const rt = new WapcRuntime(c.module, host, c.snapshotGlobals);
  rt.probe();
  return { rt, inits: () => logs.filter((l) => l === 'init').length };
}

const request = (bytes: number): string => JSON.stringify({ uid: 'u', padding: 'x'.repeat(bytes) });
const evaluate = (rt: WapcRuntime, bytes: number) => rt.validate({ requestJson: request(bytes), settingsJson: '{}' });

describe('waPC instances pre-sized to the memory evaluations need', () => {
  it('turns the memory a module defines into a host import of the same limits', async () => {
    const bytes = await wat2wasm(
      wapcGuest('(i32.const 1)').replace('(memory (export "memory") 2)', '(memory (export "memory") 2 10)'),
    );
    const rewritten = importDefinedMemory(bytes);
    assert.deepEqual(definedMemories(rewritten), []);
    const m = new WebAssembly.Module(rewritten as Uint8Array<ArrayBuffer>);
    assert.deepEqual(
      WebAssembly.Module.imports(m).filter((i) => i.kind === 'memory'),
      [{ module: 'wasmpolicy', name: 'memory:2:10', kind: 'memory' }],
    );
    const host: WapcHostOptions = { hostCall: () => new Uint8Array(), log: () => {} };
    assert.equal(WapcInstance.create(m, host).memoryBytes(), 2 * WASM_PAGE);
    assert.equal(WapcInstance.create(m, host, { globalNames: [], initialPages: 6 }).memoryBytes(), 6 * WASM_PAGE);
    // Past the declared maximum, the declared minimum.
    assert.equal(WapcInstance.create(m, host, { globalNames: [], initialPages: 11 }).memoryBytes(), 2 * WASM_PAGE);
  });

  it('restores instead of re-instantiating once instances start with the memory an evaluation grew to', async () => {
    const { rt, inits } = await runtime(sizesHeapAtStart);
    assert.equal(inits(), 1);
    for (let i = 0; i < 20; i++) assert.deepEqual(evaluate(rt, 100_000), { ok: true, response: { accepted: true } });
    // The first evaluation grew memory: one more instance, pre-sized, restored from then on.
    assert.equal(inits(), 2);
    assert.ok(rt.startPages() >= 6, `starts with ${rt.startPages()} pages`);
    // Smaller requests fit too.
    for (let i = 0; i < 5; i++) assert.equal(evaluate(rt, 10).ok, true);
    assert.equal(inits(), 2);
  });

  it('goes back to the declared size for an allocator that grows whatever memory it starts with', async () => {
    const { rt, inits } = await runtime(growsEveryCall);
    for (let i = 0; i < 10; i++) assert.deepEqual(evaluate(rt, 10), { ok: true, response: { accepted: true } });
    assert.equal(rt.startPages(), 0);
    // Every evaluation grew, so each after the first needed a new instance (besides the first one): as without
    // pre-sizing.
    assert.equal(inits(), 10);
  });

  it('does not pre-size past a sixteenth of the memory limit', async () => {
    const { rt, inits } = await runtime(sizesHeapAtStart, 64 * WASM_PAGE);
    for (let i = 0; i < 4; i++) assert.deepEqual(evaluate(rt, 100_000), { ok: true, response: { accepted: true } });
    assert.equal(rt.startPages(), 0);
    // The first evaluation ran on the instance made at start; each later one on a new declared-size instance.
    assert.equal(inits(), 4);
  });

  it('gives a bundled AssemblyScript policy the same answers as a new instance per evaluation', async () => {
    const { readFileSync } = await import('node:fs');
    const { bundledPolicyPath } = await import('../../../../lib/store/bundled');
    const c = await compilePolicy(
      'pss-privileged',
      readFileSync(bundledPolicyPath('pss-privileged')),
      512 * 1024 * 1024,
    );
    const host: WapcHostOptions = { hostCall: () => new Uint8Array(), log: () => {} };
    const rt = new WapcRuntime(c.module, host, c.snapshotGlobals);
    rt.probe();
    const pod = (n: number, privileged: boolean): string =>
      JSON.stringify({
        uid: `u${n}`,
        kind: { group: '', version: 'v1', kind: 'Pod' },
        resource: { group: '', version: 'v1', resource: 'pods' },
        operation: 'CREATE',
        object: {
          apiVersion: 'v1',
          kind: 'Pod',
          metadata: { name: `p${n}`, annotations: { pad: 'y'.repeat(n * 3000) } },
          spec: { containers: [{ name: 'c', image: 'i', securityContext: { privileged } }] },
        },
      });
    for (let n = 0; n < 30; n++) {
      const requestJson = pod(n, n % 3 === 0);
      const fresh = WapcInstance.create(c.module, host).call(
        'validate',
        enc.encode(`{"request":${requestJson},"settings":{}}`),
      );
      assert.deepEqual(rt.validate({ requestJson, settingsJson: '{}' }), {
        ok: true,
        response: JSON.parse(new TextDecoder().decode(fresh)),
      });
    }
    assert.ok(rt.startPages() > 0, 'requests this large grow the memory of a declared-size instance');
  });
});
