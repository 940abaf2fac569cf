// check --write: accepted mutations written back into the files, touching only the mutated fields.
import { strict as assert } from 'node:assert';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { FileLocator, parseJsonPointer } from '../../../lib/manifests/locate';
import { mergeLines, rewriteText } from '../../../lib/report/write-back';
import type { Result } from '../../../lib/evaluation/result';
import { fixture, runCli } from '../../support/cli';

const CORPUS = fixture('corpus');
const FILES = [
  'kubernetes-examples/web/guestbook/all-in-one/guestbook-all-in-one.yaml', // several documents, comments
  'kubernetes-examples/web/guestbook/frontend-deployment.yaml', // comments
  'kubernetes-examples/_archived/sysdig-cloud/sysdig-daemonset.yaml', // CRLF
  'kubernetes-examples/databases/mysql-cinder-pd/mysql.yaml',
  'kubernetes-examples/_archived/meteor/mongo-pod.json', // JSON
];

/** Indices of lines of `a` not in the LCS with `b` (removed), and of `b` not in it (added). */
function lineDiff(a: string[], b: string[]): { removed: number[]; added: number[] } {
  const n = a.length;
  const m = b.length;
  const l: Uint32Array[] = Array.from({ length: n + 1 }, () => new Uint32Array(m + 1));
  for (let i = n - 1; i >= 0; i--)
    for (let j = m - 1; j >= 0; j--) l[i][j] = a[i] === b[j] ? l[i + 1][j + 1] + 1 : Math.max(l[i + 1][j], l[i][j + 1]);
  const removed: number[] = [];
  const added: number[] = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      i++;
      j++;
    } else if (j < m && (i >= n || l[i][j + 1] >= l[i + 1][j])) added.push(j++);
    else removed.push(i++);
  }
  return { removed, added };
}

/** 0-based line ranges [from, to] of the securityContext blocks of the mutated containers in `text`. */
function securityContextBlocks(text: string, mutations: Result[]): [number, number][] {
  const lines = text.split(/\r\n|\n/);
  const loc = new FileLocator(text);
  const blocks: [number, number][] = [];
  for (const r of mutations) {
    for (const op of r.patch!) {
      const segs = parseJsonPointer(op.path);
      const at = segs.indexOf('securityContext');
      assert.ok(at > 0, `the mutation is under a securityContext: ${op.path}`);
      // The container (its securityContext may not exist yet: then the whole container is the block).
      for (const upTo of [at + 1, at]) {
        const pos = loc.locate(r.source, segs.slice(0, upTo));
        if (!pos || !pos.exact) continue;
        const first = pos.line - 1;
        const indent = (s: string): number => s.length - s.trimStart().length;
        const base = upTo === at ? pos.column - 1 : indent(lines[first]);
        let last = first;
        const isJson = lines[first].trimStart().startsWith('"');
        for (let k = first + 1; k < lines.length; k++) {
          const t = lines[k].trim();
          if (t === '' || indent(lines[k]) > base || (isJson && /^[\]}]/.test(t) && indent(lines[k]) >= base)) last = k;
          else break;
        }
        blocks.push([first, last]);
        break;
      }
    }
  }
  return blocks;
}

