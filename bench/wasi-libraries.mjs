// Measures the WASI implementations DESIGN.md names against our in-house one (lib/wasm/wasi/preview1.ts),
// on what a WASI policy run needs: per-run cost (fresh instance, argv, JSON on stdin, JSON on stdout) and
// whether stdin can be re-filled while the guest runs (host.call appends its reply to stdin, docs/host-interface.md §5).
// Run: npm run build && node bench/wasi-libraries.mjs   (results go into docs/decisions.md by hand)
import { WASI as NodeWASI } from 'node:wasi';
import wabtInit from 'wabt';

const RUNS = Number(process.env.RUNS ?? 2000);
const enc = new TextEncoder();
const dec = new TextDecoder();
const INPUT = JSON.stringify({ request: { uid: 'u', object: { metadata: { name: 'x'.repeat(2000) } } }, settings: {} });

// A command that reads stdin to EOF, calls host.call (whose reply the host must append to stdin), reads
// stdin to EOF again and writes everything it read to stdout.
const wat = `(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (import "host" "call" (func $host_call (param i32 i32 i32 i32 i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 4)
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
    (drop (call $host_call (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0) (i32.const 0)))
    (call $read_all)
    (i32.store (i32.const 0) (i32.const 65536))
    (i32.store (i32.const 4) (global.get $len))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))`;

const wabt = await wabtInit();
const m = wabt.parseWat('bench.wat', wat);
const module = await WebAssembly.compile(m.toBinary({}).buffer);
const REPLY = '|reply';
const expected = INPUT + REPLY;

function median(fn) {
  for (let i = 0; i < 50; i++) fn();
  const times = [];
  for (let i = 0; i < RUNS; i++) {
    const t = performance.now();
    fn();
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] * 1000;
}

const results = [];

// In-house: the runtime the CLI uses.
{
  const esbuild = await import('esbuild');
  const built = await esbuild.build({
    entryPoints: [new URL('../lib/wasm/wasi/preview1.ts', import.meta.url).pathname],
    bundle: true,
    format: 'esm',
    platform: 'node',
    write: false,
  });
  const { ByteQueue, WasiPreview1 } = await import(
    'data:text/javascript;base64,' + Buffer.from(built.outputFiles[0].text).toString('base64')
  );
  const run = () => {
    const stdin = new ByteQueue();
    stdin.push(enc.encode(INPUT));
    const out = [];
    const wasi = new WasiPreview1({
      args: ['policy.wasm', 'validate'],
      env: {},
      stdin,
      stdout: (b) => out.push(b),
      stderr: () => {},
    });
    const inst = new WebAssembly.Instance(module, {
      ...wasi.importsFor(module),
      host: { call: () => (stdin.push(enc.encode(REPLY)), 0) },
    });
    wasi.bindMemory(inst.exports.memory);
    inst.exports._start();
    return dec.decode(Buffer.concat(out));
  };
  results.push({ library: 'in-house (lib/wasm/wasi/preview1.ts)', refill: run() === expected, us: median(run) });
}

// @wasmer/wasi 1.x: stdin is a buffer set before start; try setting it again from inside host.call.
{
  const { init, WASI } = await import('@wasmer/wasi');
  await init();
  const run = (refill = true) => {
    const wasi = new WASI({ args: ['policy.wasm', 'validate'], env: {} });
    wasi.setStdinString(INPUT);
    const imports = wasi.getImports(module);
    const inst = new WebAssembly.Instance(module, {
      ...imports,
      host: { call: () => (refill && wasi.setStdinString(REPLY), 0) },
    });
    wasi.instantiate(inst, {});
    wasi.start(inst);
    return wasi.getStdoutString();
  };
  let refill = false;
  let note = '';
  try {
    refill = run() === expected;
  } catch (e) {
    note = e.message;
  }
  // Without re-filling (the part it cannot do), to still compare the per-run cost.
  const us = median(() => run(false));
  if (!refill)
    note = `stdin cannot be set while the guest runs: "${note
      .split('\n')[0]
      .replace(/^.*JsValue\(Error: /, '')
      .slice(0, 70)}"; cost measured without the refill`;
  results.push({ library: '@wasmer/wasi 1.2.2', refill, us, note });
}

