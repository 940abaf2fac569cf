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
  return Buffer.concat([
    bytes.subarray(0, 8),
    ...keep.map((s) => bytes.subarray(s.start, s.end)),
    encodeSection(0, content),
  ]);
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

/** Memory limits flags (core spec 5.3.6; threads and memory64 proposals): bit 0 has a maximum, bit 1 shared, bit 2 64-bit. */
const LIMITS_HAS_MAX = 0x01;
const LIMITS_SHARED = 0x02;
const LIMITS_64 = 0x04;

/** A module whose memory cannot be capped by rewriting its limits; the caller refuses to load it. */
export class UncappableMemoryError extends Error {
  override name = 'UncappableMemoryError';
}

/**
 * Caps every memory the module defines at `maxPages` (keeping a lower declared maximum), so that
 * `memory.grow` past the cap fails inside the guest instead of taking the host's memory. A shared memory is
 * capped like any other (it must declare a maximum, which is lowered). A 64-bit memory (memory64) or limits
 * flags this reader does not know are refused: a memory the host cannot cap never runs. Throws when a memory
 * needs more than the cap to start.
 */
export function capDefinedMemories(bytes: Uint8Array, maxPages: number): Uint8Array {
  const secs = sections(bytes);
  const sec = secs.find((s) => s.id === MEMORY_SECTION);
  if (!sec) return bytes;
  let [count, pos] = readU32(bytes, sec.body);
  const payload: number[] = [...writeU32(count)];
  while (count-- > 0) {
    const flags = bytes[pos++];
    if (flags & LIMITS_64)
      throw new UncappableMemoryError(
        'the module declares a 64-bit memory (memory64), which this host refuses: its size could not be capped by --memory-limit',
      );
    if (flags & ~(LIMITS_HAS_MAX | LIMITS_SHARED))
      throw new UncappableMemoryError(
        `the module declares a memory with unknown limits flags 0x${flags.toString(16)}, which this host refuses: its size could not be capped by --memory-limit`,
      );
    let min: number;
    [min, pos] = readU32(bytes, pos);
    let max: number | undefined;
    if (flags & LIMITS_HAS_MAX) [max, pos] = readU32(bytes, pos);
    if (min > maxPages) {
      throw new Error(
        `the module needs ${pagesToMiB(min)} MiB of memory to start, more than the ${pagesToMiB(maxPages)} MiB limit`,
      );
    }
    const capped = max === undefined ? maxPages : Math.min(max, maxPages);
    payload.push(LIMITS_HAS_MAX | (flags & LIMITS_SHARED), ...writeU32(min), ...writeU32(capped));
  }
  const parts = secs.map((s) =>
    s === sec ? encodeSection(MEMORY_SECTION, Uint8Array.from(payload)) : bytes.subarray(s.start, s.end),
  );
  return Buffer.concat([bytes.subarray(0, 8), ...parts]);
}

/** One import of a module, read from its bytes (before compiling). */
export interface ImportEntry {
  module: string;
  name: string;
  /** 0 function, 1 table, 2 memory, 3 global, 4 tag. */
  kind: number;
}

/** The imports the module declares, read from its import section. */
export function importEntries(bytes: Uint8Array): ImportEntry[] {
  const imp = sections(bytes).find((s) => s.id === IMPORT_SECTION);
  if (!imp) return [];
  let [count, pos] = readU32(bytes, imp.body);
  const out: ImportEntry[] = [];
  const name = (): string => {
    const [len, p] = readU32(bytes, pos);
    pos = p + len;
    return Buffer.from(bytes.subarray(p, p + len)).toString('utf8');
  };
  while (count-- > 0) {
    const module = name();
    const field = name();
    const kind = bytes[pos++];
    out.push({ module, name: field, kind });
    pos = skipImportDescriptor(bytes, pos, kind);
  }
  return out;
}

/** The position after an import's descriptor of `kind` (function type index, table, memory, global, tag). */
function skipImportDescriptor(bytes: Uint8Array, pos: number, kind: number): number {
  if (kind === 0x00) return readU32(bytes, pos)[1];
  if (kind === 0x01) return skipLimits(bytes, pos + 1);
  if (kind === 0x02) return skipLimits(bytes, pos);
  if (kind === 0x03) return pos + 2;
  if (kind === 0x04) return readU32(bytes, pos + 1)[1];
  throw new Error(`unknown import kind ${kind}`);
}

export function pagesToMiB(pages: number): number {
  return Math.round((pages * WASM_PAGE) / (1024 * 1024));
}

