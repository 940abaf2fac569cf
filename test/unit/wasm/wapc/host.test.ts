import { strict as assert } from 'node:assert';
import { GuestCallError, WapcInstance, WapcLoadError, type WapcHostOptions } from '../../../../lib/wasm/wapc/host';
import { WapcRuntime } from '../../../../lib/wasm/wapc/runtime';
import { createDispatcher } from '../../../../lib/capabilities/dispatcher';
import { createLogger } from '../../../../lib/base/log';
import { wapcGuest, wat2wasm } from '../../../support/wat';

const enc = new TextEncoder();
const dec = new TextDecoder();

async function compile(wat: string): Promise<WebAssembly.Module> {
  return new WebAssembly.Module((await wat2wasm(wat)) as Uint8Array<ArrayBuffer>);
}

function host(logs: string[] = [], hostCall?: WapcHostOptions['hostCall']): WapcHostOptions {
  return { hostCall: hostCall ?? (() => new Uint8Array()), log: (m) => logs.push(m) };
}

/** WAT data segment + instructions that answer `text` through __guest_response and return 1. */
function respond(text: string, at = 8192): { data: string; code: string } {
  const bytes = enc.encode(text);
  return {
    data: `(data (i32.const ${at}) "${[...bytes].map((b) => '\\' + b.toString(16).padStart(2, '0')).join('')}")`,
    code: `(call $guest_response (i32.const ${at}) (i32.const ${bytes.length})) (i32.const 1)`,
  };
}

