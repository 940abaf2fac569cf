import { strict as assert } from 'node:assert';
import { createLogger } from '../../../../lib/base/log';
import { capDefinedMemories, definedMemories, WASM_PAGE } from '../../../../lib/wasm/binary';
import { DEFAULT_EVALUATION_LIMITS, type EvaluationLimits } from '../../../../lib/wasm/limits';
import type { WorkerPolicy } from '../../../../lib/wasm/pool/messages';
import { EvaluationPool, TIMEOUT_MESSAGE } from '../../../../lib/wasm/pool/pool';
import { wapcGuest, wat2wasm } from '../../../support/wat';

const hex = (s: string) => [...new TextEncoder().encode(s)].map((b) => '\\' + b.toString(16).padStart(2, '0')).join('');

/** A guest answering protocol_version/validate_settings properly and running `validate` as given. */
function guest(validateBody: string, extra = ''): string {
  const settings = '{"valid":true}';
  return wapcGuest(
    `(if (result i32) (i32.eq (global.get $op_len) (i32.const 17))
      (then (call $guest_response (i32.const 8192) (i32.const ${settings.length})) (i32.const 1))
      (else ${validateBody}))`,
    `(data (i32.const 8192) "${hex(settings)}") ${extra}`,
  );
}

const ACCEPT = '{"accepted":true}';
const accepting = guest(
  `(call $guest_response (i32.const 8448) (i32.const ${ACCEPT.length})) (i32.const 1)`,
  `(data (i32.const 8448) "${hex(ACCEPT)}")`,
);
/** Rejects with a message of as many "a"s as the payload has bytes: each input gets an answer of its own. */
const REJECT_PREFIX = '{"accepted":false,"message":"';
const echoingLength = guest(
  `(memory.fill (i32.const ${8448 + REJECT_PREFIX.length}) (i32.const 97) (global.get $payload_len))
   (i32.store16 (i32.add (i32.const ${8448 + REJECT_PREFIX.length}) (global.get $payload_len)) (i32.const 0x7d22))
   (call $guest_response (i32.const 8448) (i32.add (global.get $payload_len) (i32.const ${REJECT_PREFIX.length + 2}))) (i32.const 1)`,
  `(data (i32.const 8448) "${hex(REJECT_PREFIX)}")`,
);
const looping = guest('(loop $forever (br $forever)) (i32.const 0)');
const recursing = guest(
  '(call $recurse (i32.const 0))',
  '(func $recurse (param i32) (result i32) (call $recurse (i32.add (local.get 0) (i32.const 1))))',
);
const bomb = guest(`(loop $grow (br_if $grow (i32.ne (memory.grow (i32.const 16)) (i32.const -1)))) (unreachable)`);
const huge = guest(`(call $guest_response (i32.const 0) (i32.const 131072)) (i32.const 1)`);
const loopingStart = wapcGuest('(i32.const 0)', '(func (export "_start") (loop $l (br $l)))');

async function policy(id: string, wat: string, limits: Partial<EvaluationLimits> = {}): Promise<WorkerPolicy> {
  const all = { ...DEFAULT_EVALUATION_LIMITS, ...limits };
  const bytes = capDefinedMemories(await wat2wasm(wat), Math.floor(all.memoryLimitBytes / WASM_PAGE));
  return {
    id,
    mode: 'kubewarden-wapc',
    module: await WebAssembly.compile(bytes as Uint8Array<ArrayBuffer>),
    policyType: 'kubernetes',
    settingsJson: '{}',
    limits: all,
  };
}

const quiet = createLogger('error', () => {});

