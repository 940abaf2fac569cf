/**
 * An in-memory WASI preview1 (also served as `wasi_unstable`) for policies: no preopened directories, no
 * sockets, args and environment exactly as given (policy-server gives none), stdin from a re-fillable queue,
 * stdout/stderr captured. Everything a policy could use to reach the host's filesystem or network answers
 * an errno instead. Only the functions a module imports are provided.
 */

export const WASI_MODULES = ['wasi_snapshot_preview1', 'wasi_unstable'] as const;

const ERRNO = { SUCCESS: 0, BADF: 8, INVAL: 28, NOSYS: 52, SPIPE: 70, NOTCAPABLE: 76 } as const;

/** Thrown by proc_exit to unwind out of the guest. */
export class WasiExit extends Error {
  override name = 'WasiExit';
  constructor(readonly code: number) {
    super(`exit code ${code}`);
  }
}

export interface WasiOptions {
  args: string[];
  env: Record<string, string>;
  /** Bytes waiting on stdin; a read drains them, an empty queue reads as end of file. */
  stdin?: ByteQueue;
  stdout: (bytes: Uint8Array) => void;
  stderr: (bytes: Uint8Array) => void;
}

export class ByteQueue {
  private chunks: Uint8Array[] = [];
  push(bytes: Uint8Array): void {
    if (bytes.length > 0) this.chunks.push(bytes);
  }
  /** Copies up to `max` bytes out of the queue. */
  take(max: number): Uint8Array {
    const out = new Uint8Array(Math.min(max, this.size()));
    let off = 0;
    while (off < out.length) {
      const c = this.chunks[0];
      const n = Math.min(c.length, out.length - off);
      out.set(c.subarray(0, n), off);
      off += n;
      if (n === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(n);
    }
    return out;
  }
  size(): number {
    let n = 0;
    for (const c of this.chunks) n += c.length;
    return n;
  }
}

type Fn = (...args: number[]) => number | bigint | void;

export class WasiPreview1 {
  private memory?: WebAssembly.Memory;
  constructor(private readonly opts: WasiOptions) {}

  /** Must be called once the instance exists, before any guest code that may call WASI runs. */
  bindMemory(memory: WebAssembly.Memory): void {
    this.memory = memory;
  }

  /** Implementations for the `wasi_*` imports `module` declares; unknown names answer ENOSYS. */
  importsFor(module: WebAssembly.Module): Record<string, Record<string, Fn>> {
    const out: Record<string, Record<string, Fn>> = {};
    const impl = this.functions();
    for (const imp of WebAssembly.Module.imports(module)) {
      if (!(WASI_MODULES as readonly string[]).includes(imp.module) || imp.kind !== 'function') continue;
      out[imp.module] ??= {};
      out[imp.module][imp.name] = impl[imp.name] ?? (() => ERRNO.NOSYS);
    }
    return out;
  }

  private view(): DataView {
    if (!this.memory) throw new Error('WASI called before memory was bound');
    return new DataView(this.memory.buffer);
  }

  private bytes(): Uint8Array {
    return new Uint8Array(this.memory!.buffer);
  }