const IMPORT_SECTION = 2;
const GLOBAL_SECTION = 6;
const EXPORT_SECTION = 7;
/** Prefix of the exports `exportMutableGlobals` adds. */
export const GLOBAL_EXPORT_PREFIX = '__wasmpolicy_global_';

/** Skips one `valtype`/`reftype` byte-coded type; the value types policies use are all one byte. */
function skipLimits(bytes: Uint8Array, pos: number): number {
  const flags = bytes[pos++];
  [, pos] = readU32(bytes, pos);
  if (flags & 0x01) [, pos] = readU32(bytes, pos);
  return pos;
}

function skipName(bytes: Uint8Array, pos: number): number {
  const [len, p] = readU32(bytes, pos);
  return p + len;
}

/** Skips a constant expression (init of a global), up to and including `end` (0x0b). */
function skipConstExpr(bytes: Uint8Array, pos: number): number {
  for (;;) {
    const op = bytes[pos++];
    switch (op) {
      case 0x0b:
        return pos;
      case 0x41: // i32.const (signed LEB)
      case 0x42: // i64.const
        while (bytes[pos++] & 0x80);
        break;
      case 0x43:
        pos += 4;
        break;
      case 0x44:
        pos += 8;
        break;
      case 0x23: // global.get
      case 0xd2: // ref.func
        [, pos] = readU32(bytes, pos);
        break;
      case 0xd0: // ref.null t
        pos++;
        break;
      case 0x6a: // i32.add and friends (extended-const)
      case 0x6b:
      case 0x6c:
      case 0x7c:
      case 0x7d:
      case 0x7e:
        break;
      case 0xfd: // v128.const
        [, pos] = readU32(bytes, pos);
        pos += 16;
        break;
      default:
        throw new Error(`unsupported instruction 0x${op.toString(16)} in a constant expression`);
    }
  }
}

/**
 * Adds an export for every mutable global the module defines, so the host can save them after start-up and
 * put them back before the next evaluation (instance reuse with fresh-instance semantics). Returns the new
 * bytes and the export names in the order of the globals; the module is unchanged when it has none.
 */
export function exportMutableGlobals(bytes: Uint8Array): { bytes: Uint8Array; names: string[] } {
  const secs = sections(bytes);
  let importedGlobals = 0;
  const imp = secs.find((s) => s.id === IMPORT_SECTION);
  if (imp) {
    let [count, pos] = readU32(bytes, imp.body);
    while (count-- > 0) {
      pos = skipName(bytes, pos);
      pos = skipName(bytes, pos);
      const kind = bytes[pos++];
      if (kind === 0x00) [, pos] = readU32(bytes, pos);
      else if (kind === 0x01) pos = skipLimits(bytes, pos + 1);
      else if (kind === 0x02) pos = skipLimits(bytes, pos);
      else if (kind === 0x03) {
        importedGlobals++;
        pos += 2;
      } else if (kind === 0x04) [, pos] = readU32(bytes, pos + 1);
      else throw new Error(`unknown import kind ${kind}`);
    }
  }
  const glob = secs.find((s) => s.id === GLOBAL_SECTION);
  const mutable: number[] = [];
  if (glob) {
    let [count, pos] = readU32(bytes, glob.body);
    for (let i = 0; i < count; i++) {
      pos++; // value type
      const mut = bytes[pos++];
      if (mut === 1) mutable.push(importedGlobals + i);
      pos = skipConstExpr(bytes, pos);
    }
  }
  if (mutable.length === 0) return { bytes, names: [] };
  const names = mutable.map((idx) => `${GLOBAL_EXPORT_PREFIX}${idx}`);
  const added: number[] = [];
  for (let i = 0; i < mutable.length; i++) {
    const name = Buffer.from(names[i], 'utf8');
    added.push(...writeU32(name.length), ...name, 0x03, ...writeU32(mutable[i]));
  }
  const exp = secs.find((s) => s.id === EXPORT_SECTION);
  let payload: Uint8Array;
  if (exp) {
    const [count, pos] = readU32(bytes, exp.body);
    payload = Buffer.concat([
      Uint8Array.from(writeU32(count + mutable.length)),
      bytes.subarray(pos, exp.end),
      Uint8Array.from(added),
    ]);
  } else {
    payload = Buffer.concat([Uint8Array.from(writeU32(mutable.length)), Uint8Array.from(added)]);
  }
  const newExport = encodeSection(EXPORT_SECTION, payload);
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let placed = false;
  for (const s of secs) {
    if (s.id === EXPORT_SECTION) {
      parts.push(newExport);
      placed = true;
      continue;
    }
    // Known sections are ordered (custom ones aside): export goes after global, before start/element/
    // data count/code/data. The tag section (13) comes before global, so it does not count.
    if (!placed && s.id !== 0 && s.id !== 13 && s.id > EXPORT_SECTION) {
      parts.push(newExport);
      placed = true;
    }
    parts.push(bytes.subarray(s.start, s.end));
  }
  if (!placed) parts.push(newExport);
  return { bytes: Buffer.concat(parts), names };
}

