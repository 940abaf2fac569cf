/** Minimal reader/writer of the WebAssembly binary's section list, enough to replace a custom section. */

const MAGIC = [0x00, 0x61, 0x73, 0x6d];

export function isWasm(bytes: Uint8Array): boolean {
  return bytes.length >= 8 && MAGIC.every((b, i) => bytes[i] === b);
}

interface Section {
  id: number;
  start: number;
  end: number;
  name?: string;
}

function readU32(bytes: Uint8Array, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= bytes.length) throw new Error('truncated LEB128 value');
    const b = bytes[pos++];
    result |= (b & 0x7f) << shift;
    if ((b & 0x80) === 0) return [result >>> 0, pos];
    shift += 7;
    if (shift > 35) throw new Error('LEB128 value too long');
  }
}

function writeU32(n: number): number[] {
  const out: number[] = [];
  do {
    let b = n & 0x7f;
    n >>>= 7;
    if (n !== 0) b |= 0x80;
    out.push(b);
  } while (n !== 0);
  return out;
}

function sections(bytes: Uint8Array): Section[] {
  if (!isWasm(bytes)) throw new Error('not a WebAssembly module (bad magic number)');
  const out: Section[] = [];
  let pos = 8;
  while (pos < bytes.length) {
    const id = bytes[pos];
    const [size, body] = readU32(bytes, pos + 1);
    const end = body + size;
    if (end > bytes.length) throw new Error('truncated section');
    const s: Section = { id, start: pos, end };
    if (id === 0) {
      const [len, p] = readU32(bytes, body);
      s.name = Buffer.from(bytes.subarray(p, p + len)).toString('utf8');
    }
    out.push(s);
    pos = end;
  }
  return out;
}

/** Returns a copy of `bytes` without any custom section called `name`, with one new such section at the end. */
export function replaceCustomSection(bytes: Uint8Array, name: string, payload: Uint8Array): Uint8Array {
  const keep = sections(bytes).filter((s) => !(s.id === 0 && s.name === name));
  const nameBytes = Buffer.from(name, 'utf8');
  const content = [...writeU32(nameBytes.length), ...nameBytes];
  const header = [0, ...writeU32(content.length + payload.length)];
  const parts: Uint8Array[] = [bytes.subarray(0, 8), ...keep.map((s) => bytes.subarray(s.start, s.end))];
  parts.push(Uint8Array.from(header), Uint8Array.from(content), payload);
  return Buffer.concat(parts);
}
