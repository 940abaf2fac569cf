// Hostile policies against the sandbox (issue 16): each test plays an attack through the real CLI (the built
// bundle, a child process) and asserts the documented error, that the run ends by the deadline machinery
// (never a timed assertion) and that the child's peak memory stays bounded. docs/security.md.

import { strict as assert } from 'node:assert';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import type { Worker } from 'node:worker_threads';
import { createLogger } from '../../lib/base/log';
import { DEFAULT_EVALUATION_LIMITS } from '../../lib/wasm/limits';
import { EvaluationPool, UNREADABLE_RESULT_MESSAGE } from '../../lib/wasm/pool/pool';
import { runCliMeasured } from '../support/measured-cli';
import { wat2wasm } from '../support/wat';

const hex = (s: string): string =>
  [...new TextEncoder().encode(s)].map((b) => '\\' + b.toString(16).padStart(2, '0')).join('');

const POD =
  'apiVersion: v1\nkind: Pod\nmetadata:\n  name: victim\n  namespace: default\nspec:\n  containers:\n    - name: c\n      image: nginx\n';

/** What a policy that got past a 16 MiB cap would have taken: 512 MiB, every 4 KiB page touched. */
const TARGET_PAGES = 8192;
/** The child's peak RSS allowed: the CLI's own memory plus far less than the attack's 512 MiB. */
const RSS_BOUND_MIB = 320;

/**
 * A waPC guest (no metadata: the default mode) whose `validate` grows its memory 1 MiB at a time, touching every
 * page, up to TARGET_PAGES. It accepts when memory.grow fails first (the cap held) and rejects with
 * "cap bypassed" when it got the whole 512 MiB. `memoryDecl` declares (or imports) memory 0.
 */
function growingGuest(memoryDecl: string): string {
  const accepted = '{"accepted":true}';
  const bypassed = '{"accepted":false,"message":"cap bypassed"}';
  const settings = '{"valid":true}';
  return `(module
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (import "wapc" "__guest_error" (func $guest_error (param i32 i32)))
  ${memoryDecl}
  (data (i32.const 1024) "\\"v1\\"")
  (data (i32.const 1056) "${hex(settings)}")
  (data (i32.const 1152) "${hex(accepted)}")
  (data (i32.const 1216) "${hex(bypassed)}")
  (func (export "wapc_init"))
  (func $grow (result i32)
    (local $page i32) (local $addr i32) (local $left i32)
    (loop $more
      (if (i32.ge_u (memory.size) (i32.const ${TARGET_PAGES})) (then (return (i32.const 1))))
      (local.set $page (memory.grow (i32.const 16)))
      (if (i32.eq (local.get $page) (i32.const -1)) (then (return (i32.const 0))))
      (local.set $addr (i32.shl (local.get $page) (i32.const 16)))
      (local.set $left (i32.const 256))
      (loop $touch
        (i32.store8 (local.get $addr) (i32.const 0xAA))
        (local.set $addr (i32.add (local.get $addr) (i32.const 4096)))
        (local.set $left (i32.sub (local.get $left) (i32.const 1)))
        (br_if $touch (local.get $left)))
      (br $more))
    (i32.const 0))
  ;; Dispatch by the operation name's length: protocol_version 16, validate_settings 17, validate 8.
  (func (export "__guest_call") (param $op_len i32) (param $payload_len i32) (result i32)
    (if (i32.eq (local.get $op_len) (i32.const 16)) (then (call $guest_response (i32.const 1024) (i32.const 4)) (return (i32.const 1))))
    (if (i32.eq (local.get $op_len) (i32.const 17)) (then (call $guest_response (i32.const 1056) (i32.const ${settings.length})) (return (i32.const 1))))
    (if (call $grow)
      (then (call $guest_response (i32.const 1216) (i32.const ${bypassed.length})))
      (else (call $guest_response (i32.const 1152) (i32.const ${accepted.length}))))
    (i32.const 1)))`;
}

/** A waPC guest (no metadata) answering `response` to every `validate`. */
function answeringGuest(response: string): string {
  const settings = '{"valid":true}';
  const bytes = new TextEncoder().encode(response).length;
  const pages = Math.ceil((4096 + bytes) / 65536) + 1;
  return `(module
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (memory (export "memory") ${pages})
  (data (i32.const 1024) "\\"v1\\"")
  (data (i32.const 1056) "${hex(settings)}")
  (data (i32.const 4096) "${hex(response)}")
  (func (export "wapc_init"))
  (func (export "__guest_call") (param $op_len i32) (param $payload_len i32) (result i32)
    (if (i32.eq (local.get $op_len) (i32.const 16)) (then (call $guest_response (i32.const 1024) (i32.const 4)) (return (i32.const 1))))
    (if (i32.eq (local.get $op_len) (i32.const 17)) (then (call $guest_response (i32.const 1056) (i32.const ${settings.length})) (return (i32.const 1))))
    (call $guest_response (i32.const 4096) (i32.const ${bytes}))
    (i32.const 1)))`;
}

