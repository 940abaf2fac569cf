import { strict as assert } from 'node:assert';
import { WasiRuntime, wasiContractProblems } from '../../../../lib/wasm/wasi/runtime';
import { wat2wasm } from '../../../support/wat';

const enc = new TextEncoder();
const hex = (s: string) => [...enc.encode(s)].map((b) => '\\' + b.toString(16).padStart(2, '0')).join('');

/**
 * A WASI command in WAT: reads all of stdin into 65536.., optionally calls host.call first, then writes
 * `out` (or, with echo, what it read) to stdout or stderr and exits with `code`.
 */
function command(opts: {
  out?: string;
  echo?: boolean;
  toStderr?: boolean;
  code?: number;
  hostCall?: boolean;
}): string {
  const out = opts.out ?? '';
  return `(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
  (import "host" "call" (func $host_call (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 4)
  (data (i32.const 1024) "${hex(out)}")
  (data (i32.const 2048) "kubewardenkubernetesget_resource{}")
  (global $len (mut i32) (i32.const 0))
  (func $read_all (local $n i32)
    (loop $more
      (i32.store (i32.const 16) (i32.add (i32.const 65536) (global.get $len)))
      (i32.store (i32.const 20) (i32.const 4096))
      (drop (call $fd_read (i32.const 0) (i32.const 16) (i32.const 1) (i32.const 24)))
      (local.set $n (i32.load (i32.const 24)))
      (global.set $len (i32.add (global.get $len) (local.get $n)))
      (br_if $more (i32.gt_u (local.get $n) (i32.const 0)))))
  (func (export "_start")
    (call $read_all)
    ${
      opts.hostCall
        ? `(drop (call $host_call (i32.const 2048) (i32.const 10) (i32.const 2058) (i32.const 10) (i32.const 2068) (i32.const 12) (i32.const 2080) (i32.const 2)))
    (call $read_all)`
        : ''
    }
    (i32.store (i32.const 0) (i32.const ${opts.echo ? 65536 : 1024}))
    (i32.store (i32.const 4) ${opts.echo ? '(global.get $len)' : `(i32.const ${enc.encode(out).length})`})
    (drop (call $fd_write (i32.const ${opts.toStderr ? 2 : 1}) (i32.const 0) (i32.const 1) (i32.const 8)))
    ${opts.code ? `(call $proc_exit (i32.const ${opts.code}))` : ''}))`;
}

async function runtime(
  wat: string,
  hostCall = (_b: string, _n: string, _o: string, _p: Uint8Array): Uint8Array => enc.encode(''),
) {
  const logs: string[] = [];
  const module = await WebAssembly.compile((await wat2wasm(wat)) as Uint8Array<ArrayBuffer>);
  return { rt: new WasiRuntime(module, { hostCall, log: (m) => logs.push(m), maxOutputBytes: 1 << 20 }), logs, module };
}

const input = { requestJson: '{"uid":"u"}', settingsJson: '{"a":1}' };

describe('WASI runtime (docs/host-interface.md §5)', () => {
  it('sends the ValidationRequest on stdin and reads the response from stdout', async () => {
    const { rt } = await runtime(command({ echo: true }));
    // The echo guest answers with its own input, which is not a ValidationResponse: the exact error shows what it read.
    const o = rt.validate(input);
    assert.deepEqual(o, {
      ok: false,
      message: 'internal server error: Cannot deserialize policy validation response: missing field `accepted`',
      code: 500,
      reason: 'error',
    });
    const ok = await runtime(command({ out: '{"accepted":false,"message":"no"}' }));
    assert.deepEqual(ok.rt.validate(input), { ok: true, response: { accepted: false, message: 'no' } });
  });

  it('maps a non-zero exit to the trimmed stderr, and logs stderr', async () => {
    const { rt, logs } = await runtime(command({ out: '  something broke \n', toStderr: true, code: 3 }));
    assert.deepEqual(rt.validate(input), { ok: false, message: 'something broke', code: 500, reason: 'error' });
    assert.deepEqual(rt.validateSettings({}), { valid: false, message: 'something broke' });
    assert.ok(logs.includes('  something broke'));
    const silent = await runtime(command({ code: 2 }));
    assert.deepEqual(silent.rt.validate(input), {
      ok: false,
      message: 'the policy exited with code 2',
      code: 500,
      reason: 'error',
    });
  });

  it('appends host.call replies and errors to stdin, returning 0 / 1', async () => {
    const seen: string[] = [];
    // The guest echoes everything it read from stdin to stderr and exits 1, so the error text is its input.
    const { rt } = await runtime(command({ echo: true, hostCall: true, toStderr: true, code: 1 }), (b, n, o, p) => {
      seen.push(`${b}/${n}/${o} ${new TextDecoder().decode(p)}`);
      return enc.encode('|reply');
    });
    assert.deepEqual(rt.validate(input), {
      ok: false,
      message: '{"request":{"uid":"u"},"settings":{"a":1}}|reply',
      code: 500,
      reason: 'error',
    });
    assert.deepEqual(seen, ['kubewarden/kubernetes/get_resource {}']);
    const failing = await runtime(command({ echo: true, hostCall: true, toStderr: true, code: 1 }), () => {
      throw new Error('|denied');
    });
    assert.deepEqual(failing.rt.validateSettings({ x: 1 }), { valid: false, message: '{"x":1}|denied' });
  });

  it('validates settings with argv validate-settings', async () => {
    const { rt } = await runtime(command({ out: '{"valid":true}' }));
    assert.deepEqual(rt.validateSettings({}), { valid: true, message: null });
  });

  it('checks the module contract', async () => {
    const m = await WebAssembly.compile(
      (await wat2wasm('(module (import "env" "x" (func)) (memory (export "memory") 1))')) as Uint8Array<ArrayBuffer>,
    );
    assert.deepEqual(wasiContractProblems(m), [
      'a WASI policy must export "_start"',
      'it imports "env.x", which a Kubewarden host does not provide',
    ]);
  });
});
