/**
 * A minimal POSIX ustar writer and reader (regular files only): the one tar implementation of the project, for
 * `save`/`load` archives and (bundled as dist/tools/tar.cjs) the krew archives of scripts/package.mjs. Long names
 * use a PAX `path` record; the reader also accepts GNU `L` long names. Deterministic: the bytes depend only on the
 * entries (uid and gid 0, no device numbers); docs/decisions.md says why not tar-stream.
 */

export interface TarEntry {
  name: string;
  data: Uint8Array;
  mode?: number;
  mtime?: Date;
  /** Owner and group name (uname, gname); none by default. */
  owner?: string;
}

const BLOCK = 512;

function octal(n: number, width: number): string {
  return n.toString(8).padStart(width - 1, '0') + '\0';
}

function header(name: string, size: number, type: string, mode: number, mtime: Date, prefix = '', owner = ''): Buffer {
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  h.write(octal(mode, 8), 100, 'ascii');
  h.write(octal(0, 8), 108, 'ascii');
  h.write(octal(0, 8), 116, 'ascii');
  h.write(octal(size, 12), 124, 'ascii');
  h.write(octal(Math.floor(mtime.getTime() / 1000), 12), 136, 'ascii');
  h.write('        ', 148, 'ascii');
  h.write(type, 156, 'ascii');
  h.write('ustar\0', 257, 'ascii');
  h.write('00', 263, 'ascii');
  h.write(owner, 265, 31, 'utf8');
  h.write(owner, 297, 31, 'utf8');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return h;
}

function pad(len: number): Buffer {
  return Buffer.alloc((BLOCK - (len % BLOCK)) % BLOCK);
}

/** Splits a path into ustar prefix + name, or undefined when it does not fit. */
function splitName(name: string): [string, string] | undefined {
  if (Buffer.byteLength(name) <= 100) return ['', name];
  for (let i = name.indexOf('/'); i >= 0; i = name.indexOf('/', i + 1)) {
    const prefix = name.slice(0, i);
    const rest = name.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(rest) <= 100 && rest !== '') return [prefix, rest];
  }
  return undefined;
}

function paxRecord(key: string, value: string): string {
  const body = ` ${key}=${value}\n`;
  let len = Buffer.byteLength(body) + 1;
  while (String(len).length + Buffer.byteLength(body) !== len) len = String(len).length + Buffer.byteLength(body);
  return `${len}${body}`;
}

export function writeTar(entries: TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const mtime = e.mtime ?? new Date(0);
    const mode = e.mode ?? 0o644;
    let split = splitName(e.name);
    if (!split || !/^[\x20-\x7e]*$/.test(e.name)) {
      const pax = Buffer.from(paxRecord('path', e.name), 'utf8');
      parts.push(header('PaxHeader', pax.length, 'x', 0o644, mtime), pax, pad(pax.length));
      split = ['', e.name.replace(/[^\x20-\x7e]/g, '_').slice(-100)];
    }
    parts.push(
      header(split[1], e.data.length, '0', mode, mtime, split[0], e.owner),
      Buffer.from(e.data),
      pad(e.data.length),
    );
  }
  parts.push(Buffer.alloc(BLOCK * 2));
  return Buffer.concat(parts);
}

function readString(b: Buffer, start: number, len: number): string {
  const s = b.subarray(start, start + len);
  const nul = s.indexOf(0);
  return s.subarray(0, nul < 0 ? len : nul).toString('utf8');
}

function readOctal(b: Buffer, start: number, len: number): number {
  const s = readString(b, start, len).trim();
  if (s === '') return 0;
  if (!/^[0-7]+$/.test(s)) throw new Error(`bad number field ${JSON.stringify(s)}`);
  return parseInt(s, 8);
}

function parsePax(data: Buffer): Record<string, string> {
  const out: Record<string, string> = {};
  let pos = 0;
  while (pos < data.length) {
    const space = data.indexOf(0x20, pos);
    if (space < 0) break;
    const len = Number(data.subarray(pos, space).toString('ascii'));
    if (!(len > 0)) break;
    const rec = data.subarray(space + 1, pos + len - 1).toString('utf8');
    const eq = rec.indexOf('=');
    if (eq > 0) out[rec.slice(0, eq)] = rec.slice(eq + 1);
    pos += len;
  }
  return out;
}

/** Regular files of a tar archive, in order. Throws on a corrupt archive. */
export function readTar(buf: Buffer): TarEntry[] {
  const out: TarEntry[] = [];
  let pos = 0;
  let longName: string | undefined;
  while (pos + BLOCK <= buf.length) {
    const h = buf.subarray(pos, pos + BLOCK);
    if (h.every((b) => b === 0)) break;
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 0x20 : h[i];
    if (readOctal(h, 148, 8) !== sum) throw new Error(`bad header checksum at offset ${pos}`);
    const size = readOctal(h, 124, 12);
    const type = String.fromCharCode(h[156] || 0x30);
    const dataStart = pos + BLOCK;
    if (dataStart + size > buf.length) throw new Error('truncated archive');
    const data = buf.subarray(dataStart, dataStart + size);
    pos = dataStart + size + ((BLOCK - (size % BLOCK)) % BLOCK);
    if (type === 'x') {
      const pax = parsePax(data);
      if (pax.path !== undefined) longName = pax.path;
      continue;
    }
    if (type === 'L') {
      longName = readString(data, 0, data.length);
      continue;
    }
    if (type === 'g') continue;
    const prefix = readString(h, 345, 155);
    const base = readString(h, 0, 100);
    const name = longName ?? (prefix ? `${prefix}/${base}` : base);
    longName = undefined;
    if (type !== '0' && type !== '7') continue; // directories, links, devices: not ours
    out.push({
      name,
      data: Buffer.from(data),
      mode: readOctal(h, 100, 8),
      mtime: new Date(readOctal(h, 136, 12) * 1000),
    });
  }
  return out;
}
