import { strict as assert } from 'node:assert';
import { OpaPolicy, RegoLoadError, maximumPages } from '../../../../lib/wasm/opa/abi';
import { RegoRuntime, regoLoadProblems, type RegoRuntimeOptions } from '../../../../lib/wasm/opa/runtime';
import { toAdmissionResponse } from '../../../../lib/admission/response';
import type { AdmissionRequest } from '../../../../lib/kube/admission-review';
import { createLogger, silentLogger, type Logger } from '../../../../lib/base/log';
import { opaFixtures } from '../../../fixtures/opa/fixtures';
import { wat2wasm } from '../../../support/wat';

const MiB = 1024 * 1024;

let fixtures: Map<string, WebAssembly.Module>;
const fixture = (name: string): WebAssembly.Module => {
  const m = fixtures.get(name);
  if (!m) throw new Error(`no fixture ${name}`);
  return m;
};

function runtime(name: string, opts: Partial<RegoRuntimeOptions> = {}): RegoRuntime {
  return new RegoRuntime(fixture(name), {
    mode: 'opa',
    log: silentLogger,
    memoryLimitBytes: 16 * MiB,
    policyType: 'kubernetes',
    ...opts,
  });
}

function capture(): { log: Logger; lines: string[] } {
  const lines: string[] = [];
  return { log: createLogger('debug', (l) => lines.push(l)), lines };
}

function service(type: string, extra: Record<string, unknown> = {}): AdmissionRequest {
  return {
    uid: 'svc-uid',
    kind: { group: '', version: 'v1', kind: 'Service' },
    resource: { group: '', version: 'v1', resource: 'services' },
    operation: 'CREATE',
    userInfo: { username: 'dev' },
    name: 'web',
    namespace: 'default',
    object: {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default', labels: { app: 'web' } },
      spec: { type, ports: [{ port: 80 }] },
    },
    ...extra,
  };
}

const input = (req: unknown, settings: unknown = {}) => ({
  requestJson: JSON.stringify(req),
  settingsJson: JSON.stringify(settings),
});

