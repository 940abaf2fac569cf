/**
 * Minimal reader/writer of the WebAssembly binary's section list: enough to replace a custom section and to
 * rewrite the memory limits, without a dependency.
 */

const MAGIC = [0x00, 0x61, 0x73, 0x6d];
export const WASM_PAGE = 65536;

export function isWasm(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && MAGIC.every((b, i) => bytes[i] === b);
}

export interface Section {
  id: number;
  /** Offset of the section id byte. */
  start: number;
  /** Offset of the first payload byte. */
  body: number;
  /** Offset after the last payload byte. */
  end: number;
  /** Name of a custom section (id 0). */
  name?: string;
}

export function readU32(bytes: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= bytes.length) throw new Error('truncated LEB128 value');
    const b = bytes[pos++];
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7;
    if (shift > 35) throw new Error('LEB128 value too long');
  }
}

export function writeU32(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n % 128;
    n = Math.floor(n / 128);
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

export function sections(bytes: Uint8Array): Section[] {
  if (!isWasm(bytes)) throw new Error('not a WebAssembly module (bad magic number)');
  const out: Section[] = [];
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos];
    const [size, body] = readU32(bytes, pos + 1);
    const end = body + size;
    if (end > bytes.length) throw new Error('truncated section');
    const s: Section = { id, start: pos, body, end };
    if (id === 0) {
      const [len, p] = readU32(bytes, body);
      s.name = Buffer.from(bytes.subarray(p, p + len)).toString('utf8');
    }
    out.push(s);
    pos = end;
  }
  return out;
}

function encodeSection(id: number, payload: Uint8Array): Uint8Array {
  return Buffer.concat([Uint8Array.from([id, ...writeU32(payload.length)]), payload]);
}

/** Returns a copy of `bytes` without any custom section called `name`, with one new such section at the end. */
export function replaceCustomSection(bytes: Uint8Array, name: string, payload: Uint8Array): Uint8Array {
  const keep = sections(bytes).filter((s) => !(s.id === 0 && s.name === name));
  const nameBytes = Buffer.from(name, 'utf8');
  const content = Buffer.concat([Uint8Array.from(writeU32(nameBytes.length)), nameBytes, payload]);
  return Buffer.concat([bytes.subarray(0, 8), ...keep.map((s) => bytes.subarray(s.start, s.end)), encodeSection(0, content)]);
}

const MEMORY_SECTION = 5;

export interface MemoryLimits {
  minPages: number;
  maxPages?: number;
}

/** The limits of the memories the module defines itself (not imported ones). */
export function definedMemories(bytes: Uint8Array): MemoryLimits[] {
  const sec = sections(bytes).find((s) => s.id === MEMORY_SECTION);
  if (!sec) return [];
  let [count, pos] = readU32(bytes, sec.body);
  const out: MemoryLimits[] = [];
  while (count-- > 0) {
    const flags = bytes[pos++];
    let min: number;
    [min, pos] = readU32(bytes, pos);
    const lim: MemoryLimits = { minPages: min };
    if (flags & 0x01) [lim.maxPages, pos] = readU32(bytes, pos);
    out.push(lim);
  }
  return out;
}

/**
 * Caps every memory the module defines at `maxPages` (keeping a lower declared maximum), so that
 * `memory.grow` past the cap fails inside the guest instead of taking the host's memory. Shared and 64-bit
 * memories are left alone (policies use neither). Throws when a memory needs more than the cap to start.
 */
export function capDefinedMemories(bytes: Uint8Array, maxPages: number): Uint8Array {
  const secs = sections(bytes);
  const sec = secs.find((s) => s.id === MEMORY_SECTION);
  if (!sec) return bytes;
  let [count, pos] = readU32(bytes, sec.body);
  const payload: number[] = [...writeU32(count)];
  while (count-- > 0) {
    const flags = bytes[pos++];
    let min: number;
    [min, pos] = readU32(bytes, pos);
    let max: number | undefined;
    if (flags & 0x01) [max, pos] = readU32(bytes, pos);
    if (flags & ~0x01) return bytes;
    if (min > maxPages) {
      throw new Error(`the module needs ${pagesToMiB(min)} MiB of memory to start, more than the ${pagesToMiB(maxPages)} MiB limit`);
    }
    const capped = max === undefined ? maxPages : Math.min(max, maxPages);
    payload.push(0x01, ...writeU32(min), ...writeU32(capped));
  }
  const parts = secs.map((s) => (s === sec ? encodeSection(MEMORY_SECTION, Uint8Array.from(payload)) : bytes.subarray(s.start, s.end)));
  return Buffer.concat([bytes.subarray(0, 8), ...parts]);
}

export function pagesToMiB(pages: number): number {
  return Math.round((pages * WASM_PAGE) / (1024 * 1024));
}
