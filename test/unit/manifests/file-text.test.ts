import { strict as assert } from 'node:assert';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { syntheticFile } from '../../../bench/support/synthetic';
import {
  DEFAULT_LIMITS,
  entriesFromText,
  InputTexts,
  rereader,
  streamManifests,
  type ManifestEntry,
} from '../../../lib/manifests';
import { FileText, scanFile, textPieces } from '../../../lib/manifests/file-text';
import { documentChunks, documentsOfLines, linesOfPieces } from '../../../lib/manifests/split';
import type { Result } from '../../../lib/evaluation/result';
import { attachLocations } from '../../../lib/report/enrich';

/** Every way of cutting `text` in two, and in pieces of each small size. */
function cuts(text: string): string[][] {
  const out: string[][] = [];
  for (let at = 0; at <= text.length; at++) out.push([text.slice(0, at), text.slice(at)]);
  for (let size = 1; size <= 4; size++) {
    const pieces: string[] = [];
    for (let at = 0; at < text.length; at += size) pieces.push(text.slice(at, at + size));
    out.push(pieces);
  }
  return out;
}

/** The lines `lines(text)` of lib/manifests/split.ts gives: split on any line end, BOM and final empty line dropped. */
function wholeLines(text: string): string[] {
  const lines = text.replace(/^\ufeff/, '').split(/\r\n|\n|\r/);
  if (lines[lines.length - 1] === '') lines.pop();
  return lines;
}

const dir = mkdtempSync(path.join(tmpdir(), 'kwp-pieces-'));
const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

