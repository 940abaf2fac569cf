import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { annotate } from '../../lib/authoring/annotate';
import { wapcGuest, wat2wasm } from './wat';

/** How a test policy answers `validate`: a constant ValidationResponse, a trap, or a loop that never ends. */
export type Behaviour = { respond: object } | { trap: true } | { loop: true };

export interface TestPolicyOptions {
  behaviour: Behaviour;
  /** Metadata rules (default: every resource, every operation). */
  rules?: { apiGroups: string[]; apiVersions: string[]; resources: string[]; operations: string[] }[];
  mutating?: boolean;
  /** Export `wapc_init` (default true); the guest never exports `_start`. */
  init?: boolean;
  /** Write the metadata section (default true): false gives the bare module a compiler produces. */
  annotated?: boolean;
}

const hex = (s: string): string =>
  [...new TextEncoder().encode(s)].map((b) => '\\' + b.toString(16).padStart(2, '0')).join('');

/**
 * Builds an annotated waPC policy (protocol v1, settings always valid) that answers every `validate` the same
 * way, whatever the request: enough to test which policies a request reaches and what is done with their answers.
 */
export async function testPolicy(dir: string, name: string, opts: TestPolicyOptions): Promise<string> {
  const protocol = '"v1"';
  const valid = '{"valid":true}';
  const b = opts.behaviour;
  const validate =
    'respond' in b
      ? `(call $guest_response (i32.const 12288) (i32.const ${new TextEncoder().encode(JSON.stringify(b.respond)).length})) (i32.const 1)`
      : 'trap' in b
        ? 'unreachable'
        : '(loop $forever (br $forever)) (i32.const 1)';
  // Dispatch on the operation's length: protocol_version (16), validate_settings (17), validate (8).
  const body = `(if (result i32) (i32.eq (global.get $op_len) (i32.const 16))
      (then (call $guest_response (i32.const 8192) (i32.const ${protocol.length})) (i32.const 1))
      (else (if (result i32) (i32.eq (global.get $op_len) (i32.const 17))
        (then (call $guest_response (i32.const 8320) (i32.const ${valid.length})) (i32.const 1))
        (else ${validate}))))`;
  const data = `(data (i32.const 8192) "${hex(protocol)}") (data (i32.const 8320) "${hex(valid)}")${'respond' in b ? ` (data (i32.const 12288) "${hex(JSON.stringify(b.respond))}")` : ''}`;
  const wasm = await wat2wasm(wapcGuest(body, data, { init: opts.init ?? true }));
  const rules = opts.rules ?? [{ apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], operations: ['*'] }];
  const metadata = [
    'rules:',
    ...rules.flatMap((r) => [
      `  - apiGroups: ${JSON.stringify(r.apiGroups)}`,
      `    apiVersions: ${JSON.stringify(r.apiVersions)}`,
      `    resources: ${JSON.stringify(r.resources)}`,
      `    operations: ${JSON.stringify(r.operations)}`,
    ]),
    `mutating: ${opts.mutating ?? false}`,
    'annotations:',
    `  io.kubewarden.policy.title: ${name}`,
    '',
  ].join('\n');
  const file = path.join(dir, `${name}.wasm`);
  writeFileSync(file, opts.annotated === false ? wasm : (await annotate(wasm, metadata)).bytes);
  return file;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), prefix));
}