describe('waPC host (docs/host-interface.md §1)', () => {
  it('echoes: the guest receives the operation and payload bytes', async () => {
    const m = await compile(
      wapcGuest('(call $guest_response (i32.const 4096) (global.get $payload_len)) (i32.const 1)'),
    );
    const inst = WapcInstance.create(m, host());
    assert.equal(dec.decode(inst.call('validate', enc.encode('{"x":"ü"}'))), '{"x":"ü"}');
    assert.equal(dec.decode(inst.call('other', enc.encode(''))), '');
  });

  it('gives the guest error on failure, and the waPC fallback texts', async () => {
    const err = enc.encode('boom');
    const failing = await compile(
      wapcGuest(
        `(call $guest_error (i32.const 8192) (i32.const ${err.length})) (i32.const 0)`,
        `(data (i32.const 8192) "boom")`,
      ),
    );
    assert.throws(
      () => WapcInstance.create(failing, host()).call('validate', new Uint8Array()),
      (e: unknown) => e instanceof GuestCallError && e.message === 'boom',
    );
    const silent0 = await compile(wapcGuest('(i32.const 0)'));
    assert.throws(
      () => WapcInstance.create(silent0, host()).call('x', new Uint8Array()),
      /^GuestCallError: No error message set for call failure$/,
    );
    const silent1 = await compile(wapcGuest('(i32.const 1)'));
    assert.throws(
      () => WapcInstance.create(silent1, host()).call('x', new Uint8Array()),
      /^GuestCallError: No error message OR response set for call success$/,
    );
    const errOn1 = await compile(
      wapcGuest(`(call $guest_error (i32.const 8192) (i32.const 4)) (i32.const 1)`, `(data (i32.const 8192) "oops")`),
    );
    assert.throws(() => WapcInstance.create(errOn1, host()).call('x', new Uint8Array()), /^GuestCallError: oops$/);
  });

  it('turns a trap into a guest error that names it', async () => {
    const trap = await compile(wapcGuest('(unreachable)'));
    assert.throws(
      () => WapcInstance.create(trap, host()).call('validate', new Uint8Array()),
      (e: unknown) => e instanceof GuestCallError && e.trapped && e.message === 'unreachable',
    );
  });

  it('routes __host_call and returns the reply or the host error', async () => {
    // binding "kubewarden" at 8192, namespace at 8208, op at 8224; reply copied to 12288 and returned.
    const body = `
      (if (result i32) (call $host_call (i32.const 8192) (i32.const 10) (i32.const 8208) (i32.const 4) (i32.const 8224) (i32.const 4) (i32.const 4096) (global.get $payload_len))
        (then (call $host_response (i32.const 12288)) (call $guest_response (i32.const 12288) (call $host_response_len)) (i32.const 1))
        (else (call $host_error (i32.const 12288)) (call $guest_error (i32.const 12288) (call $host_error_len)) (i32.const 0)))`;
    const data = `(data (i32.const 8192) "kubewarden") (data (i32.const 8208) "test") (data (i32.const 8224) "echo")`;
    const m = await compile(wapcGuest(body, data));
    const seen: string[] = [];
    const inst = WapcInstance.create(
      m,
      host([], (b, ns, op, p) => {
        seen.push(`${b}/${ns}/${op}:${dec.decode(p)}`);
        if (dec.decode(p) === 'fail') throw new Error('host says no');
        return enc.encode(`re:${dec.decode(p)}`);
      }),
    );
    assert.equal(dec.decode(inst.call('validate', enc.encode('hello'))), 're:hello');
    assert.throws(() => inst.call('validate', enc.encode('fail')), /^GuestCallError: host says no$/);
    assert.deepEqual(seen, ['kubewarden/test/echo:hello', 'kubewarden/test/echo:fail']);
  });

  it('answers unknown capabilities with the policy-evaluator texts', () => {
    const d = createDispatcher(
      'p',
      createLogger('error', () => {}),
    );
    assert.throws(() => d('nope', 'x', 'y', new Uint8Array()), /^HostCallError: unknown binding: nope$/);
    assert.throws(() => d('kubewarden', 'nope', 'y', new Uint8Array()), /^HostCallError: unknown namespace: nope$/);
    assert.throws(() => d('kubewarden', 'oci', 'v9/x', new Uint8Array()), /^HostCallError: unknown operation: v9\/x$/);
    // In-thread (no pool), capabilities that need I/O say so; in a worker they go to the main thread.
    assert.throws(
      () => d('kubewarden', 'net', 'v1/dns_lookup_host', new Uint8Array()),
      /^HostCallError: host capability kubewarden\/net\/v1\/dns_lookup_host is not available here/,
    );
    const remote = createDispatcher(
      'p',
      createLogger('error', () => {}),
      (b, ns, op, p) => enc.encode(`${b}/${ns}/${op}:${dec.decode(p)}`),
    );
    assert.equal(
      dec.decode(remote('kubewarden', 'net', 'v1/dns_lookup_host', enc.encode('"x"'))),
      'kubewarden/net/v1/dns_lookup_host:"x"',
    );
    assert.throws(
      () => remote('kubernetes', 'pods', 'x', new Uint8Array()),
      /^HostCallError: unknown namespace: pods$/,
    );
    assert.deepEqual(d('kubewarden', 'tracing', 'log', enc.encode('not json')), new Uint8Array());
  });

  it('passes __console_log and WASI stdout to the log; proc_exit(0) in _start is success', async () => {
    const wasi = `(import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
      (import "wasi_snapshot_preview1" "proc_exit" (func $proc_exit (param i32)))
      (data (i32.const 8192) "from wasi\\n") (data (i32.const 8300) "console")
      (func (export "_start")
        (i32.store (i32.const 8256) (i32.const 8192)) (i32.store (i32.const 8260) (i32.const 10))
        (drop (call $fd_write (i32.const 1) (i32.const 8256) (i32.const 1) (i32.const 8264)))
        (call $proc_exit (i32.const 0)))`;
    const m = await compile(
      wapcGuest(
        '(call $console_log (i32.const 8300) (i32.const 7)) (call $guest_response (i32.const 0) (i32.const 0)) (i32.const 1)',
        wasi,
      ),
    );
    const logs: string[] = [];
    const inst = WapcInstance.create(m, host(logs));
    inst.call('validate', new Uint8Array());
    assert.deepEqual(logs, ['from wasi', 'console']);
  });

  it('refuses modules that break the contract, naming what is wrong', async () => {
    const noCall = await compile('(module (memory (export "memory") 1) (func (export "wapc_init")))');
    assert.throws(
      () => WapcInstance.create(noCall, host()),
      (e: unknown) =>
        e instanceof WapcLoadError && e.message === 'not a waPC policy: it does not export the function "__guest_call"',
    );
    const foreign = await compile(wapcGuest('(i32.const 0)', '(import "env" "abort" (func (param i32 i32 i32 i32)))'));
    assert.throws(
      () => WapcInstance.create(foreign, host()),
      /it imports "env.abort", which a Kubewarden host does not provide/,
    );
    const badInit = await compile(wapcGuest('(i32.const 0)', '(func (export "_start") (unreachable))'));
    assert.throws(
      () => WapcInstance.create(badInit, host()),
      /^WapcLoadError: initialisation \(_start\) failed: unreachable$/,
    );
  });

  describe('runtime', () => {
    it('maps a response that is not JSON, or not a ValidationResponse, to the policy-server error', async () => {
      const notJson = respond('nope');
      const r1 = new WapcRuntime(await compile(wapcGuest(notJson.code, notJson.data)), host());
      const o1 = r1.validate({ requestJson: '{}', settingsJson: '{}' });
      assert.equal(o1.ok, false);
      assert.match(!o1.ok ? o1.message : '', /^internal server error: invalid response from policy: Unexpected token/);
      const noAccepted = respond('{"message":"x"}');
      const o2 = new WapcRuntime(await compile(wapcGuest(noAccepted.code, noAccepted.data)), host()).validate({
        requestJson: '{}',
        settingsJson: '{}',
      });
      assert.deepEqual(o2, {
        ok: false,
        message: 'internal server error: invalid response from policy: missing field `accepted`',
        code: 500,
        reason: 'error',
      });
    });

    it('reports a trap as a Guest call failure with code 500', async () => {
      const o = new WapcRuntime(await compile(wapcGuest('(unreachable)')), host()).validate({
        requestJson: '{}',
        settingsJson: '{}',
      });
      assert.deepEqual(o, {
        ok: false,
        message: 'internal server error: Guest call failure: unreachable',
        code: 500,
        reason: 'error',
      });
    });

    // crates/policy-evaluator runtimes/wapc/runtime.rs `validate_settings`: the waPC error is printed with {:?}.
    it('reports settings-validation call failures as policy-evaluator does', async () => {
      const s = new WapcRuntime(await compile(wapcGuest('(unreachable)')), host()).validateSettings({});
      assert.deepEqual(s, {
        valid: false,
        message: 'Error invoking settings validation callback: GuestCallFailure("unreachable")',
      });
      const text = 'bad "key"\nsee C:\\docs';
      const bytes = enc.encode(text);
      const data = `(data (i32.const 8192) "${[...bytes].map((b) => '\\' + b.toString(16).padStart(2, '0')).join('')}")`;
      const failing = new WapcRuntime(
        await compile(
          wapcGuest(`(call $guest_error (i32.const 8192) (i32.const ${bytes.length})) (i32.const 0)`, data),
        ),
        host(),
      );
      assert.deepEqual(failing.validateSettings({}), {
        valid: false,
        message: 'Error invoking settings validation callback: GuestCallFailure("bad \\"key\\"\\nsee C:\\\\docs")',
      });
      const ok = respond('{"valid":false,"message":"bad key"}');
      assert.deepEqual(new WapcRuntime(await compile(wapcGuest(ok.code, ok.data)), host()).validateSettings({ a: 1 }), {
        valid: false,
        message: 'bad key',
      });
    });
  });
});