/** Module of the import `importDefinedMemory` turns the memory into; the field name carries the limits. */
export const HOST_MEMORY_MODULE = 'wasmpolicy';

/** The limits encoded in the field name of a host memory import (`memory:MIN:MAX`), or undefined. */
export function hostMemoryLimits(field: string): MemoryLimits | undefined {
  const m = /^memory:(\d+):(\d*)$/.exec(field);
  if (!m) return undefined;
  return m[2] === '' ? { minPages: Number(m[1]) } : { minPages: Number(m[1]), maxPages: Number(m[2]) };
}

/** The names the module exports. */
export function exportNames(bytes: Uint8Array): string[] {
  const exp = sections(bytes).find((s) => s.id === EXPORT_SECTION);
  if (!exp) return [];
  let [count, pos] = readU32(bytes, exp.body);
  const out: string[] = [];
  while (count-- > 0) {
    const [len, p] = readU32(bytes, pos);
    out.push(Buffer.from(bytes.subarray(p, p + len)).toString('utf8'));
    pos = p + len + 1;
    [, pos] = readU32(bytes, pos);
  }
  return out;
}

/**
 * Turns the one memory the module defines into an import of the same limits (`HOST_MEMORY_MODULE`,
 * `memory:MIN:MAX`), so the host can hand a new instance a memory already larger than declared. Active data
 * segments and a start function then run on it, as with a module that declared that minimum. Returns the
 * bytes unchanged when the module imports a memory, has none, several, or a shared or 64-bit one.
 */
export function importDefinedMemory(bytes: Uint8Array): Uint8Array {
  const secs = sections(bytes);
  const mem = secs.find((s) => s.id === MEMORY_SECTION);
  if (!mem) return bytes;
  let [count, pos] = readU32(bytes, mem.body);
  if (count !== 1) return bytes;
  const flags = bytes[pos++];
  if (flags & ~0x01) return bytes;
  let min: number;
  [min, pos] = readU32(bytes, pos);
  let max: number | undefined;
  if (flags & 0x01) [max, pos] = readU32(bytes, pos);
  const field = Buffer.from(`memory:${min}:${max ?? ''}`, 'utf8');
  const moduleName = Buffer.from(HOST_MEMORY_MODULE, 'utf8');
  const entry = [
    ...writeU32(moduleName.length),
    ...moduleName,
    ...writeU32(field.length),
    ...field,
    0x02,
    flags,
    ...writeU32(min),
    ...(max === undefined ? [] : writeU32(max)),
  ];
  const imp = secs.find((s) => s.id === IMPORT_SECTION);
  let importSection: Uint8Array;
  if (imp) {
    const [n, p] = readU32(bytes, imp.body);
    const kinds = importKinds(bytes, imp);
    if (kinds.includes(0x02)) return bytes;
    importSection = encodeSection(
      IMPORT_SECTION,
      Buffer.concat([Uint8Array.from(writeU32(n + 1)), bytes.subarray(p, imp.end), Uint8Array.from(entry)]),
    );
  } else {
    importSection = encodeSection(IMPORT_SECTION, Uint8Array.from([...writeU32(1), ...entry]));
  }
  const parts: Uint8Array[] = [bytes.subarray(0, 8)];
  let placed = false;
  for (const s of secs) {
    if (s === mem) continue;
    if (s === imp) {
      parts.push(importSection);
      placed = true;
      continue;
    }
    // The import section comes right after the type section (1), before every other known section.
    if (!placed && s.id !== 0 && s.id !== 1) {
      parts.push(importSection);
      placed = true;
    }
    parts.push(bytes.subarray(s.start, s.end));
  }
  if (!placed) parts.push(importSection);
  return Buffer.concat(parts);
}

/** The kind byte of every import (0 function, 1 table, 2 memory, 3 global, 4 tag). */
function importKinds(bytes: Uint8Array, imp: Section): number[] {
  let [count, pos] = readU32(bytes, imp.body);
  const kinds: number[] = [];
  while (count-- > 0) {
    pos = skipName(bytes, pos);
    pos = skipName(bytes, pos);
    const kind = bytes[pos++];
    kinds.push(kind);
    pos = skipImportDescriptor(bytes, pos, kind);
  }
  return kinds;
}
