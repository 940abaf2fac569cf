// The shared corpus of real-world manifests (../shared/corpus beside the repository) read end to end.
import { strict as assert } from 'node:assert';
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import { ROOT, runCli } from '../support/cli';

const CORPUS = path.resolve(ROOT, '..', 'shared', 'corpus');

interface Report {
  results: { source: { file: string; line: number }; verdict: string; message?: string; policy?: string; code?: number }[];
  summary: { objects: number; error: number };
}

describe('the shared corpus', function () {
  this.timeout(180000);
  before(function () {
    if (!existsSync(CORPUS)) this.skip();
  });

  let one: Awaited<ReturnType<typeof runCli>>;
  before(async () => {
    one = await runCli(['check', '-R', '-f', CORPUS, '-o', 'json', '--workers', '1']);
  });

  it('gives every object a verdict or a precise error with file:line, without crashing', () => {
    assert.equal(one.code, 2, 'the corpus holds broken documents, so the exit code is 2');
    assert.doesNotMatch(one.stderr, /^\s+at /m, 'no stack trace');
    const report = JSON.parse(one.stdout) as Report;
    assert.ok(report.summary.objects > 1400, `objects read: ${report.summary.objects}`);
    const errors = report.results.filter((r) => r.verdict === 'error');
    assert.equal(errors.length, report.summary.error);
    for (const e of errors) {
      assert.ok(e.source.file.startsWith(CORPUS), e.source.file);
      assert.ok(e.source.line >= 1, `${e.source.file}: line ${e.source.line}`);
      assert.ok(e.message && e.message.length > 10, JSON.stringify(e));
      // An object the API server rejects before validating admission (422) is an error of each validating policy.
      if (e.code !== 422) assert.equal(e.policy, undefined, `a policy failed: ${JSON.stringify(e)}`);
    }
    // The corpus README's known bad documents are among them.
    const messages = errors.map((e) => `${path.relative(CORPUS, e.source.file)}:${e.source.line}: ${e.message}`);
    // A repeated key is kubectl's last value, with a warning (lib/manifests/yaml.ts).
    assert.match(one.stderr, /kubernetes-examples\/_archived\/volumes\/scaleio\/sc-pvc\.yaml:\d+: key "\w+" repeats an earlier one/);
    assert.ok(messages.some((m) => /^istio-samples\/samples\/ambient-argo\/tag-chart\/templates\/shimservice\.yaml:\d+: .*template syntax/.test(m)));
  });

  it('--workers 1 and --workers 2 give byte-identical output', async () => {
    const two = await runCli(['check', '-R', '-f', CORPUS, '-o', 'json', '--workers', '2']);
    assert.equal(two.code, one.code);
    assert.ok(two.stdout === one.stdout, 'outputs differ');
  });
});