// node:wasi: stdin must be a real file descriptor; fd_read is wrapped to serve an in-memory queue.
{
  const run = () => {
    const wasi = new NodeWASI({ version: 'preview1', args: ['policy.wasm', 'validate'], env: {}, returnOnExit: true });
    const imports = wasi.getImportObject();
    const base = imports.wasi_snapshot_preview1;
    let pending = enc.encode(INPUT);
    const out = [];
    let memory;
    const wrapped = {
      ...base,
      fd_read: (fd, iovs, n, nread) => {
        if (fd !== 0) return base.fd_read(fd, iovs, n, nread);
        const dv = new DataView(memory.buffer);
        const ptr = dv.getUint32(iovs, true);
        const len = dv.getUint32(iovs + 4, true);
        const chunk = pending.subarray(0, len);
        new Uint8Array(memory.buffer).set(chunk, ptr);
        pending = pending.subarray(chunk.length);
        dv.setUint32(nread, chunk.length, true);
        return 0;
      },
      fd_write: (fd, iovs, n, nw) => {
        const dv = new DataView(memory.buffer);
        let total = 0;
        for (let i = 0; i < n; i++) {
          const p = dv.getUint32(iovs + i * 8, true);
          const l = dv.getUint32(iovs + i * 8 + 4, true);
          out.push(new Uint8Array(memory.buffer).slice(p, p + l));
          total += l;
        }
        dv.setUint32(nw, total, true);
        return 0;
      },
    };
    const inst = new WebAssembly.Instance(module, {
      wasi_snapshot_preview1: wrapped,
      host: { call: () => ((pending = Buffer.concat([pending, enc.encode(REPLY)])), 0) },
    });
    memory = inst.exports.memory;
    wasi.start(inst);
    return dec.decode(Buffer.concat(out));
  };
  results.push({
    library: 'node:wasi (fd_read/fd_write wrapped)',
    refill: run() === expected,
    us: median(run),
    note: 'experimental; prints a warning',
  });
}

// @bjorn3/browser_wasi_shim: stdin as an Fd subclass reading from a queue.
{
  const shim = await import('@bjorn3/browser_wasi_shim');
  class QueueIn extends shim.Fd {
    constructor(bytes) {
      super();
      this.bytes = bytes;
    }
    fd_read(size) {
      const chunk = this.bytes.slice(0, Number(size));
      this.bytes = this.bytes.slice(chunk.length);
      return { ret: 0, data: chunk };
    }
    push(b) {
      this.bytes = Buffer.concat([this.bytes, b]);
    }
  }
  const run = () => {
    const stdin = new QueueIn(enc.encode(INPUT));
    const out = [];
    const stdout = shim.ConsoleStdout.lineBuffered
      ? new (class extends shim.Fd {
          fd_write(data) {
            out.push(data.slice());
            return { ret: 0, nwritten: data.length };
          }
        })()
      : null;
    const wasi = new shim.WASI(['policy.wasm', 'validate'], [], [stdin, stdout, new shim.Fd()]);
    const inst = new WebAssembly.Instance(module, {
      wasi_snapshot_preview1: wasi.wasiImport,
      host: { call: () => (stdin.push(enc.encode(REPLY)), 0) },
    });
    wasi.start(inst);
    return dec.decode(Buffer.concat(out));
  };
  let refill = false;
  let note = '';
  try {
    refill = run() === expected;
  } catch (e) {
    note = e.message;
  }
  results.push({ library: '@bjorn3/browser_wasi_shim 0.4.2', refill, us: refill ? median(run) : NaN, note });
}

console.log(`| library | re-fillable stdin during the run | median per run (µs, ${RUNS} runs) |`);
console.log('| --- | --- | ---: |');
for (const r of results)
  console.log(
    `| ${r.library} | ${r.refill ? 'yes' : 'no'}${r.note ? ` (${r.note})` : ''} | ${Number.isNaN(r.us) ? '–' : r.us.toFixed(1)} |`,
  );
