import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { readTar, writeTar } from '../../../lib/base/tar';

type TarGz = (entries: { name: string; data: Buffer; mode: number }[], mtime: number) => Buffer;

/** One tar writer (lib/base/tar.ts) for `save` archives and the krew archives of scripts/package.mjs. */
describe('tar (lib/base/tar)', () => {
  const field = (h: Buffer, at: number, len: number): string => h.subarray(at, at + len).toString('latin1');
  // The krew archives' writer: scripts/package.mjs, through the built dist/tools/tar.cjs.
  let tarGz: TarGz;
  before(async () => {
    const script = path.join(path.dirname(fileURLToPath(import.meta.url)), '../../../scripts/package.mjs');
    ({ tarGz } = (await import(pathToFileURL(script).href)) as { tarGz: TarGz });
  });

  it('writes no owner name by default, and the given one as uname and gname', () => {
    const plain = writeTar([{ name: 'a', data: Buffer.from('x') }]);
    assert.equal(field(plain, 265, 32), '\0'.repeat(32));
    assert.equal(field(plain, 297, 32), '\0'.repeat(32));
    const owned = writeTar([{ name: 'a', data: Buffer.from('x'), owner: 'root' }]);
    assert.equal(field(owned, 265, 5), 'root\0');
    assert.equal(field(owned, 297, 5), 'root\0');
    assert.deepEqual(
      readTar(owned).map((e) => [e.name, Buffer.from(e.data).toString()]),
      [['a', 'x']],
    );
  });

  it('krew archives: GNU tar lists the files with their modes, owner root and the given time', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-tar-'));
    const file = path.join(dir, 'a.tar.gz');
    const bytes = tarGz(
      [
        { name: 'kubectl-wasmpolicy', data: Buffer.alloc(1000, 1), mode: 0o755 },
        { name: 'LICENSE', data: Buffer.from('license\n'), mode: 0o644 },
      ],
      1_700_000_000,
    );
    writeFileSync(file, bytes);
    const listing = execFileSync('tar', ['-tvzf', file, '--utc'], { encoding: 'utf8' }).trim().split('\n');
    assert.match(listing[0], /^-rwxr-xr-x root\/root +1000 2023-11-14 22:13 kubectl-wasmpolicy$/);
    assert.match(listing[1], /^-rw-r--r-- root\/root +8 2023-11-14 22:13 LICENSE$/);
    assert.equal(gunzipSync(bytes).length, 512 + 1024 + 512 + 512 + 1024);
    // Deterministic: the same entries give the same bytes.
    assert.deepEqual(
      tarGz([{ name: 'LICENSE', data: Buffer.from('license\n'), mode: 0o644 }], 1_700_000_000),
      tarGz([{ name: 'LICENSE', data: Buffer.from('license\n'), mode: 0o644 }], 1_700_000_000),
    );
  });
});