describe('evaluation pool: sandbox and limits', function () {
  this.timeout(30000);

  it('caps the memory a module defines', async () => {
    const bytes = await wat2wasm('(module (memory (export "memory") 2))');
    assert.deepEqual(definedMemories(capDefinedMemories(bytes, 10)), [{ minPages: 2, maxPages: 10 }]);
    const declared = await wat2wasm('(module (memory 2 5))');
    assert.deepEqual(definedMemories(capDefinedMemories(declared, 10)), [{ minPages: 2, maxPages: 5 }]);
    const big = await wat2wasm('(module (memory 20))');
    assert.throws(() => capDefinedMemories(big, 10), /needs 1 MiB of memory to start, more than the 1 MiB limit/);
  });

  it("stops an infinite loop at the deadline, answers policy-server's timeout and keeps evaluating", async () => {
    const pool = new EvaluationPool(
      [await policy('ok', accepting), await policy('loop', looping, { timeoutMs: 300 })],
      { workers: 1, log: quiet, logLevel: 'error' },
    );
    try {
      const started = Date.now();
      const [a, b] = await Promise.all([pool.evaluate('{}', [0, 1, 0]), pool.evaluate('{}', [0])]);
      // Not a timing test (a busy machine starts workers slowly): only proof that nothing hangs.
      const elapsed = Date.now() - started;
      assert.ok(elapsed >= 300, `the 300 ms deadline passed before the timeout answer: ${elapsed} ms`);
      assert.ok(elapsed < 300 + 10_000, 'answered in bounded time');
      assert.deepEqual(a, [
        { ok: true, response: { accepted: true } },
        { ok: false, message: TIMEOUT_MESSAGE, code: 500, reason: 'timeout' },
        { ok: true, response: { accepted: true } },
      ]);
      assert.deepEqual(b, [{ ok: true, response: { accepted: true } }]);
      // The pool is still usable after the worker was replaced.
      assert.deepEqual(await pool.evaluate('{}', [0]), [{ ok: true, response: { accepted: true } }]);
    } finally {
      await pool.close();
    }
  });

  // policy-evaluator runtimes/wasi_cli: stack.rs `run` turns the interrupted run into a WasiEvaluation error whose
  // text is the trimmed stderr, and runtime.rs `validate` rejects with it (code 500).
  it("a WASI policy stopped at the deadline answers with its stderr, as policy-server's WASI runtime does", async () => {
    const said = 'still waiting for the registry';
    const wat = `(module
      (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (memory (export "memory") 1)
      (data (i32.const 64) "  ${said}\\n")
      (func (export "_start")
        (i32.store (i32.const 0) (i32.const 64))
        (i32.store (i32.const 4) (i32.const ${said.length + 3}))
        (drop (call $fd_write (i32.const 2) (i32.const 0) (i32.const 1) (i32.const 16)))
        (loop $forever (br $forever))))`;
    const module = await WebAssembly.compile((await wat2wasm(wat)) as Uint8Array<ArrayBuffer>);
    const wasi: WorkerPolicy = {
      id: 'wasi-loop',
      mode: 'wasi',
      module,
      policyType: 'kubernetes',
      settingsJson: '{}',
      limits: { ...DEFAULT_EVALUATION_LIMITS, timeoutMs: 300 },
    };
    const pool = new EvaluationPool([wasi, await policy('ok', accepting)], {
      workers: 1,
      log: quiet,
      logLevel: 'error',
    });
    try {
      assert.deepEqual(await pool.evaluate('{}', [0, 1]), [
        { ok: false, message: said, code: 500, reason: 'timeout' },
        { ok: true, response: { accepted: true } },
      ]);
    } finally {
      await pool.close();
    }
  });

  it('reports a loop in _start as an initialisation timeout', async () => {
    const pool = new EvaluationPool([await policy('start', loopingStart, { timeoutMs: 300 })], {
      workers: 1,
      log: quiet,
      logLevel: 'error',
    });
    try {
      const p = await pool.prepare(0);
      assert.deepEqual(p, { ok: false, message: `initialisation did not finish within 300 ms (${TIMEOUT_MESSAGE})` });
    } finally {
      await pool.close();
    }
  });

  it('turns unbounded recursion, a memory bomb and an oversized response into error results', async () => {
    const pool = new EvaluationPool(
      [
        await policy('rec', recursing),
        await policy('bomb', bomb, { memoryLimitBytes: 8 * 1048576 }),
        await policy('huge', huge, { maxOutputBytes: 65536 }),
      ],
      { workers: 2, log: quiet, logLevel: 'error' },
    );
    try {
      const [rec, mem, big] = await pool.evaluate('{}', [0, 1, 2]);
      assert.deepEqual(rec, {
        ok: false,
        message: 'internal server error: Guest call failure: call stack exhausted',
        code: 500,
        reason: 'error',
      });
      assert.deepEqual(mem, {
        ok: false,
        message:
          'internal server error: Guest call failure: unreachable (memory at 7.1 MiB of the 8 MiB limit: a failed memory.grow is the likely cause)',
        code: 500,
        reason: 'error',
      });
      assert.deepEqual(big, {
        ok: false,
        message:
          'internal server error: Guest call failure: the policy returned a response of more than 65536 bytes (the output limit)',
        code: 500,
        reason: 'error',
      });
    } finally {
      await pool.close();
    }
  });

  it('a worker holding several tasks: the one that times out gets the timeout, the others their own answers', async () => {
    const pool = new EvaluationPool(
      [await policy('ok', accepting), await policy('loop', looping, { timeoutMs: 300 })],
      { workers: 1, log: quiet, logLevel: 'error' },
    );
    try {
      const tasks = [[0], [0], [1], [0], [0, 1], [0]];
      const answers = await Promise.all(tasks.map((t) => pool.evaluate('{}', t)));
      const ok = { ok: true, response: { accepted: true } };
      const timeout = { ok: false, message: TIMEOUT_MESSAGE, code: 500, reason: 'timeout' };
      assert.deepEqual(answers, [[ok], [ok], [timeout], [ok], [ok, timeout], [ok]]);
    } finally {
      await pool.close();
    }
  });

  it("returns every task's results in submission order whatever the workers do", async () => {
    const pool = new EvaluationPool([await policy('echo', echoingLength)], {
      workers: 2,
      log: quiet,
      logLevel: 'error',
    });
    try {
      // Input i is i bytes longer than input 0, so its answer's message is i characters longer: distinct answers.
      const answers = await Promise.all(
        Array.from({ length: 50 }, (_, i) => pool.evaluate(`{"i":"${'x'.repeat(i)}"}`, [0])),
      );
      assert.equal(answers.length, 50);
      const base = (answers[0][0] as { response: { message: string } }).response.message.length;
      assert.ok(base > 0);
      answers.forEach((a, i) =>
        assert.deepEqual(
          a,
          [{ ok: true, response: { accepted: false, message: 'a'.repeat(base + i) } }],
          `answer ${i}`,
        ),
      );
    } finally {
      await pool.close();
    }
  });
});

