// Policies in several guest languages, built from source by real toolchains (test/fixtures/guests/,
// see its README), run through the real CLI. The validating fixtures all implement one rule: a Pod must
// carry the label "owner" (or settings.label), message exactly `label "<label>" is required`.
//
// The fixtures are compiled into a temporary directory by test/fixtures/guests/build.mjs (cached in
// node_modules/.cache, so only the first run compiles). A missing toolchain fails the build, and so these
// tests, with the apt package to install: nothing is skipped for lack of a compiler.

import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { buildGuestFixtures, FIXTURES, type GuestFixture } from '../fixtures/guests/build.mjs';
import { fixture, runCli, type CliResult } from '../support/cli';

const PODS = fixture('guests', 'manifests', 'pods.yaml');
const NAMESPACED_PODS = fixture('guests', 'manifests', 'namespaced-pods.yaml');
const TIMEOUT_MESSAGE = 'Policy execution interrupted because it exceeded the allowed execution time';

interface Row {
  object?: { kind: string; name?: string; namespace?: string };
  policy?: string;
  verdict: string;
  message?: string;
  code?: number;
}

/** The results of one policy, keyed "Kind/name". */
function resultsOf(r: CliResult, policy: string): Record<string, { verdict: string; message?: string; code?: number }> {
  let report: { results: Row[] };
  try {
    report = JSON.parse(r.stdout) as { results: Row[] };
  } catch {
    throw new Error(`not a JSON report (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
  const out: Record<string, { verdict: string; message?: string; code?: number }> = {};
  for (const row of report.results) {
    if (row.policy !== policy || !row.object) continue;
    const v: { verdict: string; message?: string; code?: number } = { verdict: row.verdict };
    if (row.message !== undefined && row.verdict !== 'skip') v.message = row.message;
    if (row.code !== undefined) v.code = row.code;
    out[`${row.object.kind}/${row.object.name}`] = v;
  }
  return out;
}

const PASS = { verdict: 'pass' };
const fail = (message: string) => ({ verdict: 'fail', message });
const error = (message: string) => ({ verdict: 'error', message, code: 500 });

describe('guest policies built from source (test/fixtures/guests)', function () {
  let dir: string;
  const built = new Map<string, GuestFixture>();
  const wasm = (name: string): string => {
    const f = built.get(name);
    if (!f) throw new Error(`fixture ${name} was not built`);
    return f.path;
  };

  before(async function () {
    // Cold, the serde crates of wapc-rust-typed take about 1.5 min on 2 busy cores (then cached).
    this.timeout(600_000);
    dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-guests-'));
    for (const f of await buildGuestFixtures(dir)) built.set(f.name, f);
  });

  after(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('the builder', () => {
    it('builds every fixture, with the language and mode it declares', () => {
      assert.deepEqual([...built.keys()].sort(), FIXTURES.map((f) => f.name).sort());
      const langs = new Set([...built.values()].map((f) => f.language));
      for (const l of ['c', 'rust', 'assemblyscript', 'wat']) assert.ok(langs.has(l), `a ${l} fixture`);
    });

    it('wapc-c imports only from wapc and exports exactly memory, __guest_call and wapc_init', () => {
      const m = new WebAssembly.Module(readFileSync(wasm('wapc-c')));
      assert.deepEqual(
        WebAssembly.Module.imports(m)
          .map((i) => `${i.module}.${i.name}`)
          .sort(),
        ['wapc.__guest_error', 'wapc.__guest_request', 'wapc.__guest_response'],
      );
      assert.deepEqual(
        WebAssembly.Module.exports(m)
          .map((e) => `${e.name}:${e.kind}`)
          .sort(),
        ['__guest_call:function', 'memory:memory', 'wapc_init:function'],
      );
    });

    it('wapc-rust, wapc-rust-typed (serde) and wapc-as import only from wapc', () => {
      for (const name of ['wapc-rust', 'wapc-rust-typed', 'wapc-as']) {
        const m = new WebAssembly.Module(readFileSync(wasm(name)));
        assert.deepEqual([...new Set(WebAssembly.Module.imports(m).map((i) => i.module))], ['wapc'], name);
        const exports = WebAssembly.Module.exports(m).map((e) => e.name);
        for (const e of ['memory', '__guest_call', 'wapc_init']) assert.ok(exports.includes(e), `${name} exports ${e}`);
      }
    });

    it('wasi-rust is a WASI command importing host.call with the 8 x i32 -> i32 signature', async () => {
      const bytes = readFileSync(wasm('wasi-rust'));
      const m = new WebAssembly.Module(bytes);
      const imports = WebAssembly.Module.imports(m);
      assert.ok(imports.some((i) => i.module === 'host' && i.name === 'call'));
      assert.deepEqual([...new Set(imports.map((i) => i.module))].sort(), ['host', 'wasi_snapshot_preview1']);
      assert.ok(WebAssembly.Module.exports(m).some((e) => e.name === '_start' && e.kind === 'function'));
      // The signature, from the disassembly: (import "host" "call" (func (;0;) (type N))) and type N.
      const { default: wabtInit } = await import('wabt');
      const mod = (await wabtInit()).readWasm(bytes, { readDebugNames: false });
      try {
        const text = mod.toText({});
        const typeIdx = /\(import "host" "call" \(func [^)]*\) \(type (\d+)\)\)\)/.exec(text)?.[1];
        assert.ok(typeIdx, 'host.call is a function import');
        const sig = new RegExp(
          `\\(type \\(;${typeIdx};\\) \\(func \\(param ([^)]*)\\) \\(result ([^)]*)\\)\\)\\)`,
        ).exec(text);
        assert.ok(sig, 'type of host.call');
        assert.deepEqual(sig[1].trim().split(/\s+/), ['i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32', 'i32']);
        assert.equal(sig[2].trim(), 'i32');
      } finally {
        mod.destroy();
      }
    });

    it('writes metadata: protocolVersion v1 for waPC (asked from the guest or written directly), Unknown for WASI', () => {
      const md = (name: string) => {
        const s = WebAssembly.Module.customSections(
          new WebAssembly.Module(readFileSync(wasm(name))),
          'io.kubewarden.metadata',
        );
        assert.equal(s.length, 1, `${name} has one metadata section`);
        return JSON.parse(Buffer.from(s[0]).toString('utf8')) as Record<string, unknown>;
      };
      for (const name of [
        'wapc-c',
        'wapc-rust',
        'wapc-as',
        'hostile-loop-validate',
        'hostile-loop-start',
        'hostile-no-guest-call',
      ]) {
        assert.equal(md(name).protocolVersion, 'v1', name);
        assert.equal(md(name).executionMode, 'kubewarden-wapc', name);
      }
      for (const name of ['wasi-c', 'wasi-rust', 'hostile-wasi-escape']) {
        assert.equal(md(name).protocolVersion, 'Unknown', name);
        assert.equal(md(name).executionMode, 'wasi', name);
      }
      assert.deepEqual(md('wasi-rust').contextAwareResources, [{ apiVersion: 'v1', kind: 'Namespace' }]);
      assert.notEqual(readFileSync(wasm('hostile-not-wasm')).subarray(0, 4).toString('latin1'), '\0asm');
    });
  });

  for (const name of ['wapc-c', 'wapc-rust', 'wapc-as']) {
    describe(`${name} (waPC) through the CLI`, () => {
      it('rejects Pods without the label "owner" and accepts the others', async () => {
        const r = await runCli(['check', '-f', PODS, '-p', wasm(name), '-o', 'json']);
        assert.equal(r.code, 1, r.stderr);
        assert.deepEqual(resultsOf(r, name), {
          'Pod/owned': PASS,
          'Pod/unowned': fail('label "owner" is required'),
          'Pod/team-only': fail('label "owner" is required'),
          'ConfigMap/settings': { verdict: 'skip' },
        });
      });

      it('requires the label named by settings.label', async () => {
        const r = await runCli([
          'check',
          '-f',
          PODS,
          '-p',
          wasm(name),
          '--settings-json',
          '{"label":"team"}',
          '-o',
          'json',
        ]);
        assert.equal(r.code, 1, r.stderr);
        assert.deepEqual(resultsOf(r, name), {
          'Pod/owned': fail('label "team" is required'),
          'Pod/unowned': fail('label "team" is required'),
          'Pod/team-only': PASS,
          'ConfigMap/settings': { verdict: 'skip' },
        });
      });

      it("refuses unknown settings with exit 2 and the guest's message", async () => {
        const r = await runCli([
          'check',
          '-f',
          PODS,
          '-p',
          wasm(name),
          '--settings-json',
          '{"label":"team","color":"red"}',
          '-o',
          'json',
        ]);
        assert.equal(r.code, 2);
        assert.equal(r.stdout, '');
        assert.match(
          r.stderr,
          new RegExp(`^error: policy ${name} \\(.*\\): invalid settings \\(-p .*\\): unknown setting "color"$`, 'm'),
        );
      });
    });
  }

  describe('the three waPC languages agree', () => {
    it('gives identical results for the same input', async () => {
      const runs = await Promise.all(
        ['wapc-c', 'wapc-rust', 'wapc-as'].map(async (n) =>
          resultsOf(await runCli(['check', '-f', PODS, '-f', NAMESPACED_PODS, '-p', wasm(n), '-o', 'json']), n),
        ),
      );
      assert.deepEqual(runs[1], runs[0]);
      assert.deepEqual(runs[2], runs[0]);
    });
  });

  describe('WASI policies (docs/host-interface.md §5)', () => {
    it('wasi-c: the owner rule, through argv/stdin/stdout', async () => {
      const r = await runCli(['check', '-f', PODS, '-p', wasm('wasi-c'), '-o', 'json']);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(resultsOf(r, 'wasi-c'), {
        'Pod/owned': PASS,
        'Pod/unowned': fail('label "owner" is required'),
        'Pod/team-only': fail('label "owner" is required'),
        'ConfigMap/settings': { verdict: 'skip' },
      });
      const s = await runCli([
        'check',
        '-f',
        PODS,
        '-p',
        wasm('wasi-c'),
        '--settings-json',
        '{"label":"team"}',
        '-o',
        'json',
      ]);
      assert.deepEqual(resultsOf(s, 'wasi-c')['Pod/team-only'], PASS);
      assert.deepEqual(resultsOf(s, 'wasi-c')['Pod/owned'], fail('label "team" is required'));
    });

    it("wasi-c: validate-settings refuses unknown settings (exit 2, the guest's message)", async () => {
      const r = await runCli(['check', '-f', PODS, '-p', wasm('wasi-c'), '--settings-json', '{"color":"red"}']);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /^error: policy wasi-c \(.*\): invalid settings \(-p .*\): unknown setting "color"$/m);
    });

    it('wasi-rust: a failed host.call get_resource rejects with "cannot look up namespace <ns>: <error text>"', async () => {
      // Whatever the kubernetes capability answers when it cannot serve the lookup, the error text travels
      // back through stdin and ends up in the message.
      const r = await runCli(['check', '-f', PODS, '-p', wasm('wasi-rust'), '-o', 'json']);
      const res = resultsOf(r, 'wasi-rust');
      for (const pod of ['Pod/owned', 'Pod/unowned', 'Pod/team-only']) {
        assert.equal(res[pod].verdict, 'fail', pod);
        assert.match(res[pod].message!, /^cannot look up namespace shop: \S.*$/, pod);
      }
    });

    it("wasi-rust: with the Namespace in the input, applies the owner rule; a missing Namespace is the host's not-found error", async () => {
      // The kubernetes capability backed by the manifests given (DESIGN.md), the Namespace allowed by the
      // policy's contextAwareResources (a -p module is granted its metadata's list, as kwctl --allow-context-aware).
      const r = await runCli(['check', '-f', NAMESPACED_PODS, '-p', wasm('wasi-rust'), '-o', 'json']);
      assert.equal(r.code, 1, r.stderr);
      assert.deepEqual(resultsOf(r, 'wasi-rust'), {
        'Namespace/shop': { verdict: 'skip' },
        'Pod/owned': PASS,
        'Pod/unowned': fail('label "owner" is required'),
        'Pod/lost': fail(
          "cannot look up namespace ghost: Cannot find v1/Namespace named 'ghost' inside of namespace 'None'",
        ),
      });
    });

    it('hostile-wasi-exit: a non-zero exit gives the trimmed stderr, code 500, and stdout is ignored', async () => {
      const r = await runCli([
        'check',
        '-f',
        PODS,
        '-p',
        wasm('hostile-wasi-exit'),
        '-p',
        wasm('wapc-c'),
        '-o',
        'json',
      ]);
      assert.equal(r.code, 2, r.stderr);
      const res = resultsOf(r, 'hostile-wasi-exit');
      for (const pod of ['Pod/owned', 'Pod/unowned', 'Pod/team-only']) {
        assert.deepEqual(res[pod], error('hostile-wasi-exit: giving up with exit code 3'), pod);
      }
      assert.deepEqual(resultsOf(r, 'wapc-c')['Pod/owned'], PASS);
    });

    it('hostile-wasi-escape: no file, directory or environment variable reaches the guest', async () => {
      const r = await runCli(['check', '-f', PODS, '-p', wasm('hostile-wasi-escape'), '-o', 'json'], {
        env: { HOME: '/root', WASMPOLICY_SECRET: 'do-not-leak' },
      });
      assert.equal(r.code, 1, r.stderr);
      const message = resultsOf(r, 'hostile-wasi-escape')['Pod/owned'].message;
      assert.equal(
        message,
        'open /etc/passwd: Capabilities insufficient; open ../../../../etc/passwd: Capabilities insufficient; ' +
          'open /: Capabilities insufficient; open .: Capabilities insufficient; opendir /: Capabilities insufficient; ' +
          'preopens: none; HOME: <unset>; environ: 0 entries',
      );
      assert.doesNotMatch(r.stdout, /OPENED|root:|do-not-leak/);
    });

    it('hostile-stdout-flood: 256 MiB of stdout is stopped at the output cap, an error, not an out-of-memory', async () => {
      const t0 = Date.now();
      // A generous deadline: this case is about the output cap, and a busy machine copies 64 MiB slowly.
      const r = await runCli([
        'check',
        '-f',
        PODS,
        '-p',
        wasm('hostile-stdout-flood'),
        '-p',
        wasm('wapc-c'),
        '-o',
        'json',
        '--timeout',
        '60s',
      ]);
      assert.equal(r.code, 2, r.stderr);
      const res = resultsOf(r, 'hostile-stdout-flood');
      for (const pod of ['Pod/owned', 'Pod/unowned', 'Pod/team-only']) {
        assert.deepEqual(
          res[pod],
          error('the policy wrote to stdout more than 67108864 bytes (the output limit)'),
          pod,
        );
      }
      // The other policy still answers for every object.
      assert.deepEqual(resultsOf(r, 'wapc-c')['Pod/unowned'], fail('label "owner" is required'));
      assert.ok(Date.now() - t0 < 60_000);
    });
  });

  describe('hostile waPC modules', () => {
    it('hostile-recursion: the stack overflow is an error for that object, code 500; the run goes on', async () => {
      const r = await runCli([
        'check',
        '-f',
        PODS,
        '-p',
        wasm('hostile-recursion'),
        '-p',
        wasm('wapc-c'),
        '-o',
        'json',
      ]);
      assert.equal(r.code, 2, r.stderr);
      const res = resultsOf(r, 'hostile-recursion');
      for (const pod of ['Pod/owned', 'Pod/unowned', 'Pod/team-only']) {
        assert.deepEqual(res[pod], error('internal server error: Guest call failure: call stack exhausted'), pod);
      }
      assert.deepEqual(resultsOf(r, 'wapc-c')['Pod/owned'], PASS);
      assert.deepEqual(resultsOf(r, 'wapc-c')['Pod/unowned'], fail('label "owner" is required'));
    });

    it('hostile-not-json: a reply that is not JSON is "invalid response from policy", code 500', async () => {
      const r = await runCli(['check', '-f', PODS, '-p', wasm('hostile-not-json'), '-p', wasm('wapc-c'), '-o', 'json']);
      assert.equal(r.code, 2, r.stderr);
      const res = resultsOf(r, 'hostile-not-json');
      for (const pod of ['Pod/owned', 'Pod/unowned', 'Pod/team-only']) {
        assert.equal(res[pod].verdict, 'error', pod);
        assert.equal(res[pod].code, 500, pod);
        assert.match(res[pod].message!, /^internal server error: invalid response from policy: \S/, pod);
      }
      assert.deepEqual(resultsOf(r, 'wapc-c')['Pod/owned'], PASS);
    });

    it('hostile-no-guest-call: refused at load (exit 2) for the missing export', async () => {
      const r = await runCli(['check', '-f', PODS, '-p', wasm('hostile-no-guest-call')]);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /^error: policy hostile-no-guest-call \(.*\): not a waPC policy: it does not export the function "__guest_call"$/m,
      );
    });

    it('hostile-not-wasm: refused at load (exit 2) as not a WebAssembly module', async () => {
      const r = await runCli(['check', '-f', PODS, '-p', wasm('hostile-not-wasm')]);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(
        r.stderr,
        /^error: policy hostile-not-wasm \(.*\): not a WebAssembly module \(the file does not start with \\0asm\)$/m,
      );
    });

    it('hostile-loop-start: init never finishes: a load error (exit 2) with the timeout message, in bounded time', async () => {
      const t0 = Date.now();
      const r = await runCli(['check', '-f', PODS, '-p', wasm('hostile-loop-start'), '--timeout', '1s']);
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, new RegExp(`^error: policy hostile-loop-start \\(.*\\): .*${TIMEOUT_MESSAGE}`, 'm'));
      // The lower bound cannot flake (the deadline must have passed) and fails if 1s were read as less.
      const elapsed = Date.now() - t0;
      assert.ok(elapsed >= 1000 && elapsed < 20_000, `stopped by the 1 s deadline, not before it: ${elapsed} ms`);
    });

    it('hostile-loop-validate: every evaluation times out (code 500); the other policy answers for every object', async () => {
      const t0 = Date.now();
      const r = await runCli([
        'check',
        '-f',
        PODS,
        '-p',
        wasm('hostile-loop-validate'),
        '-p',
        wasm('wapc-c'),
        '--timeout',
        '1s',
        '-o',
        'json',
      ]);
      assert.equal(r.code, 2, r.stderr);
      const res = resultsOf(r, 'hostile-loop-validate');
      for (const pod of ['Pod/owned', 'Pod/unowned', 'Pod/team-only'])
        assert.deepEqual(res[pod], error(TIMEOUT_MESSAGE), pod);
      assert.deepEqual(resultsOf(r, 'wapc-c'), {
        'Pod/owned': PASS,
        'Pod/unowned': fail('label "owner" is required'),
        'Pod/team-only': fail('label "owner" is required'),
        'ConfigMap/settings': { verdict: 'skip' },
      });
      assert.ok(Date.now() - t0 < 60_000);
    });

    it('hostile-loop-validate: its settings validation still works (the loop is only in validate)', async () => {
      const r = await runCli([
        'check',
        '-f',
        PODS,
        '-p',
        wasm('hostile-loop-validate'),
        '--settings-json',
        '{"color":"red"}',
        '--timeout',
        '1s',
      ]);
      assert.equal(r.code, 2);
      assert.match(r.stderr, /invalid settings \(-p .*\): unknown setting "color"$/m);
    });

    it('hostile-memory-bomb: memory.grow fails at the memory cap and the trap is an error naming it; the run goes on', async () => {
      const r = await runCli([
        'check',
        '-f',
        PODS,
        '-p',
        wasm('hostile-memory-bomb'),
        '-p',
        wasm('wapc-c'),
        '--memory-limit',
        '64Mi',
        '--timeout',
        '30s',
        '-o',
        'json',
      ]);
      assert.equal(r.code, 2, r.stderr);
      const res = resultsOf(r, 'hostile-memory-bomb');
      for (const pod of ['Pod/owned', 'Pod/unowned', 'Pod/team-only']) {
        assert.equal(res[pod].verdict, 'error', pod);
        assert.equal(res[pod].code, 500, pod);
        assert.match(
          res[pod].message!,
          /^internal server error: Guest call failure: unreachable \(memory at [\d.]+ MiB of the 64 MiB limit: a failed memory\.grow is the likely cause\)$/,
          pod,
        );
      }
      assert.deepEqual(resultsOf(r, 'wapc-c')['Pod/unowned'], fail('label "owner" is required'));
    });

    it('hostile-memory-bomb with the default limits: an error (memory cap or deadline), never a crash', async () => {
      // Default cap 512 MiB, deadline 2 s: which one stops the bomb first depends on the machine.
      const r = await runCli([
        'check',
        '-f',
        PODS,
        '-p',
        wasm('hostile-memory-bomb'),
        '-p',
        wasm('wapc-c'),
        '-o',
        'json',
      ]);
      assert.equal(r.code, 2, r.stderr);
      const res = resultsOf(r, 'hostile-memory-bomb');
      for (const pod of ['Pod/owned', 'Pod/unowned', 'Pod/team-only']) {
        assert.equal(res[pod].verdict, 'error', pod);
        assert.equal(res[pod].code, 500, pod);
        assert.match(
          res[pod].message!,
          new RegExp(
            `^(${TIMEOUT_MESSAGE}|internal server error: Guest call failure: unreachable \\(memory at [\\d.]+ MiB of the 512 MiB limit)`,
          ),
          pod,
        );
      }
      assert.deepEqual(resultsOf(r, 'wapc-c')['Pod/owned'], PASS);
    });
  });
});
