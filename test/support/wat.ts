import wabtInit from 'wabt';

let wabt: Awaited<ReturnType<typeof wabtInit>> | undefined;

/** Assembles WebAssembly text with wabt (the reference toolchain), for small hand-written test guests. */
export async function wat2wasm(
  source: string,
  name = 'test.wat',
  features: { threads?: boolean; memory64?: boolean } = {},
): Promise<Uint8Array> {
  wabt ??= await wabtInit();
  const options = { multi_value: true, bulk_memory: true, ...features };
  const mod = wabt.parseWat(name, source, options);
  try {
    mod.resolveNames();
    // wabt.js's validate takes the features too (its typings omit the argument); parsing alone does not enable them.
    (mod.validate as (features: typeof options) => void)(options);
    return new Uint8Array(mod.toBinary({ write_debug_names: true }).buffer);
  } finally {
    mod.destroy();
  }
}

/** A waPC guest whose `__guest_call` body is `body` (WAT instructions returning i32), with the common imports. */
export function wapcGuest(body: string, extra = '', opts: { init?: boolean } = {}): string {
  return `(module
  (import "wapc" "__guest_request" (func $guest_request (param i32 i32)))
  (import "wapc" "__guest_response" (func $guest_response (param i32 i32)))
  (import "wapc" "__guest_error" (func $guest_error (param i32 i32)))
  (import "wapc" "__host_call" (func $host_call (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (import "wapc" "__host_response_len" (func $host_response_len (result i32)))
  (import "wapc" "__host_response" (func $host_response (param i32)))
  (import "wapc" "__host_error_len" (func $host_error_len (result i32)))
  (import "wapc" "__host_error" (func $host_error (param i32)))
  (import "wapc" "__console_log" (func $console_log (param i32 i32)))
  ${extra}
  (memory (export "memory") 2)
  (global $op_len (mut i32) (i32.const 0))
  (global $payload_len (mut i32) (i32.const 0))
  ${opts.init === false ? '' : '(func (export "wapc_init"))'}
  (func (export "__guest_call") (param $op_len i32) (param $payload_len i32) (result i32)
    (global.set $op_len (local.get $op_len))
    (global.set $payload_len (local.get $payload_len))
    ;; operation name at 0, payload at 4096
    (call $guest_request (i32.const 0) (i32.const 4096))
    ${body})
)`;
}