describe('a large file read in pieces (lib/manifests/file-text.ts, split.ts linesOfPieces)', () => {
  it('gives the lines of the whole text wherever the pieces are cut, line ends split between pieces included', () => {
    for (const text of [
      '\ufeffa: 1\r\nb: 2\rc: 3\n\n---\r\nd: 4\r\n',
      'a\r\r\nb\r',
      'a\n\n\n',
      '\r\n\r\n',
      'no end',
      '',
      '\ufeff',
    ]) {
      for (const pieces of cuts(text)) {
        assert.deepEqual([...linesOfPieces(pieces)], wholeLines(text), JSON.stringify(pieces));
      }
    }
  });

  it('decodes as the whole file is decoded (characters split between pieces, invalid UTF-8) and digests its bytes', () => {
    const bytes = Buffer.concat([
      Buffer.from('apiVersion: v1 # é ü 😀 中文\n'),
      Buffer.from([0xc3, 0x28, 0xe2, 0x82, 0x0a, 0xf0, 0x9f, 0x98]),
      Buffer.from('\nkind: ConfigMap\n😀'),
      Buffer.from([0xe2, 0x82]),
    ]);
    const file = path.join(dir, 'utf8.yaml');
    writeFileSync(file, bytes);
    for (const size of [1, 2, 3, 5, 7, 64]) {
      const text = new FileText(file, 1 << 20, size);
      assert.equal([...textPieces(text)].join(''), bytes.toString('utf8'), `pieces of ${size} bytes`);
      assert.equal(text.digest(), sha256(bytes));
      assert.deepEqual(scanFile(file, 1 << 20, size), {
        chars: bytes.toString('utf8').length,
        digest: sha256(bytes),
        nul: false,
      });
    }
    writeFileSync(file, Buffer.concat([bytes, Buffer.from([0])]));
    assert.equal(scanFile(file, 1 << 20, 3).nul, true);
  });

  it('digests the whole file when only its start was decoded', () => {
    const file = path.join(dir, 'partly.yaml');
    const text = syntheticFile(0, 20);
    writeFileSync(file, text);
    const read = new FileText(file, 1 << 20, 100);
    assert.notEqual(read.next(), undefined);
    assert.equal(read.digest(), sha256(readFileSync(file)));
  });

  it('stops past the size limit', () => {
    const file = path.join(dir, 'limit.yaml');
    writeFileSync(file, 'x'.repeat(1000));
    assert.throws(() => scanFile(file, 999, 100), /larger than the limit of 999 bytes/);
  });

  describe('streamManifests', () => {
    // CRLF and lone CR line ends, a byte order mark, characters of 2-4 bytes, a List, errors: the entries (lines,
    // columns, documents, items, messages) of the file read in pieces of 97 bytes must be those of its whole text.
    const text =
      '\ufeff' +
      [
        syntheticFile(0, 30).replace(/\n/g, '\r\n'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: "é😀"}\ndata: {a: "中文"}\n',
        'apiVersion: v1\rkind: Pod\rmetadata: {name: a\r',
        'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: x}\n',
        syntheticFile(1, 80),
      ].join('---\n');

    async function read(file: string, onFile?: (digest: string) => void): Promise<ManifestEntry[]> {
      const out: ManifestEntry[] = [];
      for await (const batch of streamManifests([file], {
        recursive: false,
        batchChars: 2048,
        pieceBytes: 97,
        onFile: (_name, _path, digest) => onFile?.(digest),
        onText: () => assert.fail('a file read in pieces is not given as a text'),
      }))
        out.push(...batch);
      return out;
    }

    it('gives the entries of the whole text, and the digest of the file', async () => {
      const file = path.join(dir, 'stream.yaml');
      writeFileSync(file, text);
      let digest: string | undefined;
      const got = await read(file, (d) => (digest = d));
      assert.deepEqual(got, entriesFromText(file, text, DEFAULT_LIMITS));
      assert.ok(got.some((e) => e.kind === 'error') && got.some((e) => e.source.itemIndex === 0));
      assert.equal(digest, sha256(readFileSync(file)));
    });

    it('reports a file that is not text, as a whole read does', async () => {
      const file = path.join(dir, 'nul.yaml');
      writeFileSync(file, text + '\0');
      assert.deepEqual(await read(file), [
        { kind: 'error', source: { file, line: 0, docIndex: 0 }, message: 'not a text file (contains NUL bytes)' },
      ]);
    });

    it('says so when the file changes while it is being read', async () => {
      const file = path.join(dir, 'changing.yaml');
      const long = Array.from({ length: 8 }, () => text).join('---\n');
      writeFileSync(file, long);
      const out: ManifestEntry[] = [];
      let changed = false;
      for await (const batch of streamManifests([file], { recursive: false, batchChars: 2048, pieceBytes: 97 })) {
        out.push(...batch);
        // Only the first few batches are read ahead of the one given.
        if (!changed) writeFileSync(file, long.replace(/app-/g, 'pod-'));
        changed = true;
      }
      const last = out[out.length - 1];
      assert.equal(last.kind, 'error');
      assert.match((last as { message: string }).message, /^the file changed while it was being read/);
      // Unchanged, no such error.
      writeFileSync(file, long);
      const again = await read(file);
      assert.ok(again.every((e) => e.kind !== 'error' || !e.message.includes('changed')));
    });
  });

  describe('read again for the reports (InputTexts.addFile, rereader)', () => {
    const text = [syntheticFile(0, 50), syntheticFile(1, 100)].join('---\n').replace(/\n/g, '\r\n');

    it('gives the documents of the whole text, intact while the file is unchanged', () => {
      const file = path.join(dir, 'again.yaml');
      writeFileSync(file, text);
      const texts = new InputTexts(1 << 24);
      texts.addFile(file, file, sha256(readFileSync(file)));
      assert.equal(texts.get(file), undefined, 'never held whole');
      const documents = texts.documents(file)!;
      assert.deepEqual([...documents.chunks()], [...documentChunks(text)]);
      assert.equal(documents.intact(), true);
      // Read part of the way, then checked: the rest is read for the digest.
      const partly = documents.chunks();
      partly.next();
      assert.equal(documents.intact(), true);
      writeFileSync(file, text.replace('app-1', 'app-9'));
      assert.deepEqual([...documents.chunks()].length, [...documentsOfLines(wholeLines(text))].length);
      assert.equal(documents.intact(), false, 'changed since it was checked');
      rmSync(file);
      assert.deepEqual([...documents.chunks()], []);
      assert.equal(documents.intact(), false, 'gone');
    });

    it('locates fields in it only while it is the file that was checked', () => {
      const file = path.join(dir, 'locate.yaml');
      writeFileSync(file, text);
      const texts = new InputTexts(1 << 24);
      texts.addFile(file, file, sha256(readFileSync(file)));
      const deployment = entriesFromText(file, text, DEFAULT_LIMITS)[0];
      const result = (): Result => ({
        source: deployment.source,
        object: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'app-0' },
        policy: 'p',
        verdict: 'fail',
        message: 'no limits (spec.template.spec.containers[0])',
      });
      const located = result();
      attachLocations([located], texts);
      assert.equal(located.location?.path, '/spec/template/spec/containers/0');
      assert.ok(located.location.line > deployment.source.line);
      // The same length, another text: positions in it would point at other fields.
      writeFileSync(file, text.replace('app-1', 'app-9'));
      const changed = result();
      attachLocations([changed], texts);
      assert.equal(changed.location, undefined);
    });

    it('reads objects again, one document at a time, and tells when the file changed', () => {
      const file = path.join(dir, 'objects.yaml');
      writeFileSync(file, text);
      const texts = new InputTexts(1 << 24);
      texts.addFile(file, file, sha256(readFileSync(file)));
      const objects = entriesFromText(file, text, DEFAULT_LIMITS).filter((e) => e.kind === 'object');
      const reread = rereader(texts, DEFAULT_LIMITS);
      for (const e of [objects[3], objects[4], objects[70], objects[1]])
        assert.deepEqual(reread(e.source), e.kind === 'object' ? e.object : undefined);
      assert.equal(reread.intact(), true);
      writeFileSync(file, text.replace('app-75', 'app-99'));
      assert.notEqual(reread(objects[2].source), undefined);
      assert.equal(reread.intact(), false, 'changed since it was checked');
    });
  });
});
