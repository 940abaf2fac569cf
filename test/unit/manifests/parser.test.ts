import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { syntheticFile } from '../../../bench/support/synthetic';
import {
  DEFAULT_LIMITS,
  entriesFromText,
  readManifests,
  streamManifests,
  type ManifestEntry,
} from '../../../lib/manifests';
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

  it('parses a large input in batches of its documents, with the entries and order of parsing it whole', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'kwp-batches-'));
    // One file of many documents, tricky ones among them (syntax errors, a List, anchors, an alias bomb), cut
    // into batches of about 4 KB: document numbers, lines and List items must be those of the whole text.
    const parts = [syntheticFile(0, 600), TRICKY[0][1], syntheticFile(1, 600), TRICKY[1][1], TRICKY[2][1]];
    parts.push(TRICKY[3][1], syntheticFile(2, 600));
    const text = parts.join('---\n');
    const file = path.join(dir, 'all.yaml');
    writeFileSync(file, text);
    const whole = here(file, text);
    assert.ok(whole.length > 150);
    const batched: ManifestEntry[][] = [];
    for await (const b of streamManifests([file], { recursive: false, batchChars: 4096 })) batched.push(b);
    assert.ok(batched.length > 20, `${batched.length} batches`);
    assert.deepEqual(batched.flat(), whole);
    // A kustomization file is never cut: it is skipped whole.
    const k = path.join(dir, 'kustomization.yaml');
    writeFileSync(k, text);
    assert.deepEqual(await readManifests([k], { recursive: false, batchChars: 4096 }), here(k, text));
  });

  describe('a large List document, cut into its items', () => {
    // `kubectl get -A -o yaml` writes a List whose items start at column 0; other tools indent them.
    const item = (i: number, indent: string): string => {
      const lines = [
        `- apiVersion: v1`,
        `  kind: ConfigMap`,
        `  metadata:`,
        `    name: cm-${i}`,
        `    namespace: ns-${i % 3}`,
        ...(i % 7 === 3 ? [`    name: repeated-${i}`] : []),
        `  data:`,
        `    script: |`,
        `      #!/bin/sh`,
        ``,
        `      echo ${i}`,
        `# a comment at column 0, inside the items`,
        `    list: "[1, 2]"`,
        `    nested:`,
        ...(i % 5 === 0 ? [] : [`    - x`, `    - - y`]),
      ];
      const text = lines.map((l) => (l === '' || l.startsWith('#') ? l : indent + l)).join('\n');
      return i % 11 === 4 ? text.replace(`${indent}- apiVersion: v1`, `${indent}-\n${indent}  apiVersion: v1`) : text;
    };
    const list = (n: number, indent: string, extra = ''): string =>
      `apiVersion: v1\nitems:\n${Array.from({ length: n }, (_, i) => item(i, indent)).join('\n')}\n${extra}kind: List\nmetadata:\n  resourceVersion: ""\n`;

    async function batched(file: string, text: string): Promise<ManifestEntry[]> {
      writeFileSync(file, text);
      return readManifests([file], { recursive: false, batchChars: 2048 });
    }

    for (const [name, indent] of [
      ['items at column 0', ''],
      ['items indented', '  '],
    ] as const) {
      it(`gives the entries of parsing the List whole (${name}), repeated keys told with their item`, async () => {
        const dir = mkdtempSync(path.join(tmpdir(), 'kwp-list-'));
        const text = `${syntheticFile(0, 10)}---\n${list(120, indent, '# trailing comment\n\n')}---\n${syntheticFile(0, 10)}`;
        const file = path.join(dir, 'dump.yaml');
        const got = await batched(file, text);
        assert.deepEqual(got, here(file, text));
        assert.equal(got.filter((e) => e.source.itemIndex !== undefined).length, 120);
        const warned = got.filter((e) => e.kind === 'object' && e.warnings);
        assert.deepEqual(
          warned.map((e) => e.source.itemIndex),
          Array.from({ length: 120 }, (_, i) => i).filter((i) => i % 7 === 3),
        );
      });
    }

    it('parses a List with anchors whole (an item may refer to another one)', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'kwp-list-'));
      const text = list(60, '')
        .replace('  data:\n', '  data: &d\n')
        .replace(/(name: cm-59\n)/, '$1  extra: *d\n');
      const file = path.join(dir, 'anchors.yaml');
      assert.deepEqual(await batched(file, text), here(file, text));
    });

    it('reports a broken item alone, at its line and column, and reads the others', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'kwp-list-'));
      const lines = list(60, '').split('\n');
      const at = lines.indexOf('    name: cm-30');
      lines[at] = '    name: [cm-30';
      const file = path.join(dir, 'broken.yaml');
      const got = await batched(file, lines.join('\n'));
      const errors = got.filter((e) => e.kind === 'error');
      assert.equal(errors.length, 1);
      assert.equal(errors[0].source.itemIndex, 30);
      assert.match((errors[0] as { message: string }).message, /^YAML syntax error: /);
      assert.ok(errors[0].source.line > at && errors[0].source.line < at + 4, `line ${errors[0].source.line}`);
      assert.equal(got.filter((e) => e.kind === 'object').length, 59);
      // Parsed whole, the same List is one error.
      assert.equal(here(file, lines.join('\n')).length, 1);
    });

    it('checks each item against the document limits, not the whole List', async () => {
      const dir = mkdtempSync(path.join(tmpdir(), 'kwp-list-'));
      const text = list(200, '');
      const file = path.join(dir, 'big.yaml');
      writeFileSync(file, text);
      const limits = { ...DEFAULT_LIMITS, maxExpandedBytes: 20_000 };
      // Whole, the List is one document over the limit; item by item, each is well under it.
      assert.equal(entriesFromText(file, text, limits)[0].kind, 'error');
      const got = await readManifests([file], { recursive: false, batchChars: 2048, limits });
      assert.equal(got.filter((e) => e.kind === 'object').length, 200);
      // One item over the limit on its own is an error for that item alone, the others are read.
      const lines = text.split('\n');
      const at = lines.indexOf('    name: cm-77');
      lines.splice(at + 1, 0, `    big: "${'x'.repeat(30_000)}"`);
      const bomb = path.join(dir, 'one-big-item.yaml');
      writeFileSync(bomb, lines.join('\n'));
      const one = await readManifests([bomb], { recursive: false, batchChars: 2048, limits });
      const errors = one.filter((e) => e.kind === 'error');
      assert.deepEqual(
        errors.map((e) => [e.source.itemIndex, (e as { message: string }).message]),
        [[77, 'List item 77: expands to more than 20000 bytes']],
      );
      assert.equal(one.filter((e) => e.kind === 'object').length, 199);
    });
  });
});