describe('check --write', function () {
  this.timeout(300000);

  it('writes the bundled mutation into corpus files, changing only the mutated securityContexts', async function () {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wasmpolicy-write-'));
    try {
      const copies: string[] = [];
      for (const [i, f] of FILES.entries()) {
        const to = path.join(dir, `${i}-${path.basename(f)}`);
        await fs.copyFile(path.join(CORPUS, f), to);
        copies.push(to);
      }
      const before = new Map<string, string>();
      for (const c of copies) before.set(c, await fs.readFile(c, 'utf8'));
      assert.ok(before.get(copies[2])!.includes('\r\n'), 'the sysdig file is CRLF');
      const args = copies.flatMap((c) => ['-f', c]);
      const first = await runCli(['check', ...args, '-o', 'json', '--write']);
      assert.notEqual(first.code, 2, first.stderr);
      const results = (JSON.parse(first.stdout) as { results: Result[] }).results;
      const mutations = results.filter((r) => r.verdict === 'pass' && r.patch);
      for (const c of copies) {
        const mine = mutations.filter((r) => r.source.file === c);
        assert.ok(mine.length > 0, `${c} is mutated`);
        assert.ok(
          mine.every((r) => r.policy === 'pss-capabilities-restricted'),
          'only the capabilities policy mutates',
        );
        assert.match(
          first.stderr,
          new RegExp(`wrote ${c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} \\(${mine.length} mutation`),
        );
        const old = before.get(c)!;
        const now = await fs.readFile(c, 'utf8');
        assert.notEqual(now, old, `${c} changed`);
        // Line ends kept: a CRLF file stays CRLF throughout, an LF file gets no CR.
        if (old.includes('\r\n')) assert.equal(now.replace(/\r\n/g, '').includes('\n'), false, `${c} stays CRLF`);
        else assert.equal(now.includes('\r'), false);
        const oldLines = old.split(/\r\n|\n/);
        const nowLines = now.split(/\r\n|\n/);
        const diff = lineDiff(oldLines, nowLines);
        // JSON: the line before an added member gains a comma; that is the only other change allowed.
        const comma = (k: number): number => diff.removed.findIndex((r) => oldLines[r] + ',' === nowLines[k]);
        const commaPairs = diff.added.filter((k) => comma(k) >= 0).map((k) => [diff.removed[comma(k)], k]);
        const removed = diff.removed.filter((r) => !commaPairs.some(([x]) => x === r));
        const added = diff.added.filter((k) => !commaPairs.some(([, y]) => y === k));
        assert.ok(commaPairs.length === 0 || c.endsWith('.json'));
        assert.ok(added.length > 0);
        const oldBlocks = securityContextBlocks(old, mine);
        const newBlocks = securityContextBlocks(now, mine);
        for (const k of removed)
          assert.ok(
            oldBlocks.some(([a, b]) => k >= a && k <= b),
            `${c}: removed line ${k + 1} "${old.split(/\r\n|\n/)[k]}" is outside the mutated securityContexts`,
          );
        for (const k of added)
          assert.ok(
            newBlocks.some(([a, b]) => k >= a && k <= b),
            `${c}: added line ${k + 1} "${now.split(/\r\n|\n/)[k]}" is outside the mutated securityContexts`,
          );
        // Comments survive.
        const comments = (s: string): string[] => s.split(/\r\n|\n/).filter((l) => l.trimStart().startsWith('#'));
        assert.deepEqual(comments(now), comments(old));
      }
      // Nothing is left to mutate; a second --write writes nothing.
      const second = await runCli(['check', ...args, '-o', 'json', '--write']);
      const again = (JSON.parse(second.stdout) as { results: Result[] }).results;
      assert.equal(again.filter((r) => r.verdict === 'pass' && r.patch).length, 0);
      assert.doesNotMatch(second.stderr, /wrote /);
      // The other verdicts are the same as before.
      const verdicts = (rs: Result[]): string[] =>
        rs.map((r) => `${r.source.file}:${r.source.docIndex}:${r.policy}:${r.verdict}`);
      assert.deepEqual(verdicts(again), verdicts(results));
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('a monitor-mode policy that mutates writes nothing: "0 mutated", the file unchanged (protect mode writes)', async () => {
    // policy-server drops a monitor-mode policy's patch (lib/admission/postprocess.ts); --write must not keep it.
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wasmpolicy-write-monitor-'));
    try {
      const pod =
        'apiVersion: v1\nkind: Pod\nmetadata:\n  name: web\nspec:\n  containers:\n    - name: web # the app\n      image: nginx:1.27\n';
      const run = async (
        mode: string,
      ): Promise<{ text: string; json: { summary: { mutated: number }; results: Result[] }; now: string }> => {
        const file = path.join(dir, `${mode}.yaml`);
        const policies = path.join(dir, `${mode}-policies.yml`);
        await fs.writeFile(file, pod);
        await fs.writeFile(
          policies,
          `caps:\n  module: builtin://pss-capabilities-restricted\n  policyMode: ${mode}\n  allowedToMutate: true\n`,
        );
        const json = await runCli(['check', '--policies', policies, '-f', file, '-o', 'json']);
        const text = await runCli(['check', '--policies', policies, '-f', file, '--write']);
        assert.equal(text.code, 0, text.stderr);
        return { text: text.stdout, json: JSON.parse(json.stdout), now: await fs.readFile(file, 'utf8') };
      };
      const monitor = await run('monitor');
      assert.match(monitor.text, /1 passed, 0 mutated, 0 rejected/);
      assert.equal(monitor.json.summary.mutated, 0);
      assert.deepEqual(
        monitor.json.results.filter((r) => r.patch),
        [],
      );
      assert.equal(monitor.now, pod, 'the file is unchanged');
      const protect = await run('protect');
      assert.match(protect.text, /0 passed, 1 mutated, 0 rejected/);
      assert.equal(protect.json.summary.mutated, 1);
      assert.match(protect.now, /securityContext:\n\s+capabilities:\n\s+drop:\n\s+- ALL\n/);
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses stdin and URLs, writing nothing', async () => {
    const viaStdin = await runCli(['check', '-f', '-', '--write'], {
      stdin: 'apiVersion: v1\nkind: Pod\nmetadata: {name: a}\nspec: {containers: [{name: a, image: a:1}]}\n',
    });
    assert.equal(viaStdin.code, 2);
    assert.match(viaStdin.stderr, /--write cannot write back to stdin/);
    const viaUrl = await runCli(['check', '-f', 'https://example.invalid/a.yaml', '--write']);
    assert.equal(viaUrl.code, 2);
    assert.match(viaUrl.stderr, /--write cannot write back to a URL/);
    const rendered = await runCli(['check', '-k', 'manifests/examples', '--write']);
    assert.equal(rendered.code, 2);
    assert.match(rendered.stderr, /--write cannot write back to rendered input/);
  });

  it('applies several mutations of one document in order and keeps the rest of the file byte for byte', () => {
    const text = [
      '# leading comment\r',
      'apiVersion: v1\r',
      'kind: List\r',
      'items:\r',
      '- apiVersion: v1\r',
      '  kind: Pod\r',
      '  metadata:\r',
      "    name: 'a'   # quoted\r",
      '  spec:\r',
      '    containers:\r',
      '    - {name: a, image: "a:1"}\r',
      '    - name: b\r',
      '      image: b:1\r',
      '---\r',
      'apiVersion: v1\r',
      'kind: ConfigMap\r',
      'metadata: {name: untouched,   x: y}\r',
      'data: {mode: 0644}\r',
      '',
    ].join('\n');
    const src = { file: 'f.yaml', line: 5, docIndex: 0, itemIndex: 0 };
    const results: Result[] = [
      {
        source: src,
        policy: 'one',
        verdict: 'pass',
        patch: [{ op: 'add', path: '/spec/containers/1/securityContext', value: { runAsNonRoot: true } }],
      },
      {
        source: src,
        policy: 'two',
        verdict: 'pass',
        patch: [
          { op: 'replace', path: '/spec/containers/1/securityContext/runAsNonRoot', value: false },
          { op: 'add', path: '/metadata/labels', value: { x: 'y' } },
        ],
      },
      { source: src, policy: 'three', verdict: 'fail', patch: [{ op: 'remove', path: '/spec' }] },
    ];
    const out = rewriteText(
      'f.yaml',
      text,
      results.filter((r) => r.verdict === 'pass'),
    );
    assert.equal(out.applied, 2);
    const lines = out.text.split('\n');
    assert.ok(
      lines.slice(0, -1).every((l) => l.endsWith('\r')),
      'CRLF kept',
    );
    assert.ok(
      out.text.startsWith(
        text.split('\n').slice(0, 8).join('\n') +
          '\n    labels:\r\n      x: "y"\r\n  spec:\r\n    containers:\r\n    - {name: a, image: "a:1"}\r\n',
      ),
      out.text,
    );
    assert.ok(out.text.includes('      securityContext:\r\n        runAsNonRoot: false\r\n'));
    // `y` is a boolean in YAML 1.1 (as kubectl reads it): the new string is quoted.
    assert.ok(
      out.text.endsWith(
        '---\r\napiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: untouched,   x: y}\r\ndata: {mode: 0644}\r\n',
      ),
    );
  });

  it('keeps a JSON document at its indentation', () => {
    const text =
      '{\n    "apiVersion": "v1",\n    "kind": "Pod",\n    "metadata": {"name": "a"},\n    "spec": {\n        "containers": [\n            {\n                "name": "a",\n                "image": "a:1"\n            }\n        ]\n    }\n}\n';
    const out = rewriteText('p.json', text, [
      {
        source: { file: 'p.json', line: 1, docIndex: 0 },
        verdict: 'pass',
        patch: [{ op: 'add', path: '/spec/containers/0/securityContext', value: { privileged: false } }],
      },
    ]);
    assert.ok(out.text.includes('    "metadata": {"name": "a"},\n'), 'untouched lines kept as written');
    assert.ok(
      out.text.includes(
        '                "image": "a:1",\n                "securityContext": {\n                    "privileged": false\n                }\n',
      ),
    );
  });

  it('merges only the changed stretches', () => {
    assert.deepEqual(
      mergeLines(['a:  1', 'b: 2', 'c:  3'], ['a: 1', 'b: 2', 'c: 3'], ['a: 1', 'b: 2', 'x: 9', 'c: 3']),
      ['a:  1', 'b: 2', 'x: 9', 'c:  3'],
    );
  });
});
