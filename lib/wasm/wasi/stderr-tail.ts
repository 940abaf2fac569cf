/** How much of a WASI guest's stderr survives its worker being stopped at the deadline. */
export const STDERR_TAIL_BYTES = 64 * 1024;

const dec = new TextDecoder();

/**
 * The stderr of the WASI run in progress, in memory shared with the main thread: when the watchdog stops a worker
 * at the deadline, the guest's own buffers die with it, and policy-server answers a timed-out WASI policy with its
 * stderr (policy-evaluator `runtimes/wasi_cli`: the interrupted run is a `WasiEvaluation` error whose text is the
 * trimmed stderr). Layout: an Int32 byte count, then at most STDERR_TAIL_BYTES bytes (the first ones written).
 */
export class StderrTail {
  private readonly length: Int32Array;
  private readonly bytes: Uint8Array;

  constructor(readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4 + STDERR_TAIL_BYTES)) {
    this.length = new Int32Array(buffer, 0, 1);
    this.bytes = new Uint8Array(buffer, 4);
  }

  /** A new run starts: what the previous one wrote is forgotten. */
  reset(): void {
    Atomics.store(this.length, 0, 0);
  }

  append(chunk: Uint8Array): void {
    const used = Atomics.load(this.length, 0);
    const take = Math.min(chunk.length, this.bytes.length - used);
    if (take <= 0) return;
    this.bytes.set(chunk.subarray(0, take), used);
    Atomics.store(this.length, 0, used + take);
  }

  /** The stderr written so far, trimmed as policy-evaluator trims it. */
  text(): string {
    return dec.decode(this.bytes.slice(0, Atomics.load(this.length, 0))).trim();
  }
}
