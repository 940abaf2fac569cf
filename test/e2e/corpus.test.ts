// Real projects' manifests (test/fixtures/corpus, curated by scripts/curate-corpus.mjs) read end to end.
import { strict as assert } from 'node:assert';
import * as path from 'node:path';
import { fixture, runCli } from '../support/cli';

const CORPUS = fixture('corpus');

interface Report {
  results: {
    source: { file: string; line: number };
    verdict: string;
    message?: string;
    policy?: string;
    code?: number;
  }[];
  summary: { objects: number; error: number };
}

/** Documents of the curated corpus that are not valid input, by file:line and the start of their message. */
const KNOWN_BAD: [string, RegExp][] = [
  ['kubernetes-examples/_archived/storage/vitess/etcd-service-template.yaml:4', /^YAML syntax error: .*complex keys/],
  [
    'kubernetes-examples/_archived/scheduler-policy/scheduler-policy-config.json:1',
    /^Policy: metadata\.name is required/,
  ],
  ['istio-samples/samples/ambient-argo/tag-chart/templates/shimservice.yaml:1', /template syntax|\{\{/],
  ['istio-samples/samples/ambient-argo/tag-chart/templates/mutatingwebhooks.yaml:109', /^YAML syntax error/],
  ['istio-samples/samples/security/spire/spire-quickstart.yaml:910', /^YAML syntax error: deficient indentation/],
  ['flux2/manifests/bases/helm-controller/patch.yaml:1', /^not a Kubernetes object: expected a mapping, got a list/],
  [
    'kustomize-examples/examples/transformerconfigs/images/mykind.yaml:1',
    /^not a Kubernetes object: apiVersion and kind not set/,
  ],
];

describe('the curated corpus of real projects', function () {
  this.timeout(180000);

  let one: Awaited<ReturnType<typeof runCli>>;
  before(async () => {
    one = await runCli(['check', '-R', '-f', CORPUS, '-o', 'json', '--workers', '1']);
  });

  it('gives every object a verdict or a precise error with file:line, without crashing', () => {
    assert.equal(one.code, 2, 'the corpus holds broken documents, so the exit code is 2');
    assert.doesNotMatch(one.stderr, /^\s+at /m, 'no stack trace');
    const report = JSON.parse(one.stdout) as Report;
    // Every object of the 625 files, the 39 ConfigMaps inside the ConfigMapList included (test/fixtures/corpus/README.md),
    // and the five documents with a repeated key, which kubectl reads with the key's last value.
    assert.equal(report.summary.objects, 1159);
    const errors = report.results.filter((r) => r.verdict === 'error');
    assert.equal(errors.length, report.summary.error);
    assert.ok(errors.length >= KNOWN_BAD.length, `${errors.length} errors`);
    for (const e of errors) {
      assert.ok(e.source.file.startsWith(CORPUS), e.source.file);
      assert.ok(e.source.line >= 1, `${e.source.file}: line ${e.source.line}`);
      assert.ok(e.message && e.message.length > 10, JSON.stringify(e));
      // An object the API server rejects before validating admission (422) is an error of each validating policy.
      if (e.code !== 422) assert.equal(e.policy, undefined, `a policy failed: ${JSON.stringify(e)}`);
    }
    const messages = new Map(
      errors.map((e) => [`${path.relative(CORPUS, e.source.file)}:${e.source.line}`, e.message!]),
    );
    for (const [at, message] of KNOWN_BAD) assert.match(messages.get(at) ?? '(no error)', message, at);
    const objects = report.results.filter((r) => r.verdict !== 'error');
    assert.ok(
      objects.some((r) => r.verdict === 'fail') && objects.some((r) => r.verdict === 'pass'),
      'policies both accept and reject corpus objects',
    );
    // A repeated key is kubectl's last value, with a warning naming file:line (lib/manifests/yaml.ts), not an error.
    for (const file of [
      'kubernetes-examples/_archived/volumes/scaleio/sc-pvc.yaml',
      'kubernetes-examples/_archived/openshift-origin/etcd-controller.yaml',
    ]) {
      assert.match(
        one.stderr,
        new RegExp(`${file.replace(/[./]/g, (c) => `\\${c}`)}:\\d+: key "[^"]+" repeats an earlier one`),
        file,
      );
    }
  });

  it('--workers 1 and --workers 2 give byte-identical output', async () => {
    const two = await runCli(['check', '-R', '-f', CORPUS, '-o', 'json', '--workers', '2']);
    assert.equal(two.code, one.code);
    assert.ok(one.stdout.length > 100_000, 'a real report');
    assert.ok(two.stdout === one.stdout, 'outputs differ');
  });
});
