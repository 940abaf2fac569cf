import { strict as assert } from 'node:assert';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Readable } from 'node:stream';
import {
  DEFAULT_LIMITS,
  entriesFromText,
  readManifests,
  type ManifestEntry,
  type ManifestObject,
} from '../../../lib/manifests';
import { splitDocuments } from '../../../lib/manifests/split';

const pod = (name: string) => `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers: []\n`;

function parse(text: string, file = 'in.yaml'): ManifestEntry[] {
  return entriesFromText(file, text, DEFAULT_LIMITS);
}

function only<T extends ManifestEntry['kind']>(entries: ManifestEntry[], kind: T): Extract<ManifestEntry, { kind: T }> {
  assert.equal(entries.length, 1, JSON.stringify(entries));
  assert.equal(entries[0].kind, kind, JSON.stringify(entries[0]));
  return entries[0] as Extract<ManifestEntry, { kind: T }>;
}

describe('manifest input', () => {
  describe('documents and lines', () => {
    it('splits a multi-document stream and gives each object the line where its content starts', () => {
      const text = `# leading comment\n${pod('a')}---\n\n# about b\n${pod('b')}--- # trailing marker comment\n${pod('c')}`;
      const entries = parse(text);
      assert.deepEqual(
        entries.map((e) => [e.kind, e.source.line, e.source.docIndex]),
        [
          ['object', 2, 0],
          ['object', 11, 1],
          ['object', 18, 2],
        ],
      );
    });

    it('ignores empty documents and comment-only documents', () => {
      const entries = parse(`---\n---\n# nothing\n---\n${pod('a')}---\n`);
      assert.equal(entries.length, 1);
      assert.equal(entries[0].source.line, 5);
    });

    it('accepts CRLF line ends and `...` document end markers', () => {
      const text = `${pod('a')}...\r\n---\r\n${pod('b')}`.replace(/\n/g, '\r\n').replace(/\r\r/g, '\r');
      const entries = parse(text);
      assert.deepEqual(
        entries.map((e) => (e.kind === 'object' ? e.object.metadata?.name : e.kind)),
        ['a', 'b'],
      );
      assert.deepEqual(
        entries.map((e) => e.source.line),
        [1, 9],
      );
    });

    it('keeps content written on the `---` line', () => {
      const chunks = splitDocuments('--- {apiVersion: v1, kind: Namespace, metadata: {name: x}}\n');
      assert.equal(chunks.length, 1);
      const e = only(parse('--- {apiVersion: v1, kind: Namespace, metadata: {name: x}}\n'), 'object');
      assert.equal(e.object.kind, 'Namespace');
      assert.equal(e.source.line, 1);
    });

    it('expands kind: List and *List documents with the line of every item', () => {
      const text = [
        'apiVersion: v1',
        'kind: List',
        'items:',
        '  - apiVersion: v1',
        '    kind: ConfigMap',
        '    metadata: {name: one}',
        '  # a comment',
        '  - apiVersion: v1',
        '    kind: ConfigMap',
        '    metadata: {name: two}',
        '  - 42',
        '',
      ].join('\n');
      const entries = parse(text);
      assert.deepEqual(
        entries.map((e) => [e.kind, e.source.line, e.source.itemIndex]),
        [
          ['object', 4, 0],
          ['object', 8, 1],
          ['error', 11, 2],
        ],
      );
      assert.equal(
        (entries[2] as { message: string }).message,
        'List item 2: not a Kubernetes object: expected a mapping, got number 42',
      );
      const typed = parse(
        'apiVersion: v1\nkind: ConfigMapList\nitems:\n- {apiVersion: v1, kind: ConfigMap, metadata: {name: a}}\n',
      );
      assert.equal(only(typed, 'object').object.metadata?.name, 'a');
      assert.equal(typed[0].source.line, 4);
    });

    it('gives every item of a long List its own line', () => {
      const items = Array.from(
        { length: 3000 },
        (_, i) => `- apiVersion: v1\n  kind: ConfigMap\n  metadata:\n    name: cm-${i}\n`,
      ).join('');
      const entries = parse(`# exported\napiVersion: v1\nkind: List\nitems:\n${items}`);
      assert.equal(entries.length, 3000);
      entries.forEach((e, i) =>
        assert.deepEqual([e.kind, e.source.line, e.source.itemIndex], ['object', 5 + 4 * i, i]),
      );
    });

    it('reads JSON input, including a List', () => {
      const json = JSON.stringify(
        { apiVersion: 'v1', kind: 'List', items: [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'n' } }] },
        null,
        2,
      );
      const e = only(parse(json, 'ns.json'), 'object');
      assert.equal(e.object.kind, 'Namespace');
      assert.equal(e.source.line, 5);
    });

    it('reads YAML 1.1 values as kubectl does (octal modes, yes/no booleans, bare =)', () => {
      const e = only(
        parse('apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\ndata: {mode: 0644, flag: yes, op: =}\n'),
        'object',
      );
      assert.deepEqual(e.object.data, { mode: 420, flag: true, op: '=' });
    });
  });

  describe('bad input: an error with file:line and the run goes on', () => {
    it('reports a syntax error with line and column, and still reads the other documents', () => {
      const entries = parse(`${pod('a')}---\napiVersion: v1\nkind: Pod\nmetadata:\n  name: [broken\n---\n${pod('c')}`);
      assert.deepEqual(
        entries.map((e) => e.kind),
        ['object', 'error', 'object'],
      );
      const err = entries[1] as { message: string; source: { line: number; column?: number } };
      assert.equal(err.message, 'YAML syntax error: deficient indentation');
      assert.equal(err.source.line, 12);
      assert.equal(err.source.column, 1);
    });

    it('keeps the last value of a repeated key, as kubectl does, with a warning naming file and line', () => {
      const entries = parse('apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n  name: b\n');
      assert.equal(entries.length, 1);
      const e = entries[0] as ManifestObject;
      assert.equal(e.kind, 'object');
      assert.equal(e.object.metadata?.name, 'b');
      assert.deepEqual(e.warnings, [
        'in.yaml:5: key "name" repeats an earlier one of its mapping; its last value is used, as kubectl does',
      ]);
      // Equal keys of different mappings are not repeats.
      assert.equal(
        (parse('apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  name: a\n')[0] as ManifestObject).warnings,
        undefined,
      );
    });

    it('reports documents that are not objects', () => {
      assert.equal(
        only(parse('- a\n- b\n'), 'error').message,
        'not a Kubernetes object: expected a mapping, got a list',
      );
      assert.equal(
        only(parse('just text\n'), 'error').message,
        'not a Kubernetes object: expected a mapping, got the string "just text"',
      );
      assert.equal(
        only(parse('metadata: {name: a}\n'), 'error').message,
        'not a Kubernetes object: apiVersion and kind not set',
      );
      assert.equal(
        only(parse('apiVersion: v1\nmetadata: {name: a}\n'), 'error').message,
        'not a Kubernetes object: kind not set',
      );
      assert.equal(
        only(parse('apiVersion: 1\nkind: Pod\n'), 'error').message,
        'not a Kubernetes object: apiVersion must be a string, got number 1',
      );
      assert.equal(
        only(parse('apiVersion: v1\nkind: Pod\nmetadata: [a]\n'), 'error').message,
        'not a Kubernetes object: metadata must be a mapping, got a list',
      );
      assert.equal(
        only(parse('apiVersion: v1\nkind: Pod\nspec: {}\n'), 'error').message,
        'Pod: metadata.name is required',
      );
      assert.equal(
        only(parse('apiVersion: v1\nkind: List\nitems: {a: 1}\n'), 'error').message,
        'List: items must be a list, got a mapping',
      );
    });

    it('hints at unrendered templates', () => {
      const e = only(parse('apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Values.name }}\n'), 'error');
      assert.match(e.message, /template syntax: render it first/);
      assert.equal(e.source.line, 4);
    });

    it('stops an alias bomb before it expands', () => {
      const lines = ['a: &a ["x","x","x","x","x","x","x","x","x","x"]'];
      for (let i = 1; i < 9; i++) {
        const prev = String.fromCharCode(96 + i);
        const cur = String.fromCharCode(97 + i);
        lines.push(
          `${cur}: &${cur} [${Array(10)
            .fill('*' + prev)
            .join(',')}]`,
        );
      }
      const text = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: bomb}\n${lines.join('\n')}\n`;
      const start = Date.now();
      const e = only(parse(text), 'error');
      assert.equal(
        e.message,
        `document expands to more than ${DEFAULT_LIMITS.maxExpandedNodes} nodes through YAML aliases (alias bomb?)`,
      );
      assert.ok(Date.now() - start < 2000);
    });

    it('refuses too many aliases and too deep nesting', () => {
      const many = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: &x 1\ny: [${Array(20).fill('*x').join(',')}]\n`;
      const e = only(entriesFromText('a.yaml', many, { ...DEFAULT_LIMITS, maxAliases: 10 }), 'error');
      assert.match(e.message, /^YAML syntax error: .*alias/i);
      const deep = `apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\nx: ${'['.repeat(2000)}${']'.repeat(2000)}\n`;
      const d = only(parse(deep), 'error');
      assert.match(d.message, /^YAML syntax error: .*(depth|nest)/i);
    });

    it('skips kustomize configuration instead of failing on it', () => {
      const k = only(parse('resources: [a.yaml]\n', 'app/kustomization.yaml'), 'skip');
      assert.equal(k.reason, 'kustomize configuration, not an API object (render the folder with -k)');
      const c = only(parse('apiVersion: kustomize.config.k8s.io/v1alpha1\nkind: Component\n'), 'skip');
      assert.equal(c.reason, 'Component is kustomize configuration, not an API object (render the folder with -k)');
    });
  });

  describe('sources', () => {
    let dir: string;
    before(() => {
      dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-manifests-'));
      writeFileSync(path.join(dir, 'b.yaml'), pod('b'));
      writeFileSync(path.join(dir, 'a.yml'), pod('a'));
      writeFileSync(path.join(dir, 'notes.txt'), 'not a manifest');
      writeFileSync(
        path.join(dir, 'c.json'),
        JSON.stringify({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'c' } }),
      );
      mkdirSync(path.join(dir, 'sub'));
      writeFileSync(path.join(dir, 'sub', 'd.yaml'), pod('d'));
      writeFileSync(path.join(dir, 'binary.yaml'), Buffer.from([0x61, 0x00, 0x62]));
    });
    const names = (entries: ManifestEntry[]) =>
      entries.map((e) => (e.kind === 'object' ? e.object.metadata?.name : `${e.kind}:${path.basename(e.source.file)}`));

    it('reads a directory in lexical order, top level only unless -R', async () => {
      assert.deepEqual(names(await readManifests([dir], { recursive: false })), ['a', 'b', 'error:binary.yaml', 'c']);
      assert.deepEqual(names(await readManifests([dir], { recursive: true })), [
        'a',
        'b',
        'error:binary.yaml',
        'c',
        'd',
      ]);
    });

    it('reports unreadable inputs and keeps going', async () => {
      const entries = await readManifests(
        [path.join(dir, 'missing.yaml'), path.join(dir, 'binary.yaml'), path.join(dir, 'a.yml')],
        { recursive: false },
      );
      assert.deepEqual(
        entries.map((e) => (e.kind === 'error' ? e.message : e.kind)),
        ['cannot read: no such file or directory', 'not a text file (contains NUL bytes)', 'object'],
      );
    });

    it('enforces the input size limit', async () => {
      const entries = await readManifests([path.join(dir, 'a.yml')], {
        recursive: false,
        limits: { ...DEFAULT_LIMITS, maxInputBytes: 10 },
      });
      assert.equal(
        (entries[0] as { message: string }).message,
        `input is ${pod('a').length} bytes, larger than the limit of 10 bytes (--max-input-size)`,
      );
    });

    it('reads stdin once for `-`', async () => {
      const entries = await readManifests(['-', '-'], { recursive: false, stdin: Readable.from([pod('in')]) });
      assert.deepEqual(names(entries), ['in']);
      assert.equal(entries[0].source.file, '-');
    });

    describe('URLs', () => {
      let server: Server;
      let base: string;
      before(async () => {
        server = createServer((req, res) => {
          if (req.url === '/pod.yaml') res.end(pod('remote'));
          else {
            res.statusCode = 404;
            res.end('nope');
          }
        });
        await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
        const addr = server.address() as { port: number };
        base = `http://127.0.0.1:${addr.port}`;
      });
      after(() => server.close());

      it('reads http(s) URLs and reports HTTP errors', async () => {
        const entries = await readManifests([`${base}/pod.yaml`, `${base}/missing.yaml`], { recursive: false });
        assert.equal(names(entries)[0], 'remote');
        assert.equal(entries[0].source.file, `${base}/pod.yaml`);
        assert.equal((entries[1] as { message: string }).message, 'cannot fetch: HTTP 404 Not Found');
      });
    });
  });
});