/** The guest without the host-call import: what the pool may evaluate on the main thread (lib/wasm/pool/inline.ts). */
const withoutHostCall = (wat: string): string => wat.replace(/\(import "wapc" "__host_call"[^\n]*\n/, '');

describe('evaluation pool: small runs on the main thread, same limits', function () {
  this.timeout(30000);
  const inline = { budgetMs: 60_000 };

  it('stops an infinite loop at the deadline without a worker and keeps evaluating', async () => {
    const pool = new EvaluationPool(
      [
        await policy('ok', withoutHostCall(accepting)),
        await policy('loop', withoutHostCall(looping), { timeoutMs: 300 }),
      ],
      { workers: 1, log: quiet, logLevel: 'error', inline },
    );
    try {
      const started = Date.now();
      const [a, b] = await Promise.all([pool.evaluate('{}', [0, 1, 0]), pool.evaluate('{}', [0])]);
      assert.ok(Date.now() - started >= 300, 'answered after the deadline, not before');
      const ok = { ok: true, response: { accepted: true } };
      assert.deepEqual(a, [ok, { ok: false, message: TIMEOUT_MESSAGE, code: 500, reason: 'timeout' }, ok]);
      assert.deepEqual(b, [ok]);
      assert.deepEqual(await pool.evaluate('{}', [0]), [ok]);
      assert.equal(pool.workersStarted, 0);
    } finally {
      await pool.close();
    }
  });

  it('reports a loop in _start as an initialisation timeout without a worker', async () => {
    const pool = new EvaluationPool([await policy('start', withoutHostCall(loopingStart), { timeoutMs: 300 })], {
      workers: 1,
      log: quiet,
      logLevel: 'error',
      inline,
    });
    try {
      assert.deepEqual(await pool.prepare(0), {
        ok: false,
        message: `initialisation did not finish within 300 ms (${TIMEOUT_MESSAGE})`,
      });
      assert.equal(pool.workersStarted, 0);
    } finally {
      await pool.close();
    }
  });

  it('turns unbounded recursion, a memory bomb and an oversized response into the same error results', async () => {
    const pool = new EvaluationPool(
      [
        await policy('rec', withoutHostCall(recursing)),
        await policy('bomb', withoutHostCall(bomb), { memoryLimitBytes: 8 * 1048576 }),
        await policy('huge', withoutHostCall(huge), { maxOutputBytes: 65536 }),
      ],
      { workers: 2, log: quiet, logLevel: 'error', inline },
    );
    try {
      const [rec, mem, big] = await pool.evaluate('{}', [0, 1, 2]);
      assert.equal(pool.workersStarted, 0);
      assert.equal(rec.ok ? '' : rec.message, 'internal server error: Guest call failure: call stack exhausted');
      assert.match(mem.ok ? '' : mem.message, /unreachable \(memory at 7\.1 MiB of the 8 MiB limit/);
      assert.match(big.ok ? '' : big.message, /more than 65536 bytes \(the output limit\)/);
    } finally {
      await pool.close();
    }
  });

  it('evaluates policies that can call the host in workers', async () => {
    const pool = new EvaluationPool([await policy('ok', accepting)], {
      workers: 1,
      log: quiet,
      logLevel: 'error',
      inline,
    });
    try {
      assert.deepEqual(await pool.evaluate('{}', [0]), [{ ok: true, response: { accepted: true } }]);
      assert.equal(pool.workersStarted, 1);
    } finally {
      await pool.close();
    }
  });

  it('moves to workers once the budget is spent, answers in submission order', async () => {
    const pool = new EvaluationPool([await policy('echo', withoutHostCall(echoingLength))], {
      workers: 2,
      log: quiet,
      logLevel: 'error',
      inline: { budgetMs: 0 },
    });
    try {
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => pool.evaluate(`{"i":"${'x'.repeat(i)}"}`, [0])),
      );
      const base = (answers[0][0] as { response: { message: string } }).response.message.length;
      answers.forEach((a, i) =>
        assert.deepEqual(a, [{ ok: true, response: { accepted: false, message: 'a'.repeat(base + i) } }], `${i}`),
      );
      assert.ok(pool.workersStarted >= 1, 'the rest went to workers');
    } finally {
      await pool.close();
    }
  });
});