describe('Rego runtime: opa and gatekeeper modes', () => {
  before(async function () {
    this.timeout(120000);
    fixtures = await opaFixtures();
  });

  describe('OPA mode (docs/host-interface.md §4.2)', () => {
    for (const name of ['opa-lb-abi11', 'opa-lb-abi12']) {
      describe(name, () => {
        it('uses the ABI generation it declares', () => {
          const rt = runtime(name);
          assert.deepEqual(rt.abiVersion, { major: 1, minor: name.endsWith('11') ? 1 : 2 });
        });

        it('rejects a LoadBalancer Service with the deny message, allows other types', () => {
          const rt = runtime(name);
          assert.deepEqual(rt.validate(input(service('LoadBalancer'))), {
            ok: true,
            response: { accepted: false, message: 'Service web of type LoadBalancer is not allowed' },
          });
          assert.deepEqual(rt.validate(input(service('ClusterIP'))), { ok: true, response: { accepted: true } });
          // the same instance keeps answering (heap reset between evaluations)
          for (let i = 0; i < 200; i++)
            assert.equal(rt.validate(input(service(i % 2 ? 'LoadBalancer' : 'NodePort'))).ok, true);
          assert.deepEqual(rt.validate(input(service('LoadBalancer'))), {
            ok: true,
            response: { accepted: false, message: 'Service web of type LoadBalancer is not allowed' },
          });
        });

        it('gives the request (not an AdmissionReview) as input.request and the settings as data', () => {
          const policy = OpaPolicy.load(fixture('echo-abi' + name.slice(-2)), {
            log: silentLogger,
            memoryLimitBytes: 16 * MiB,
          });
          // echo returns data.echo: the settings document is the data document
          assert.deepEqual(policy.evaluateValue('{"request":{}}', '{"echo":{"x":[1,"ü"]}}'), [
            { result: { x: [1, 'ü'] } },
          ]);
          assert.deepEqual(policy.evaluateValue('{"request":{}}', '{}'), []);
        });

        it('does not grow memory over many evaluations (the heap restarts at its base)', () => {
          const policy = OpaPolicy.load(fixture(name), { log: silentLogger, memoryLimitBytes: 16 * MiB });
          const req = JSON.stringify({ request: service('LoadBalancer') });
          policy.evaluate(req, '{}');
          const size = policy.memoryBytes;
          for (let i = 0; i < 2000; i++) policy.evaluate(req, `{"n":${i % 3}}`);
          assert.equal(policy.memoryBytes, size);
        });
      });
    }

    it('maps the response fields: warnings, auditAnnotations, status code; overwrites nothing else', () => {
      for (const gen of ['11', '12']) {
        const rt = runtime(`echo-abi${gen}`);
        const echo = {
          response: {
            uid: 'other',
            allowed: false,
            status: { message: 'no', code: 403 },
            warnings: ['w1'],
            auditAnnotations: { a: 'b' },
            extra: 1,
          },
        };
        assert.deepEqual(rt.validate(input(service('x'), { echo })), {
          ok: true,
          response: { accepted: false, message: 'no', code: 403, warnings: ['w1'], audit_annotations: { a: 'b' } },
        });
      }
    });

    it('turns a patch into the mutated object, so the common code recomputes the same patch', () => {
      const rt = runtime('echo-abi12');
      const ops = [
        { op: 'add', path: '/metadata/labels/owner', value: 'team-a' },
        { op: 'replace', path: '/spec/type', value: 'ClusterIP' },
      ];
      const patch = Buffer.from(JSON.stringify(ops)).toString('base64');
      const req = service('LoadBalancer');
      const outcome = rt.validate(
        input(req, { echo: { response: { uid: 'x', allowed: true, patchType: 'JSONPatch', patch } } }),
      );
      assert.ok(outcome.ok);
      // Literal values, not computed with the applyPatch under test.
      const mutated = {
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: 'default', labels: { app: 'web', owner: 'team-a' } },
        spec: { type: 'ClusterIP', ports: [{ port: 80 }] },
      };
      assert.deepEqual(outcome.response.mutated_object, mutated);
      const evaluated = toAdmissionResponse(req, outcome);
      assert.equal(evaluated.response.patchType, 'JSONPatch');
      assert.deepEqual(evaluated.patch, [
        { op: 'add', path: '/metadata/labels/owner', value: 'team-a' },
        { op: 'replace', path: '/spec/type', value: 'ClusterIP' },
      ]);

      const bad = rt.validate(
        input(req, {
          echo: {
            response: {
              uid: 'x',
              allowed: true,
              patch: Buffer.from('[{"op":"remove","path":"/nope/x"}]').toString('base64'),
            },
          },
        }),
      );
      assert.equal(bad.ok, false);
      assert.match(
        (bad as { message: string }).message,
        /^internal server error: cannot apply the patch returned by the policy: /,
      );
    });

    it('fails with "cannot interpret OPA policy result" when there is no response', () => {
      const expected = {
        ok: false,
        message: 'internal server error: cannot interpret OPA policy result',
        code: 500,
        reason: 'error',
      };
      for (const gen of ['11', '12']) {
        const rt = runtime(`echo-abi${gen}`);
        assert.deepEqual(rt.validate(input(service('x'))), expected); // undefined entrypoint: []
        assert.deepEqual(rt.validate(input(service('x'), { echo: { apiVersion: 'admission.k8s.io/v1' } })), expected);
        assert.deepEqual(rt.validate(input(service('x'), { echo: 'yes' })), expected);
      }
    });

    it('fails with serde texts when the response does not deserialise', () => {
      const rt = runtime('echo-abi11');
      const cases: Array<[unknown, string]> = [
        [{ uid: 'u' }, 'missing field `allowed`'],
        [{ allowed: true }, 'missing field `uid`'],
        [{ uid: 'u', allowed: 'yes' }, 'invalid type: string "yes", expected a boolean'],
        [{ uid: 1, allowed: true }, 'invalid type: integer `1`, expected a string'],
        [null, 'invalid type: unit value, expected struct AdmissionResponse'],
        [{ uid: 'u', allowed: false, status: { code: 70000 } }, 'invalid value: integer `70000`, expected u16'],
        [{ uid: 'u', allowed: false, patchType: 'MergePatch' }, 'unknown variant `MergePatch`, expected `JSONPatch`'],
        [{ uid: 'u', allowed: false, warnings: 'w' }, 'invalid type: string "w", expected a sequence'],
      ];
      for (const [response, why] of cases) {
        assert.deepEqual(
          rt.validate(input(service('x'), { echo: { response } })),
          { ok: false, message: `internal server error: ${why}`, code: 500, reason: 'error' },
          why,
        );
      }
    });

    it('accepts raw requests in OPA mode', () => {
      const rt = runtime('echo-abi12', { policyType: 'raw' });
      assert.deepEqual(
        rt.validate({ requestJson: '{"user":"x"}', settingsJson: '{"echo":{"response":{"uid":"","allowed":true}}}' }),
        { ok: true, response: { accepted: true } },
      );
    });

    it('validateSettings is always valid', () => {
      assert.deepEqual(runtime('opa-lb-abi11').validateSettings({ anything: 1 }), { valid: true });
      assert.deepEqual(runtime('gk-lb-abi12', { mode: 'gatekeeper' }).validateSettings(null), { valid: true });
    });
  });

  describe('Gatekeeper mode (docs/host-interface.md §4.3)', () => {
    const settings = { forbiddenTypes: ['LoadBalancer'], requiredLabels: ['app', 'team'] };
    for (const name of ['gk-lb-abi11', 'gk-lb-abi12']) {
      it(`${name}: rejects with every violation message joined by ", "`, () => {
        const rt = runtime(name, { mode: 'gatekeeper' });
        assert.deepEqual(rt.validate(input(service('LoadBalancer'), settings)), {
          ok: true,
          response: {
            accepted: false,
            message: 'Service web uses the forbidden type LoadBalancer, missing required label team',
          },
        });
        assert.deepEqual(rt.validate(input(service('LoadBalancer'), { forbiddenTypes: ['LoadBalancer'] })), {
          ok: true,
          response: { accepted: false, message: 'Service web uses the forbidden type LoadBalancer' },
        });
        assert.deepEqual(
          rt.validate(input(service('ClusterIP'), { forbiddenTypes: ['LoadBalancer'], requiredLabels: ['app'] })),
          { ok: true, response: { accepted: true } },
        );
        // parameters are the settings: none given, no violation
        assert.deepEqual(rt.validate(input(service('LoadBalancer'), {})), { ok: true, response: { accepted: true } });
        assert.deepEqual(rt.validate({ requestJson: JSON.stringify(service('LoadBalancer')), settingsJson: 'null' }), {
          ok: true,
          response: { accepted: true },
        });
      });
    }

    it('gives {"parameters": settings, "review": request} as input and {} as data', () => {
      const policy = OpaPolicy.load(fixture('echo-abi11'), { log: silentLogger, memoryLimitBytes: 16 * MiB });
      const rt = runtime('echo-abi11', { mode: 'gatekeeper' });
      // echo reads input.parameters.echo when data has none
      assert.deepEqual(rt.validate(input(service('x'), { echo: [{ msg: 'a' }, { msg: 'b' }] })), {
        ok: true,
        response: { accepted: false, message: 'a, b' },
      });
      assert.deepEqual(policy.evaluateValue('{"parameters":{"echo":1},"review":{}}', '{}'), [{ result: 1 }]);
    });

    it('is lenient: a missing or malformed result counts as no violations', () => {
      const rt = runtime('echo-abi12', { mode: 'gatekeeper' });
      const accepted = { ok: true, response: { accepted: true } };
      assert.deepEqual(rt.validate(input(service('x'), {})), accepted); // undefined: []
      assert.deepEqual(rt.validate(input(service('x'), { echo: [] })), accepted);
      assert.deepEqual(rt.validate(input(service('x'), { echo: 'not a list' })), accepted);
      assert.deepEqual(rt.validate(input(service('x'), { echo: [{ msg: 1 }] })), accepted);
      assert.deepEqual(rt.validate(input(service('x'), { echo: [{ msg: 'ok' }, 'x'] })), accepted);
      // violations without msg still reject, with the messages there are
      assert.deepEqual(rt.validate(input(service('x'), { echo: [{ details: {} }, { msg: 'm', details: 1 }] })), {
        ok: true,
        response: { accepted: false, message: 'm' },
      });
      assert.deepEqual(rt.validate(input(service('x'), { echo: [{}] })), {
        ok: true,
        response: { accepted: false, message: '' },
      });
    });

    it('refuses raw requests', () => {
      const rt = runtime('gk-lb-abi11', { mode: 'gatekeeper', policyType: 'raw' });
      assert.deepEqual(rt.validate({ requestJson: '{"a":1}', settingsJson: '{}' }), {
        ok: false,
        message: 'internal server error: Gatekeeper does not support raw validation requests',
        code: 500,
        reason: 'error',
      });
    });
  });

  describe('OPA ABI host (docs/host-interface.md §4.1)', () => {
    it("refuses at load a module that needs builtins we lack, with burrego's text", () => {
      assert.throws(
        () => runtime('opa-missing-builtin'),
        (e: unknown) =>
          e instanceof RegoLoadError &&
          e.message === 'Missing Rego builtins: crypto.x509.parse_certificates, http.send',
      );
      assert.deepEqual(regoLoadProblems(fixture('opa-missing-builtin'), { log: silentLogger, memoryLimitBytes: MiB }), [
        'Missing Rego builtins: crypto.x509.parse_certificates, http.send',
      ]);
      assert.deepEqual(regoLoadProblems(fixture('builtin-probe'), { log: silentLogger, memoryLimitBytes: MiB }), []);
    });

    it('fails the evaluation on opa_abort, logs it at error level, and recovers', () => {
      for (const gen of ['11', '12']) {
        const { log, lines } = capture();
        const rt = runtime(`opa-abort-abi${gen}`, { log });
        const req = (name: string) => input({ uid: 'a', object: { metadata: { name } } });
        const why = 'policy.rego:7:1: eval_conflict_error: complete rules must not produce multiple outputs';
        assert.deepEqual(rt.validate(req('conflict')), {
          ok: false,
          message: `internal server error: wasm engine error: error invoking opa_eval function: opa_abort: ${why}`,
          code: 500,
          reason: 'error',
        });
        assert.deepEqual(lines, [`error: OPA policy aborted: ${why}`]);
        assert.deepEqual(rt.validate(req('fine')), { ok: true, response: { accepted: true } });
      }
    });

    it('sends opa_println to the logger at info level, never to stdout', () => {
      const { log, lines } = capture();
      const rt = runtime('opa-println', { log });
      const written: unknown[] = [];
      const orig = process.stdout.write;
      process.stdout.write = ((chunk: unknown) => {
        written.push(chunk);
        return true;
      }) as typeof process.stdout.write;
      let outcome;
      try {
        outcome = rt.validate(input(service('ClusterIP')));
      } finally {
        process.stdout.write = orig;
      }
      assert.deepEqual(outcome, { ok: true, response: { accepted: true } });
      assert.deepEqual(lines, ['checking Service web']);
      assert.deepEqual(written, []);
    });

    it('calls host builtins of every arity from a real rule (opa-builtins)', () => {
      const now = 1_700_000_000_123_456_789n;
      const policy = OpaPolicy.load(fixture('opa-builtins'), {
        log: silentLogger,
        memoryLimitBytes: 16 * MiB,
        now: () => now,
      });
      const pod = {
        uid: 'pod-uid',
        kind: { group: '', version: 'v1', kind: 'Pod' },
        object: {
          spec: {
            containers: [
              { name: 'app', image: 'registry.example.com/team/nginx:1.2.3' },
              { name: 'side', image: 'busybox:2.0.0' },
            ],
          },
        },
      };
      const result = policy.evaluateValue(JSON.stringify({ request: pod }), '{"minimumVersion":"1.10.0"}') as Array<{
        result: Record<string, unknown>;
      }>;
      assert.deepEqual(result[0].result, {
        response: {
          uid: 'pod-uid',
          allowed: false,
          status: {
            message: 'container app: image registry.example.com/team/nginx has version 1.2.3, older than 1.10.0',
          },
          auditAnnotations: { 'image-hex': Buffer.from('registry.example.com/team/nginx:1.2.3').toString('hex') },
        },
        // time.now_ns is one instant per evaluation; the big number survives the bridge exactly
        debug: { now_ns: Number(now), same_now: true, template: true },
      });
      const text = policy.evaluate(JSON.stringify({ request: pod }), '{"minimumVersion":"1.0.0"}');
      assert.match(text, /"now_ns":1700000000123456789,/);
      const rt = runtime('opa-builtins');
      assert.deepEqual(rt.validate(input(pod, { minimumVersion: '1.0.0' })), {
        ok: true,
        response: {
          accepted: true,
          audit_annotations: { 'image-hex': Buffer.from('registry.example.com/team/nginx:1.2.3').toString('hex') },
        },
      });
    });

    it('fails the evaluation with the builtin error', () => {
      const rt = new RegoRuntime(fixture('builtin-probe'), {
        mode: 'opa',
        log: silentLogger,
        memoryLimitBytes: 16 * MiB,
        policyType: 'raw',
      });
      const outcome = rt.validate({ requestJson: '{}', settingsJson: '{}' });
      // the probe's input is {"request": ...}: no calls, no response
      assert.deepEqual(outcome, {
        ok: false,
        message: 'internal server error: cannot interpret OPA policy result',
        code: 500,
        reason: 'error',
      });
      const policy = OpaPolicy.load(fixture('builtin-probe'), { log: silentLogger, memoryLimitBytes: 16 * MiB });
      assert.throws(() => policy.evaluate(JSON.stringify({ calls: [{ name: 'hex.decode', args: ['zz'] }] }), '{}'), {
        message: `wasm engine error: error invoking opa_eval function: Builtin error ["hex.decode"]: "encoding/hex: invalid byte: U+007A 'z'"`,
      });
      assert.throws(
        () =>
          OpaPolicy.load(fixture('builtin-probe'), { log: silentLogger, memoryLimitBytes: MiB }).evaluate(
            JSON.stringify({ calls: [{ name: 'sprintf', args: [1, []] }] }),
            '{}',
          ),
        {
          message:
            'wasm engine error: error invoking opa_eval function: Builtin error ["sprintf"]: "operand 1 must be string but got number"',
        },
      );
    });

    describe('memory limit', () => {
      const big = (bytes: number) =>
        service('LoadBalancer', {
          object: {
            metadata: { name: 'web', annotations: { blob: 'x'.repeat(bytes) } },
            spec: { type: 'LoadBalancer' },
          },
        });

      it('creates the memory with 5 pages and a maximum from memoryLimitBytes', () => {
        assert.equal(maximumPages(MiB), 16);
        assert.equal(maximumPages(MiB + 1000), 16);
        assert.equal(maximumPages(1000), 5);
        assert.equal(maximumPages(Infinity), 65536);
        const policy = OpaPolicy.load(fixture('opa-lb-abi11'), { log: silentLogger, memoryLimitBytes: MiB });
        assert.equal(policy.memoryBytes, 5 * 65536);
        assert.equal(policy.memoryLimitBytes, MiB);
      });

      it('legacy path: the guest cannot grow past the cap, the evaluation fails clearly, the next one works', () => {
        const rt = runtime('opa-lb-abi11', { memoryLimitBytes: MiB });
        assert.deepEqual(rt.validate(input(big(600 * 1024))), {
          ok: true,
          response: { accepted: false, message: 'Service web of type LoadBalancer is not allowed' },
        });
        assert.deepEqual(rt.validate(input(big(2 * MiB))), {
          ok: false,
          message:
            'internal server error: wasm engine error: error invoking opa_eval function: opa_abort: opa_malloc: out of memory (the policy reached its memory limit of 1048576 bytes)',
          code: 500,
          reason: 'error',
        });
        assert.equal(rt.validate(input(service('LoadBalancer'))).ok, true);
      });

      it('fast path: the host cannot place the input past the cap', () => {
        const rt = runtime('opa-lb-abi12', { memoryLimitBytes: MiB });
        assert.deepEqual(rt.validate(input(big(600 * 1024))), {
          ok: true,
          response: { accepted: false, message: 'Service web of type LoadBalancer is not allowed' },
        });
        const outcome = rt.validate(input(big(2 * MiB)));
        assert.equal(outcome.ok, false);
        assert.match(
          (outcome as { message: string }).message,
          /^internal server error: wasm engine error: cannot grow memory to \d+ bytes to hold the input: the policy memory limit of 1048576 bytes would be exceeded$/,
        );
        assert.equal(rt.validate(input(service('LoadBalancer'))).ok, true);
      });

      it('a bigger limit lets the same input through', () => {
        assert.equal(runtime('opa-lb-abi11', { memoryLimitBytes: 8 * MiB }).validate(input(big(2 * MiB))).ok, true);
        assert.equal(runtime('opa-lb-abi12', { memoryLimitBytes: 8 * MiB }).validate(input(big(2 * MiB))).ok, true);
      });
    });

    describe('hand-written WAT modules', () => {
      /** A constant OPA module: only env.memory imported, the result set is `result`. */
      const constant = (
        opts: {
          result?: string;
          major?: number;
          minor?: number;
          extraImport?: string;
          omit?: string;
          evalBody?: string;
          entrypoints?: string;
        } = {},
      ) => {
        const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');
        const fns: Record<string, string> = {
          opa_malloc:
            '(func (export "opa_malloc") (param i32) (result i32) (local i32) global.get $heap local.tee 1 local.get 0 i32.add global.set $heap local.get 1)',
          opa_json_parse: '(func (export "opa_json_parse") (param i32 i32) (result i32) i32.const 8)',
          opa_json_dump: '(func (export "opa_json_dump") (param i32) (result i32) local.get 0)',
          builtins: '(func (export "builtins") (result i32) i32.const 16)',
          entrypoints: '(func (export "entrypoints") (result i32) i32.const 32)',
          opa_heap_ptr_get: '(func (export "opa_heap_ptr_get") (result i32) global.get $heap)',
          opa_heap_ptr_set: '(func (export "opa_heap_ptr_set") (param i32) local.get 0 global.set $heap)',
          opa_eval_ctx_new: '(func (export "opa_eval_ctx_new") (result i32) i32.const 0)',
          opa_eval_ctx_set_input: '(func (export "opa_eval_ctx_set_input") (param i32 i32))',
          opa_eval_ctx_set_data: '(func (export "opa_eval_ctx_set_data") (param i32 i32))',
          opa_eval_ctx_set_entrypoint: '(func (export "opa_eval_ctx_set_entrypoint") (param i32 i32))',
          opa_eval_ctx_get_result: '(func (export "opa_eval_ctx_get_result") (param i32) (result i32) i32.const 64)',
          eval: `(func (export "eval") (param i32) (result i32) ${opts.evalBody ?? 'i32.const 0'})`,
        };
        delete fns[opts.omit ?? ''];
        return `(module
          (import "env" "memory" (memory 1))
          ${opts.extraImport ?? ''}
          (global $heap (mut i32) (i32.const 4096))
          (global (export "opa_wasm_abi_version") i32 (i32.const ${opts.major ?? 1}))
          (global (export "opa_wasm_abi_minor_version") i32 (i32.const ${opts.minor ?? 1}))
          (data (i32.const 8) "{}\\00")
          (data (i32.const 16) "{}\\00")
          (data (i32.const 32) "${esc(opts.entrypoints ?? '{"main":0}')}\\00")
          (data (i32.const 64) "${esc(opts.result ?? '[{"result":{"response":{"uid":"","allowed":true}}}]')}\\00")
          ${Object.values(fns).join('\n')})`;
      };
      const compile = async (wat: string) => new WebAssembly.Module((await wat2wasm(wat)) as Uint8Array<ArrayBuffer>);

      it('runs a module that imports env.memory only', async () => {
        const rt = new RegoRuntime(await compile(constant()), {
          mode: 'opa',
          log: silentLogger,
          memoryLimitBytes: MiB,
          policyType: 'kubernetes',
        });
        assert.deepEqual(rt.validate(input(service('x'))), { ok: true, response: { accepted: true } });
      });

      it('refuses an unsupported ABI, missing exports and unknown imports', async () => {
        const problems = async (wat: string) =>
          regoLoadProblems(await compile(wat), { log: silentLogger, memoryLimitBytes: MiB });
        assert.deepEqual(await problems(constant({ major: 2 })), [
          'Rego wasm error: unsupported OPA Wasm ABI version 2.1 (only 1.x is supported)',
        ]);
        assert.deepEqual(await problems(constant({ omit: 'opa_eval_ctx_new' })), [
          'Rego wasm error: cannot get opa_eval_ctx_new function',
        ]);
        assert.deepEqual(await problems(constant({ extraImport: '(import "env" "http_send" (func (param i32)))' })), [
          'wasm engine error: linker cannot create instance: unknown import: `env::http_send` has not been defined',
        ]);
        await assert.rejects(
          async () =>
            new RegoRuntime(await compile(constant({ major: 0 })), {
              mode: 'opa',
              log: silentLogger,
              memoryLimitBytes: MiB,
              policyType: 'kubernetes',
            }),
          RegoLoadError,
        );
      });

      it('fails every evaluation of a module without entrypoint 0, as burrego does', async () => {
        const rt = new RegoRuntime(await compile(constant({ entrypoints: '{"policy/main":1}' })), {
          mode: 'opa',
          log: silentLogger,
          memoryLimitBytes: MiB,
          policyType: 'kubernetes',
        });
        assert.deepEqual(rt.validate(input(service('x'))), {
          ok: false,
          message:
            'internal server error: Rego wasm error: Cannot find the specified entrypoint 0 inside of {"policy/main": 1}',
          code: 500,
          reason: 'error',
        });
      });

      it('reports a trap as a wasm engine error', async () => {
        const rt = new RegoRuntime(await compile(constant({ evalBody: 'unreachable' })), {
          mode: 'opa',
          log: silentLogger,
          memoryLimitBytes: MiB,
          policyType: 'kubernetes',
        });
        assert.deepEqual(rt.validate(input(service('x'))), {
          ok: false,
          message: 'internal server error: wasm engine error: error invoking opa_eval function: wasm trap: unreachable',
          code: 500,
          reason: 'error',
        });
      });
    });
  });
});