  private functions(): Record<string, Fn> {
    const enc = new TextEncoder();
    const argBytes = this.opts.args.map((a) => enc.encode(a + '\0'));
    const envBytes = Object.entries(this.opts.env).map(([k, v]) => enc.encode(`${k}=${v}\0`));
    const listGet =
      (items: Uint8Array[]) =>
      (ptrs: number, buf: number): number => {
        const dv = this.view();
        const mem = this.bytes();
        let off = buf;
        items.forEach((it, i) => {
          dv.setUint32(ptrs + i * 4, off, true);
          mem.set(it, off);
          off += it.length;
        });
        return ERRNO.SUCCESS;
      };
    const sizesGet =
      (items: Uint8Array[]) =>
      (countPtr: number, sizePtr: number): number => {
        const dv = this.view();
        dv.setUint32(countPtr, items.length, true);
        dv.setUint32(
          sizePtr,
          items.reduce((n, it) => n + it.length, 0),
          true,
        );
        return ERRNO.SUCCESS;
      };
    return {
      args_get: listGet(argBytes),
      args_sizes_get: sizesGet(argBytes),
      environ_get: listGet(envBytes),
      environ_sizes_get: sizesGet(envBytes),
      fd_write: (fd, iovs, iovsLen, nwritten) => {
        if (fd !== 1 && fd !== 2) return ERRNO.BADF;
        const dv = this.view();
        const mem = this.bytes();
        let total = 0;
        for (let i = 0; i < iovsLen; i++) {
          const ptr = dv.getUint32(iovs + i * 8, true);
          const len = dv.getUint32(iovs + i * 8 + 4, true);
          const chunk = mem.slice(ptr, ptr + len);
          (fd === 1 ? this.opts.stdout : this.opts.stderr)(chunk);
          total += len;
        }
        dv.setUint32(nwritten, total, true);
        return ERRNO.SUCCESS;
      },
      fd_read: (fd, iovs, iovsLen, nread) => {
        if (fd !== 0) return ERRNO.BADF;
        const dv = this.view();
        let total = 0;
        for (let i = 0; i < iovsLen; i++) {
          const ptr = dv.getUint32(iovs + i * 8, true);
          const len = dv.getUint32(iovs + i * 8 + 4, true);
          const chunk = this.opts.stdin ? this.opts.stdin.take(len) : new Uint8Array(0);
          this.bytes().set(chunk, ptr);
          total += chunk.length;
          if (chunk.length < len) break;
        }
        dv.setUint32(nread, total, true);
        return ERRNO.SUCCESS;
      },
      fd_fdstat_get: (fd, statPtr) => {
        if (fd > 2) return ERRNO.BADF;
        const dv = this.view();
        dv.setUint8(statPtr, 2); // character device
        dv.setUint16(statPtr + 2, 0, true);
        dv.setBigUint64(statPtr + 8, fd === 0 ? 0x2n : 0x40n, true); // fd_read / fd_write rights
        dv.setBigUint64(statPtr + 16, 0n, true);
        return ERRNO.SUCCESS;
      },
      fd_fdstat_set_flags: (fd) => (fd > 2 ? ERRNO.BADF : ERRNO.SUCCESS),
      fd_close: (fd) => (fd > 2 ? ERRNO.BADF : ERRNO.SUCCESS),
      fd_seek: (fd) => (fd > 2 ? ERRNO.BADF : ERRNO.SPIPE),
      fd_tell: (fd) => (fd > 2 ? ERRNO.BADF : ERRNO.SPIPE),
      fd_sync: (fd) => (fd > 2 ? ERRNO.BADF : ERRNO.SUCCESS),
      fd_datasync: (fd) => (fd > 2 ? ERRNO.BADF : ERRNO.SUCCESS),
      // No preopened directories: libc's preopen scan stops at the first EBADF.
      fd_prestat_get: () => ERRNO.BADF,
      fd_prestat_dir_name: () => ERRNO.BADF,
      path_open: () => ERRNO.NOTCAPABLE,
      sock_accept: () => ERRNO.NOTCAPABLE,
      sock_recv: () => ERRNO.NOTCAPABLE,
      sock_send: () => ERRNO.NOTCAPABLE,
      sock_shutdown: () => ERRNO.NOTCAPABLE,
      clock_res_get: (_id, resPtr) => {
        this.view().setBigUint64(resPtr, 1000n, true);
        return ERRNO.SUCCESS;
      },
      clock_time_get: (id, _precision, timePtr) => {
        const ns = id === 0 ? BigInt(Date.now()) * 1_000_000n : process.hrtime.bigint();
        this.view().setBigUint64(timePtr, ns, true);
        return ERRNO.SUCCESS;
      },
      random_get: (ptr, len) => {
        const mem = this.bytes();
        // getRandomValues is limited to 64 KiB per call.
        for (let off = 0; off < len; off += 65536) {
          crypto.getRandomValues(mem.subarray(ptr + off, ptr + Math.min(len, off + 65536)));
        }
        return ERRNO.SUCCESS;
      },
      sched_yield: () => ERRNO.SUCCESS,
      proc_exit: (code) => {
        throw new WasiExit(code as number);
      },
      proc_raise: () => ERRNO.NOSYS,
    };
  }
}