/** A validation response whose mutated_object nests `depth` arrays (3,500 levels: about 10 KB). */
const nested = (depth: number): string =>
  `{"accepted":true,"mutated_object":${'['.repeat(depth)}${']'.repeat(depth)},"message":"${'x'.repeat(3000)}"}`;

interface Row {
  policy?: string;
  verdict: string;
  message?: string;
  code?: number;
}

function rows(stdout: string, stderr: string): Row[] {
  try {
    return (JSON.parse(stdout) as { results: Row[] }).results;
  } catch {
    throw new Error(`not a JSON report:\n${stdout}\n${stderr}`);
  }
}

describe('hostile policies against the sandbox (issue 16)', function () {
  this.timeout(120_000);
  let dir: string;
  let pod: string;

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-hostile-'));
    pod = path.join(dir, 'pod.yaml');
    writeFileSync(pod, POD);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  async function module(
    name: string,
    wat: string,
    features: { threads?: boolean; memory64?: boolean } = {},
  ): Promise<string> {
    const file = path.join(dir, `${name}.wasm`);
    writeFileSync(file, await wat2wasm(wat, `${name}.wat`, features));
    return file;
  }

  describe('memory cap (High 1): every memory a policy can reach is capped, or the module is refused', () => {
    it('a shared memory is capped like any other: memory.grow fails at --memory-limit 16Mi', async () => {
      const p = await module('shared-memory', growingGuest(`(memory (export "memory") 1 65536 shared)`), {
        threads: true,
      });
      const r = await runCliMeasured([
        'check',
        '-f',
        pod,
        '-p',
        p,
        '--memory-limit',
        '16Mi',
        '--timeout',
        '60s',
        '-o',
        'json',
      ]);
      const [row] = rows(r.stdout, r.stderr).filter((x) => x.policy !== undefined);
      assert.equal(row.verdict, 'pass', `the guest grew past the cap: ${JSON.stringify(row)}`);
      assert.ok(r.maxRssMiB < RSS_BOUND_MIB, `peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
    });

    it('a module importing the host\'s reserved "wasmpolicy" memory with limits of its own is refused at load', async () => {
      const p = await module(
        'imported-memory',
        growingGuest(`(import "wasmpolicy" "memory:1:65536" (memory 1 65536)) (export "memory" (memory 0))`),
      );
      const r = await runCliMeasured([
        'check',
        '-f',
        pod,
        '-p',
        p,
        '--memory-limit',
        '16Mi',
        '--timeout',
        '60s',
        '-o',
        'json',
      ]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /^error: policy .*: the module imports "wasmpolicy\.memory:1:65536": "wasmpolicy" is reserved for the memory the host builds under --memory-limit, a policy may not import from it$/m,
      );
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.ok(r.maxRssMiB < RSS_BOUND_MIB, `peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
    });

    it('a module importing any other memory is refused at load, naming it', async () => {
      const p = await module(
        'wasi-memory',
        growingGuest(`(import "wasi_snapshot_preview1" "memory" (memory 1 65536)) (export "memory" (memory 0))`),
      );
      const r = await runCliMeasured(['check', '-f', pod, '-p', p, '--memory-limit', '16Mi', '-o', 'json']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /not a waPC policy: it imports the memory "wasi_snapshot_preview1\.memory", which a Kubewarden host does not provide$/m,
      );
    });

    it('a 64-bit memory (memory64) is refused at load with a message saying why', async () => {
      const p = await module(
        'memory64',
        `(module (memory (export "memory") i64 1) (func (export "wapc_init")) (func (export "__guest_call") (param i32 i32) (result i32) (i32.const 0)))`,
        { memory64: true },
      );
      const r = await runCliMeasured(['check', '-f', pod, '-p', p, '--memory-limit', '16Mi', '-o', 'json']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /^error: policy .*: the module declares a 64-bit memory \(memory64\), which this host refuses: its size could not be capped by --memory-limit$/m,
      );
    });

    it('the same guest with an ordinary memory is stopped at the cap too (the control)', async () => {
      const p = await module('plain-memory', growingGuest(`(memory (export "memory") 1)`));
      const r = await runCliMeasured([
        'check',
        '-f',
        pod,
        '-p',
        p,
        '--memory-limit',
        '16Mi',
        '--timeout',
        '60s',
        '-o',
        'json',
      ]);
      const [row] = rows(r.stdout, r.stderr).filter((x) => x.policy !== undefined);
      assert.equal(row.verdict, 'pass', JSON.stringify(row));
      assert.ok(r.maxRssMiB < RSS_BOUND_MIB, `peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
    });
  });

  describe('deeply nested responses (High 2): one error result for the policy that answered it, the run ends', () => {
    it("3,500 and 100,000 levels: serde_json's recursion-limit error for those policies, the others answer", async () => {
      const deep = await module('deep-3500', answeringGuest(nested(3500)));
      const deeper = await module('deep-100000', answeringGuest(nested(100_000)));
      const ok = await module('accepting', answeringGuest('{"accepted":true}'));
      // --workers 1: every policy of the batch shares the worker a crash would take down.
      const r = await runCliMeasured([
        'check',
        '-f',
        pod,
        '-p',
        deep,
        '-p',
        ok,
        '-p',
        deeper,
        '--workers',
        '1',
        '--timeout',
        '10s',
        '-o',
        'json',
      ]);
      const byPolicy = new Map(
        rows(r.stdout, r.stderr)
          .filter((x) => x.policy !== undefined)
          .map((x) => [x.policy, x]),
      );
      for (const name of ['deep-3500', 'deep-100000']) {
        const row = byPolicy.get(name)!;
        assert.equal(row.verdict, 'error', name);
        assert.equal(row.code, 500, name);
        assert.match(
          row.message!,
          /^internal server error: invalid response from policy: recursion limit exceeded at line 1 column 162$/,
          name,
        );
      }
      assert.equal(byPolicy.get('accepting')!.verdict, 'pass');
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.ok(r.maxRssMiB < RSS_BOUND_MIB, `peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
    });

    it("128 levels, serde_json's limit, still pass", async () => {
      const p = await module('deep-127', answeringGuest(nested(127)));
      const r = await runCliMeasured(['check', '-f', pod, '-p', p, '-o', 'json']);
      const [row] = rows(r.stdout, r.stderr).filter((x) => x.policy !== undefined);
      assert.notEqual(row.verdict, 'error', JSON.stringify(row));
    });
  });

  describe('an unreadable worker message (High 2): isolated re-runs name the one evaluation that caused it', () => {
    it('the tasks of the worker are re-run one policy at a time; only the one whose answer cannot be read gets the error', async () => {
      const accept = '{"accepted":true}';
      // validate makes a host call first (the legacy kubernetes/namespaces, which the main thread answers): the worker waits in it until this test answers, so the unreadable
      // message below is played while the evaluation is known to be in that worker.
      const wat = `(module
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (import "wapc" "__host_call" (func $host_call (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  (data (i32.const 1056) "${hex('{"valid":true}')}")
  (data (i32.const 2048) "${hex(accept)}")
  (data (i32.const 3000) "kubernetesnamespaces")
  (func (export "wapc_init"))
  (func (export "__guest_call") (param $op_len i32) (param $payload_len i32) (result i32)
    (if (i32.eq (local.get $op_len) (i32.const 17)) (then (call $guest_response (i32.const 1056) (i32.const 14)) (return (i32.const 1))))
    (drop (call $host_call (i32.const 3000) (i32.const 10) (i32.const 3010) (i32.const 10) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $guest_response (i32.const 2048) (i32.const ${accept.length}))
    (i32.const 1)))`;
      const module = await WebAssembly.compile((await wat2wasm(wat)) as Uint8Array<ArrayBuffer>);
      const policy = (id: string) => ({
        id,
        mode: 'kubewarden-wapc' as const,
        module,
        policyType: 'kubernetes' as const,
        settingsJson: '{}',
        limits: DEFAULT_EVALUATION_LIMITS,
      });
      const waiting: { policy: string; answer: () => void }[] = [];
      const hostCalls = (p: { id: string }) =>
        new Promise<Uint8Array>((resolve) => waiting.push({ policy: p.id, answer: () => resolve(new Uint8Array()) }));
      const pool = new EvaluationPool([policy('a'), policy('b')], {
        workers: 1,
        log: createLogger('error', () => {}),
        logLevel: 'error',
        hostCalls,
      });
      // The pool's worker, to play the event Node emits when the main thread cannot deserialise a worker's message.
      const worker = (): Worker => (pool as unknown as { slots: { worker: Worker }[] }).slots[0].worker;
      const calledBy = async (id: string): Promise<void> => {
        while (!waiting.some((w) => w.policy === id)) await new Promise((r) => setTimeout(r, 5));
      };
      try {
        const answer = pool.evaluate('{}', [0, 1]);
        await calledBy('a');
        worker().emit('messageerror', new Error('could not deserialize'));
        waiting.length = 0;
        // Re-run isolated: policy a alone in a fresh worker. Its answer is unreadable too: a is the cause.
        await calledBy('a');
        worker().emit('messageerror', new Error('could not deserialize'));
        waiting.length = 0;
        // b, isolated in its turn, answers.
        await calledBy('b');
        waiting.splice(0).forEach((w) => w.answer());
        assert.deepEqual(await answer, [
          { ok: false, message: UNREADABLE_RESULT_MESSAGE, code: 500, reason: 'error' },
          { ok: true, response: { accepted: true } },
        ]);
      } finally {
        await pool.close();
      }
    });
  });

  describe('low-severity limits (Low)', () => {
    it('__console_log is capped per evaluation by --max-output-size, with a truncation marker', async () => {
      // 64 calls of 1 MiB each at -vv (debug, where console output is shown); the cap is 1 MiB.
      const wat = `(module
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (import "wapc" "__console_log" (func $console_log (param i32 i32)))
  (memory (export "memory") 18)
  (data (i32.const 1024) "${hex('{"valid":true}')}")
  (data (i32.const 2048) "${hex('{"accepted":true}')}")
  (func (export "wapc_init") (memory.fill (i32.const 65536) (i32.const 65) (i32.const 1048576)))
  (func (export "__guest_call") (param $op_len i32) (param $payload_len i32) (result i32)
    (local $n i32)
    (if (i32.eq (local.get $op_len) (i32.const 17)) (then (call $guest_response (i32.const 1024) (i32.const 14)) (return (i32.const 1))))
    (local.set $n (i32.const 64))
    (loop $more
      (call $console_log (i32.const 65536) (i32.const 1048576))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $more (local.get $n)))
    (call $guest_response (i32.const 2048) (i32.const 17))
    (i32.const 1)))`;
      const p = await module('console-flood', wat, {});
      const r = await runCliMeasured([
        'check',
        '-f',
        pod,
        '-p',
        p,
        '-vv',
        '--max-output-size',
        '1048576',
        '--timeout',
        '60s',
        '-o',
        'json',
      ]);
      const [row] = rows(r.stdout, r.stderr).filter((x) => x.policy !== undefined);
      assert.equal(row.verdict, 'pass');
      assert.ok(r.stderr.length < 2 * 1048576, `stderr was ${r.stderr.length} characters`);
      assert.match(
        r.stderr,
        /\.\.\. \[log output of policy console-flood truncated: more than 1048576 characters in one evaluation \(--max-output-size\)\]/,
      );
    });

    it('--timeout below 1ms is refused with a flag error (it rounded to 0, no deadline); 0 and 1.5ms are accepted', async () => {
      const p = await module('accept-timeout', answeringGuest('{"accepted":true}'));
      const r = await runCliMeasured(['check', '-f', pod, '-p', p, '--timeout', '0.4ms']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /^error: --timeout: duration "0\.4ms" is below 1ms, the smallest deadline \(use 0 to disable the deadline\)$/m,
      );
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      for (const t of ['0', '0s']) {
        const ok = await runCliMeasured(['check', '-f', pod, '-p', p, '--timeout', t, '-o', 'json']);
        assert.equal(ok.code, 0, `--timeout ${t}: ${ok.stderr}`);
      }
      // A real 2 ms deadline (rounded up): whether start-up fits in it depends on the machine, the flag is valid.
      const short = await runCliMeasured(['check', '-f', pod, '-p', p, '--timeout', '1.5ms', '-o', 'json']);
      assert.doesNotMatch(short.stderr, /--timeout/);
    });

    it('--settings FILE with an alias bomb: a clear error naming the file, bounded memory, no stack trace', async () => {
      const p = await module('accept-settings', answeringGuest('{"accepted":true}'));
      const bomb = path.join(dir, 'bomb.yaml');
      writeFileSync(
        bomb,
        `big: &big "${'x'.repeat(1 << 20)}"\nmany: [${Array.from({ length: 9000 }, () => '*big').join(', ')}]\n`,
      );
      const r = await runCliMeasured(['check', '-f', pod, '-p', p, '--settings', bomb]);
      assert.equal(r.code, 2, r.stderr);
      // The settings limits of docs/security.md (lib/policy/settings-document.ts) stop it.
      assert.match(
        r.stderr,
        /^error: --settings .*bomb\.yaml: it is larger than 16777216 characters once its aliases are expanded$/m,
      );
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.ok(r.maxRssMiB < RSS_BOUND_MIB, `peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
    });

    it('--settings-json nested 50,000 deep: a clear error, no stack trace', async () => {
      const p = await module('accept-deep-settings', answeringGuest('{"accepted":true}'));
      const r = await runCliMeasured([
        'check',
        '-f',
        pod,
        '-p',
        p,
        '--settings-json',
        `{"a":${'['.repeat(50_000)}${']'.repeat(50_000)}}`,
      ]);
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /^error: --settings-json: it nests more than 128 levels deep \(recursion limit exceeded\)$/m,
      );
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
    });

    it('--memory-limit 1Gi is a gibibyte: a module needing 68 MiB to start loads (it would not under 1Mi)', async () => {
      const p = await module(
        'needs-68mib',
        answeringGuest('{"accepted":true}').replace(
          /\(memory \(export "memory"\) \d+\)/,
          '(memory (export "memory") 1100)',
        ),
      );
      const gi = await runCliMeasured(['check', '-f', pod, '-p', p, '--memory-limit', '1Gi', '-o', 'json']);
      assert.equal(gi.code, 0, gi.stderr);
      const mi = await runCliMeasured(['check', '-f', pod, '-p', p, '--memory-limit', '64Mi', '-o', 'json']);
      assert.equal(mi.code, 2);
      assert.match(mi.stderr, /needs 69 MiB of memory to start, more than the 64 MiB limit/);
    });
  });

  describe('annotate runs guest code in the sandbox (Medium 12)', () => {
    const METADATA = 'rules: []\nmutating: false\nexecutionMode: kubewarden-wapc\n';

    it('a protocol_version that never returns is stopped at --timeout: a clear error, nothing written', async () => {
      const p = await module(
        'annotate-loop',
        growingGuest('(memory (export "memory") 1)')
          .replace('(func (export "wapc_init"))', '(func (export "wapc_init")) (func $spin (loop $l (br $l)))')
          .replace(
            '(if (i32.eq (local.get $op_len) (i32.const 16)) (then',
            '(if (i32.eq (local.get $op_len) (i32.const 16)) (then (call $spin)',
          ),
      );
      const md = path.join(dir, 'metadata.yml');
      writeFileSync(md, METADATA);
      const out = path.join(dir, 'annotated-loop.wasm');
      const r = await runCliMeasured(['annotate', p, '-m', md, '-o', out, '--timeout', '1s']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(
        r.stderr,
        /^error: .*annotate-loop\.wasm: cannot learn the protocol version from the policy: the protocol_version call did not finish within 1000 ms \(Policy execution interrupted because it exceeded the allowed execution time\)$/m,
      );
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(existsSync(out), false);
    });

    it('a protocol_version that grows memory is stopped at --memory-limit', async () => {
      // The growing guest answers protocol_version by growing first: swap the dispatch so op 16 runs $grow.
      const wat = growingGuest('(memory (export "memory") 1)').replace(
        '(if (i32.eq (local.get $op_len) (i32.const 16)) (then (call $guest_response (i32.const 1024) (i32.const 4)) (return (i32.const 1))))',
        '(if (i32.eq (local.get $op_len) (i32.const 16)) (then (if (call $grow) (then (call $guest_response (i32.const 1216) (i32.const 4))) (else (call $guest_response (i32.const 1024) (i32.const 4)))) (return (i32.const 1))))',
      );
      const p = await module('annotate-grow', wat);
      const md = path.join(dir, 'metadata.yml');
      writeFileSync(md, METADATA);
      const out = path.join(dir, 'annotated-grow.wasm');
      const r = await runCliMeasured([
        'annotate',
        p,
        '-m',
        md,
        '-o',
        out,
        '--memory-limit',
        '16Mi',
        '--timeout',
        '60s',
      ]);
      // Stopped at the cap, memory.grow failed and the guest answered "v1": annotated; past the cap it would answer {"ac.
      assert.equal(r.code, 0, r.stderr);
      assert.ok(existsSync(out));
      assert.ok(r.maxRssMiB < RSS_BOUND_MIB, `peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
    });
  });
});
