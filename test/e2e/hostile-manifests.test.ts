import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DEFAULT_LIMITS, entriesFromText } from '../../lib/manifests';
import { boundedJson, RequestTooLargeError } from '../../lib/admission/request';
import { runCli } from '../support/cli';

/**
 * Hostile manifests and files (issue 16, items 3 and 4): a document that expands to gigabytes, and files that
 * never end (/dev/zero, a FIFO, a link to them in a -R tree). Each is one error result with its file (and line),
 * the other inputs are read and evaluated, and no stack trace reaches the user.
 */

const pod = (name: string): string =>
  `apiVersion: v1\nkind: Pod\nmetadata:\n  name: ${name}\nspec:\n  containers:\n  - name: c\n    image: nginx:1.27\n    securityContext:\n      privileged: true\n`;

/** One `size`-character string anchored once and aliased `aliases` times: few nodes, size × aliases bytes of JSON. */
function byteBomb(size: number, aliases: number): string {
  const lines = [
    `apiVersion: v1`,
    `kind: ConfigMap`,
    `metadata:`,
    `  name: bomb`,
    `data:`,
    `  a: &s ${'x'.repeat(size)}`,
  ];
  for (let i = 0; i < aliases; i++) lines.push(`  k${i}: *s`);
  return lines.join('\n') + '\n';
}

interface Doc {
  results: {
    source: { file: string; line: number };
    object?: { name?: string };
    policy?: string;
    verdict: string;
    message?: string;
  }[];
}

const noStack = (stderr: string): void => assert.doesNotMatch(stderr, /RangeError|\n\s+at [\w.<]/, stderr);

