import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { syntheticFile } from '../../../bench/support/synthetic';
import { DEFAULT_LIMITS, entriesFromText, readManifests, type ManifestEntry } from '../../../lib/manifests';
import { ManifestParser } from '../../../lib/manifests/parser';

// Documents whose entries are not plain objects: errors with positions, Lists, anchors and merge keys,
// an alias bomb, a skipped kustomization, numbers YAML reads specially.
const TRICKY: [string, string][] = [
  ['errors.yaml', 'apiVersion: v1\nkind: Pod\nmetadata: {name: a\n---\nkind: Pod\n---\n- 1\n- 2\n'],
  [
    'list.yaml',
    'apiVersion: v1\nkind: List\nitems:\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: x}\n- apiVersion: v1\n  kind: ConfigMap\n  metadata: {name: y}\n',
  ],
  [
    'anchors.yaml',
    'apiVersion: v1\nkind: ConfigMap\nmetadata: &m {name: z, labels: {a: b}}\ndata:\n  <<: {k: v}\n  n: .inf\n  o: 0o17\n  t: 2001-12-14\nextra: *m\n',
  ],
  [
    'bomb.yaml',
    `a: &a [x, x, x, x, x, x, x, x, x]\n${Array.from({ length: 8 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [*${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}, *${String.fromCharCode(97 + i)}]`).join('\n')}\napiVersion: v1\nkind: Pod\n`,
  ],
  ['kustomization.yaml', 'resources: [a.yaml]\n'],
];

const here = (file: string, text: string): ManifestEntry[] => entriesFromText(file, text, DEFAULT_LIMITS);

describe('manifest parser thread', () => {
  it('gives the entries parsing on the main thread gives, for every kind of document', async () => {
    const parser = new ManifestParser(0);
    try {
      const inputs: [string, string][] = [
        ...TRICKY,
        ...[0, 1, 2].map((f): [string, string] => [`synthetic-${f}.yaml`, syntheticFile(f, 150)]),
      ];
      const threaded = await Promise.all(inputs.map(([file, text]) => parser.parse(file, text, DEFAULT_LIMITS)));
      assert.equal(parser.parsedOnThread, inputs.length);
      for (let i = 0; i < inputs.length; i++) assert.deepEqual(threaded[i], here(...inputs[i]), inputs[i][0]);
      assert.ok(threaded.flat().some((e) => e.kind === 'error'));
      assert.ok(threaded.flat().some((e) => e.kind === 'skip'));
      assert.ok(threaded.flat().filter((e) => e.kind === 'object').length > 150);
    } finally {
      await parser.close();
    }
  });

  it('parses a small input on the main thread, without starting a thread', () => {
    const parser = new ManifestParser();
    const entries = parser.parse('one.yaml', syntheticFile(0, 5), DEFAULT_LIMITS);
    assert.ok(Array.isArray(entries));
    assert.equal(parser.parsedOnThread, 0);
  });

  it('parses here what is still waiting when the thread stops', async () => {
    const parser = new ManifestParser(0);
    const texts = [0, 1, 2, 3].map((f) => syntheticFile(f, 200));
    const waiting = texts.map((t, f) => parser.parse(`f${f}.yaml`, t, DEFAULT_LIMITS));
    await parser.close();
    const got = await Promise.all(waiting);
    texts.forEach((t, f) => assert.deepEqual(got[f], here(`f${f}.yaml`, t)));
    // A parser whose thread went parses on the main thread from then on.
    assert.ok(Array.isArray(parser.parse('later.yaml', texts[0], DEFAULT_LIMITS)));
  });

  it('keeps input order when a large input moves parsing to the thread part way through', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kwp-parser-'));
    const files: [string, string][] = [];
    // 30 files of about 80 KB: the first megabyte is parsed on the main thread, the rest on the parser thread.
    for (let f = 0; f < 30; f++)
      files.push([path.join(dir, `objects-${String(f).padStart(2, '0')}.yaml`), syntheticFile(f, 1500)]);
    files.push([path.join(dir, 'objects-02a.yaml'), TRICKY[0][1]], [path.join(dir, 'objects-17a.yaml'), TRICKY[2][1]]);
    files.sort(([a], [b]) => (a < b ? -1 : 1));
    for (const [file, text] of files) writeFileSync(file, text);
    const streamed = await readManifests([dir], { recursive: false });
    assert.deepEqual(
      streamed,
      files.flatMap(([file, text]) => here(file, text)),
    );
  });
});
