// `bench`: per policy, start time and the distribution of one evaluation's time, as kwctl bench measures validate.
// No assertion on how fast anything is (docs/performance.md measures that); only on what is reported.
import { strict as assert } from 'node:assert';
import { runCli } from '../support/cli';

interface Bench {
  policy: string;
  module: string;
  startMs: number;
  requests: number;
  evaluation?: { count: number; min: number; median: number; p99: number; max: number; mean: number };
}

describe('bench', function () {
  this.timeout(120000);

  it('kwctl style (REF -r REQUEST): one policy, one request, the measured count', async () => {
    const r = await runCli([
      'bench',
      'builtin://pss-privileged',
      '-r',
      'test/fixtures/kwctl-run/test_data/privileged-pod.json',
      '--iterations',
      '30',
      '--warmup',
      '2',
      '-o',
      'json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const [b] = (JSON.parse(r.stdout) as { policies: Bench[] }).policies;
    assert.equal(b.policy, 'pss-privileged');
    assert.equal(b.requests, 1);
    assert.ok(b.startMs > 0);
    const e = b.evaluation!;
    assert.equal(e.count, 30);
    assert.ok(e.min > 0 && e.min <= e.median && e.median <= e.p99 && e.p99 <= e.max, JSON.stringify(e));
  });

  it('check style (-f, -p): each policy gets the objects its rules select', async () => {
    const r = await runCli([
      'bench',
      '-f',
      'docs/examples/testing/basic/manifests',
      '-p',
      'builtin://image-tag',
      '-p',
      'builtin://resource-limits',
      '--iterations',
      '5',
      '--warmup',
      '0',
      '-o',
      'json',
    ]);
    assert.equal(r.code, 0, r.stderr);
    const list = (JSON.parse(r.stdout) as { policies: Bench[] }).policies;
    assert.deepEqual(
      list.map((b) => [b.policy, b.requests, b.evaluation?.count]),
      [
        ['image-tag', 3, 15],
        ['resource-limits', 3, 15],
      ],
    );
  });

  it('text output: a block per policy with start, min, median and p99', async () => {
    const r = await runCli([
      'bench',
      'builtin://image-tag',
      '-r',
      'test/fixtures/kwctl-run/test_data/deployment-latest.json',
      '--iterations',
      '10',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(
      r.stdout,
      /^image-tag \(builtin:\/\/image-tag\)\n {2}start {6}[\d.]+ (µs|ms|s)\n {2}validate {3}min [\d.]+ (µs|ms) {2}median [\d.]+ (µs|ms) {2}p99 [\d.]+ (µs|ms) {2}max [\d.]+ (µs|ms|s) {2}\(10 evaluations of 1 request\)\n$/,
    );
  });

  it('refuses to mix the kwctl and check styles', async () => {
    const r = await runCli(['bench', 'builtin://image-tag', '-r', 'x.json', '-f', 'y.yaml']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /not both/);
  });
});
