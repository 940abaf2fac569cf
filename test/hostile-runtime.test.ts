// Hostile policies against the sandbox (issue 16): each test plays an attack through the real CLI (the built
// bundle, a child process) and asserts the documented error, that the run ends by the deadline machinery
// (never a timed assertion) and that the child's peak memory stays bounded. docs/security-runtime.md.

import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCliMeasured } from './support/measured-cli';
import { wat2wasm } from './support/wat';

const hex = (s: string): string => [...new TextEncoder().encode(s)].map((b) => '\\' + b.toString(16).padStart(2, '0')).join('');

const POD = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: victim\n  namespace: default\nspec:\n  containers:\n    - name: c\n      image: nginx\n';

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

  async function module(name: string, wat: string, features: { threads?: boolean; memory64?: boolean } = {}): Promise<string> {
    const file = path.join(dir, `${name}.wasm`);
    writeFileSync(file, await wat2wasm(wat, `${name}.wat`, features));
    return file;
  }

  describe('memory cap (High 1): every memory a policy can reach is capped, or the module is refused', () => {
    it('a shared memory is capped like any other: memory.grow fails at --memory-limit 16Mi', async () => {
      const p = await module('shared-memory', growingGuest(`(memory (export "memory") 1 65536 shared)`), { threads: true });
      const r = await runCliMeasured(['check', '-f', pod, '-p', p, '--memory-limit', '16Mi', '--timeout', '60s', '-o', 'json']);
      const [row] = rows(r.stdout, r.stderr).filter((x) => x.policy !== undefined);
      assert.equal(row.verdict, 'pass', `the guest grew past the cap: ${JSON.stringify(row)}`);
      assert.ok(r.maxRssMiB < RSS_BOUND_MIB, `peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
    });

    it('a module importing the host\'s reserved "wasmpolicy" memory with limits of its own is refused at load', async () => {
      const p = await module('imported-memory', growingGuest(`(import "wasmpolicy" "memory:1:65536" (memory 1 65536)) (export "memory" (memory 0))`));
      const r = await runCliMeasured(['check', '-f', pod, '-p', p, '--memory-limit', '16Mi', '--timeout', '60s', '-o', 'json']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^error: policy .*: the module imports "wasmpolicy\.memory:1:65536": "wasmpolicy" is reserved for the memory the host builds under --memory-limit, a policy may not import from it$/m);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.ok(r.maxRssMiB < RSS_BOUND_MIB, `peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
    });

    it('a module importing any other memory is refused at load, naming it', async () => {
      const p = await module('wasi-memory', growingGuest(`(import "wasi_snapshot_preview1" "memory" (memory 1 65536)) (export "memory" (memory 0))`));
      const r = await runCliMeasured(['check', '-f', pod, '-p', p, '--memory-limit', '16Mi', '-o', 'json']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /not a waPC policy: it imports the memory "wasi_snapshot_preview1\.memory", which a Kubewarden host does not provide$/m);
    });

    it('a 64-bit memory (memory64) is refused at load with a message saying why', async () => {
      const p = await module('memory64', `(module (memory (export "memory") i64 1) (func (export "wapc_init")) (func (export "__guest_call") (param i32 i32) (result i32) (i32.const 0)))`, { memory64: true });
      const r = await runCliMeasured(['check', '-f', pod, '-p', p, '--memory-limit', '16Mi', '-o', 'json']);
      assert.equal(r.code, 2, r.stderr);
      assert.match(r.stderr, /^error: policy .*: the module declares a 64-bit memory \(memory64\), which this host refuses: its size could not be capped by --memory-limit$/m);
    });

    it('the same guest with an ordinary memory is stopped at the cap too (the control)', async () => {
      const p = await module('plain-memory', growingGuest(`(memory (export "memory") 1)`));
      const r = await runCliMeasured(['check', '-f', pod, '-p', p, '--memory-limit', '16Mi', '--timeout', '60s', '-o', 'json']);
      const [row] = rows(r.stdout, r.stderr).filter((x) => x.policy !== undefined);
      assert.equal(row.verdict, 'pass', JSON.stringify(row));
      assert.ok(r.maxRssMiB < RSS_BOUND_MIB, `peak RSS ${r.maxRssMiB.toFixed(0)} MiB`);
    });
  });
});