describe('hostile manifests and files', function () {
  this.timeout(60_000);
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-hostile-'));
  });

  describe('YAML byte bombs', () => {
    it('a 1 MB string aliased 9,000 times is one error at its line; the other documents are read', () => {
      const text = `${pod('before')}---\n${byteBomb(1 << 20, 9000)}---\n${pod('after')}`;
      const entries = entriesFromText('bomb.yaml', text, DEFAULT_LIMITS);
      assert.deepEqual(
        entries.map((e) => e.kind),
        ['object', 'error', 'object'],
      );
      const err = entries[1];
      assert.equal(
        err.kind === 'error' && err.message,
        `document expands to more than ${64 * 1024 * 1024} bytes through YAML aliases (byte bomb?)`,
      );
      assert.equal(err.source.line, 12);
    });

    it('the same bytes without aliases are fine below the limit and refused above it', () => {
      const small = { ...DEFAULT_LIMITS, maxExpandedBytes: 4096 };
      const ok = entriesFromText(
        'big.yaml',
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: ${'x'.repeat(3000)}\n`,
        small,
      );
      assert.equal(ok[0].kind, 'object');
      const tooBig = entriesFromText(
        'big.yaml',
        `apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  a: ${'x'.repeat(5000)}\n`,
        small,
      );
      assert.equal(tooBig[0].kind === 'error' && tooBig[0].message, 'document expands to more than 4096 bytes');
    });

    it('check: the 2 MB variant (a RangeError and a stack trace before) is one error result; the other object is evaluated', async () => {
      const file = path.join(dir, 'bomb2.yaml');
      writeFileSync(file, `${byteBomb(2 << 20, 9000)}---\n${pod('after')}`);
      const r = await runCli(['check', '-f', file, '-p', 'builtin://pss-privileged', '-o', 'json']);
      noStack(r.stderr);
      assert.equal(r.code, 2, r.stderr);
      const doc = JSON.parse(r.stdout) as Doc;
      const err = doc.results.find((x) => x.verdict === 'error')!;
      assert.deepEqual([err.source.file, err.source.line], [file, 1]);
      assert.match(err.message!, /byte bomb/);
      assert.ok(
        doc.results.some((x) => x.object?.name === 'after' && x.verdict === 'fail'),
        r.stdout,
      );
    });

    it('a request too large (or too deep) to serialise is a RequestTooLargeError, never a RangeError', () => {
      assert.throws(
        () => boundedJson({ a: 'x'.repeat(100) }, 50),
        (e: Error) => e instanceof RequestTooLargeError && /larger than 50 bytes/.test(e.message),
      );
      const deep: Record<string, unknown> = {};
      let at = deep;
      for (let i = 0; i < 20_000; i++) at = (at.x = {}) as Record<string, unknown>;
      assert.throws(
        () => boundedJson(deep),
        (e: Error) => e instanceof RequestTooLargeError && e.message === 'the object nests too deeply to be serialised',
      );
    });
  });

  describe('files that are not regular files', () => {
    it('-f /dev/zero, -f a FIFO: one error each, at once; the other inputs are evaluated', async () => {
      const fifo = path.join(dir, 'pipe.yaml');
      execFileSync('mkfifo', [fifo]);
      const ok = path.join(dir, 'ok.yaml');
      writeFileSync(ok, pod('ok'));
      const r = await runCli([
        'check',
        '-f',
        '/dev/zero',
        '-f',
        fifo,
        '-f',
        ok,
        '-p',
        'builtin://pss-privileged',
        '-o',
        'json',
      ]);
      noStack(r.stderr);
      assert.equal(r.code, 2, r.stderr);
      const doc = JSON.parse(r.stdout) as Doc;
      const errors = Object.fromEntries(
        doc.results.filter((x) => x.verdict === 'error').map((x) => [x.source.file, x.message]),
      );
      assert.deepEqual(errors, {
        '/dev/zero': 'cannot read: not a regular file (a character device)',
        [fifo]: 'cannot read: not a regular file (a FIFO)',
      });
      assert.ok(doc.results.some((x) => x.object?.name === 'ok' && x.verdict === 'fail'));
    });

    it('-R: a symbolic link that leaves the tree (to /dev/zero, to a file outside) is refused; links inside it are read', async () => {
      const tree = path.join(dir, 'tree');
      mkdirSync(path.join(tree, 'sub'), { recursive: true });
      writeFileSync(path.join(tree, 'sub', 'a.yaml'), pod('a'));
      writeFileSync(path.join(dir, 'outside.yaml'), pod('outside'));
      symlinkSync('/dev/zero', path.join(tree, 'sub', 'zero.yaml'));
      symlinkSync(path.join(dir, 'outside.yaml'), path.join(tree, 'out.yaml'));
      symlinkSync(path.join('sub', 'a.yaml'), path.join(tree, 'in.yaml'));
      const r = await runCli(['check', '-R', '-f', tree, '-p', 'builtin://pss-privileged', '-o', 'json']);
      noStack(r.stderr);
      assert.equal(r.code, 2, r.stderr);
      const doc = JSON.parse(r.stdout) as Doc;
      const errors = doc.results.filter((x) => x.verdict === 'error').map((x) => [x.source.file, x.message]);
      assert.deepEqual(errors, [
        [
          path.join(tree, 'out.yaml'),
          `not read: a symbolic link to ${path.join(dir, 'outside.yaml')}, outside ${tree}`,
        ],
        [path.join(tree, 'sub', 'zero.yaml'), `not read: a symbolic link to /dev/zero, outside ${tree}`],
      ]);
      assert.deepEqual(
        doc.results.filter((x) => x.verdict === 'fail').map((x) => [x.source.file, x.object?.name]),
        [
          [path.join(tree, 'in.yaml'), 'a'],
          [path.join(tree, 'sub', 'a.yaml'), 'a'],
        ],
      );
    });

    it('-p, --policies and --settings refuse /dev/zero and FIFOs with a clear error', async () => {
      const fifo = path.join(dir, 'settings-pipe.yaml');
      execFileSync('mkfifo', [fifo]);
      const ok = path.join(dir, 'ok2.yaml');
      writeFileSync(ok, pod('ok'));
      const p = await runCli(['check', '-f', ok, '-p', 'file:///dev/zero']);
      noStack(p.stderr);
      assert.equal(p.code, 2);
      assert.match(p.stdout + p.stderr, /file:\/\/\/dev\/zero: cannot read: not a regular file \(a character device\)/);
      const pol = await runCli(['check', '-f', ok, '--policies', '/dev/zero']);
      noStack(pol.stderr);
      assert.equal(pol.code, 2);
      assert.match(pol.stdout + pol.stderr, /\/dev\/zero.*not a regular file \(a character device\)/);
      const s = await runCli(['check', '-f', ok, '-p', 'builtin://pss-privileged', '--settings', fifo]);
      noStack(s.stderr);
      assert.equal(s.code, 2);
      assert.match(s.stderr, /--settings .*settings-pipe\.yaml: cannot read: not a regular file \(a FIFO\)/);
    });

    it('--settings: an alias bomb is refused by the settings limits (lib/policy/settings-document.ts)', async () => {
      const file = path.join(dir, 'settings-bomb.yaml');
      const lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'];
      for (let i = 1; i < 9; i++)
        lines.push(
          `${String.fromCharCode(97 + i)}: &${String.fromCharCode(97 + i)} [${Array(9)
            .fill(`*${String.fromCharCode(96 + i)}`)
            .join(',')}]`,
        );
      writeFileSync(file, lines.join('\n') + '\n');
      const ok = path.join(dir, 'ok3.yaml');
      writeFileSync(ok, pod('ok'));
      const r = await runCli(['check', '-f', ok, '-p', 'builtin://pss-privileged', '--settings', file]);
      noStack(r.stderr);
      assert.equal(r.code, 2);
      assert.match(
        r.stderr,
        /--settings .*settings-bomb\.yaml: it has more than 1000000 values once its aliases are expanded/,
      );
    });
  });
});
