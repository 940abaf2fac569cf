import { strict as assert } from 'node:assert';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { readManifests } from '../../../lib/manifests';
import {
  addHelmOrigins,
  checkRenderTools,
  MissingToolError,
  originPath,
  renderCommand,
  renderManifests,
} from '../../../lib/manifests/render';
import { entriesFromText, DEFAULT_LIMITS, type ManifestObject } from '../../../lib/manifests';
import { createProgress, progressText, shouldShowProgress } from '../../../cmd/progress';
import { runCli } from '../../support/cli';

// The real kubectl renders; it is part of the project's machines (kubectl is a kubectl plugin's parent).

const DEPLOYMENT = `apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
      - name: web
        image: nginx:1.27
`;

function tempKustomizations(): { hello: string; origins: string; failing: string; emptyPath: string } {
  const root = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-render-'));
  // kustomize's helloWorld example, in short: three resources and common labels.
  const hello = path.join(root, 'hello');
  mkdirSync(hello);
  writeFileSync(path.join(hello, 'deployment.yaml'), DEPLOYMENT);
  writeFileSync(
    path.join(hello, 'service.yaml'),
    'apiVersion: v1\nkind: Service\nmetadata:\n  name: web\nspec:\n  ports:\n  - port: 80\n',
  );
  writeFileSync(
    path.join(hello, 'configMap.yaml'),
    'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: the-map\ndata:\n  altGreeting: "Good Morning!"\n',
  );
  writeFileSync(
    path.join(hello, 'kustomization.yaml'),
    'commonLabels:\n  app: hello\nresources:\n- deployment.yaml\n- service.yaml\n- configMap.yaml\n',
  );
  const origins = path.join(root, 'app');
  mkdirSync(path.join(origins, 'base'), { recursive: true });
  writeFileSync(path.join(origins, 'base', 'deployment.yaml'), DEPLOYMENT);
  writeFileSync(
    path.join(origins, 'kustomization.yaml'),
    'resources:\n- base/deployment.yaml\nnamespace: shop\nbuildMetadata: [originAnnotations]\n',
  );
  const failing = path.join(root, 'broken');
  mkdirSync(failing);
  writeFileSync(path.join(failing, 'kustomization.yaml'), 'resources:\n- missing.yaml\n');
  const emptyPath = path.join(root, 'empty-path');
  mkdirSync(emptyPath);
  return { hello, origins, failing, emptyPath };
}

const objects = (entries: Awaited<ReturnType<typeof renderManifests>>): ManifestObject[] =>
  entries.filter((e): e is ManifestObject => e.kind === 'object');

describe('rendering: -k (kubectl kustomize) and --helm (helm template)', () => {
  const dirs = tempKustomizations();
  const HELLO = dirs.hello;

  describe('unit', () => {
    it('reads the path of kustomize origin annotations, with the repo of remote bases', () => {
      assert.equal(originPath('path: base/deployment.yaml\n'), 'base/deployment.yaml');
      assert.equal(
        originPath('path: examples/x.yaml\nrepo: https://github.com/org/repo\nref: v1\n'),
        'https://github.com/org/repo//examples/x.yaml',
      );
      assert.equal(originPath('configuredIn: kustomization.yaml\n'), undefined);
      assert.equal(originPath(': : not yaml ['), undefined);
      assert.equal(originPath(undefined), undefined);
    });

    it('reads helm # Source: comments as origins', () => {
      const text =
        '---\n# Source: chart/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\n# Source: chart/templates/svc.yaml\napiVersion: v1\nkind: Service\nmetadata:\n  name: b\n---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: c\n';
      const entries = entriesFromText('helm:chart', text, DEFAULT_LIMITS);
      addHelmOrigins(entries, text);
      assert.deepEqual(
        entries.map((e) => e.source.origin),
        ['chart/templates/cm.yaml', 'chart/templates/svc.yaml', undefined],
      );
    });

    it('runs $KUBECTL when set, else kubectl; helm gets its values and sets in order', () => {
      assert.deepEqual(renderCommand({ kind: 'kustomize', dir: 'k8s' }, {}), {
        tool: 'kubectl',
        program: 'kubectl',
        args: ['kustomize', 'k8s'],
      });
      assert.equal(
        renderCommand({ kind: 'kustomize', dir: 'k8s' }, { KUBECTL: '/opt/kubectl' }).program,
        '/opt/kubectl',
      );
      assert.deepEqual(
        renderCommand({ kind: 'helm', chart: './chart', values: ['a.yaml', 'b.yaml'], set: ['x=1'] }, {}).args,
        ['template', 'release', './chart', '--values', 'a.yaml', '--values', 'b.yaml', '--set', 'x=1'],
      );
    });

    it('names the missing tool', () => {
      assert.throws(
        () => checkRenderTools([{ kind: 'helm', chart: 'c' }], { PATH: dirs.emptyPath }),
        (err: Error) => err instanceof MissingToolError && /--helm needs helm .*no helm on PATH/.test(err.message),
      );
      assert.throws(
        () => checkRenderTools([{ kind: 'kustomize', dir: 'd' }], { PATH: dirs.emptyPath }),
        /-k needs kubectl .*no kubectl on PATH/,
      );
      assert.throws(
        () => checkRenderTools([{ kind: 'kustomize', dir: 'd' }], { KUBECTL: path.join(dirs.emptyPath, 'kubectl') }),
        /no .*kubectl at /,
      );
      checkRenderTools([{ kind: 'kustomize', dir: 'd' }]);
    });
  });

  describe('with the real kubectl', () => {
    it('renders kustomize helloWorld, naming kustomize:DIR as the file', async () => {
      const entries = await renderManifests([{ kind: 'kustomize', dir: HELLO }]);
      const objs = objects(entries);
      assert.deepEqual(objs.map((o) => o.object.kind).sort(), ['ConfigMap', 'Deployment', 'Service']);
      for (const o of objs) {
        assert.equal(o.source.file, `kustomize:${HELLO}`);
        assert.ok(o.source.line >= 1);
        assert.equal(o.source.origin, undefined);
      }
    });

    it('exposes buildMetadata originAnnotations as source.origin, relative to DIR', async () => {
      const [e] = objects(await renderManifests([{ kind: 'kustomize', dir: dirs.origins }]));
      assert.equal(e.object.metadata?.namespace, 'shop');
      assert.equal(e.source.origin, 'base/deployment.yaml');
    });

    it("turns a failing kustomization into an error with kubectl's stderr, and goes on", async () => {
      const texts = new Map<string, string>();
      const entries = await readManifests([], {
        recursive: false,
        render: [
          { kind: 'kustomize', dir: dirs.failing },
          { kind: 'kustomize', dir: HELLO },
        ],
        onText: (n, t) => texts.set(n, t),
      });
      assert.equal(entries[0].kind, 'error');
      assert.equal(entries[0].source.file, `kustomize:${dirs.failing}`);
      assert.match((entries[0] as { message: string }).message, /kubectl kustomize .*failed: .*missing\.yaml/);
      assert.doesNotMatch((entries[0] as { message: string }).message, /run\.go:\d+\]/);
      assert.equal(objects(entries).length, 3);
      assert.ok(texts.has(`kustomize:${HELLO}`));
    });
  });

  describe('check -k / --helm', () => {
    it('evaluates rendered objects; JSON names the source and origin, text shows the origin', async () => {
      const j = await runCli(['check', '-k', dirs.origins, '-k', dirs.failing, '-o', 'json']);
      assert.equal(j.code, 2, j.stderr);
      const report = JSON.parse(j.stdout) as {
        results: { source: { file: string; origin?: string }; verdict: string; message?: string }[];
      };
      const fromApp = report.results.filter((r) => r.source.file === `kustomize:${dirs.origins}`);
      assert.ok(fromApp.length > 0);
      assert.ok(fromApp.every((r) => r.source.origin === 'base/deployment.yaml'));
      assert.ok(fromApp.some((r) => r.verdict === 'fail'));
      const broken = report.results.find((r) => r.source.file === `kustomize:${dirs.failing}`);
      assert.equal(broken?.verdict, 'error');
      const t = await runCli(['check', '-k', dirs.origins]);
      assert.match(
        t.stdout,
        new RegExp(
          `^kustomize:${dirs.origins.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+ \\(origin: base/deployment\\.yaml\\): rejected: Deployment shop/web by `,
          'm',
        ),
      );
    });

    it('mixes -f and -k inputs', async () => {
      const r = await runCli([
        'check',
        '-f',
        path.join(dirs.origins, 'base', 'deployment.yaml'),
        '-k',
        HELLO,
        '-o',
        'json',
      ]);
      const report = JSON.parse(r.stdout) as { summary: { objects: number } };
      assert.equal(report.summary.objects, 4, r.stderr);
    });

    it('--helm runs `helm template` with the chart, namespace, values and sets in order, and evaluates its output', async () => {
      // helm cannot be installed on the test machines: this is a stand-in `helm` on PATH that records its arguments
      // and prints what `helm template` prints for a small chart (documents with `# Source:` comments). It tests
      // the contract with helm (arguments, stdout, origins), not helm itself.
      const bin = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-helm-'));
      try {
        const argsFile = path.join(bin, 'args.json');
        const rendering = [
          '---',
          '# Source: web/templates/deployment.yaml',
          'apiVersion: apps/v1',
          'kind: Deployment',
          'metadata: {name: release-web}',
          'spec:',
          '  selector: {matchLabels: {app: web}}',
          '  template:',
          '    metadata: {labels: {app: web}}',
          '    spec: {containers: [{name: web, image: "nginx:latest"}]}',
          '---',
          '# Source: web/templates/service.yaml',
          'apiVersion: v1',
          'kind: Service',
          'metadata: {name: release-web}',
          'spec: {ports: [{port: 80}]}',
          '',
        ].join('\n');
        writeFileSync(
          path.join(bin, 'helm'),
          `#!${process.execPath}\nrequire('fs').writeFileSync(${JSON.stringify(argsFile)}, JSON.stringify(process.argv.slice(2)));\nprocess.stdout.write(${JSON.stringify(rendering)});\n`,
          { mode: 0o755 },
        );
        const r = await runCli(
          [
            'check',
            '--helm',
            './charts/web',
            '-n',
            'shop',
            '--values',
            'a.yaml',
            '--values',
            'b.yaml',
            '--set',
            'x=1',
            '--set',
            'y=2',
            '-o',
            'json',
          ],
          {
            env: { PATH: `${bin}${path.delimiter}${process.env.PATH ?? ''}` },
          },
        );
        assert.equal(r.code, 1, r.stderr);
        assert.deepEqual(JSON.parse(readFileSync(argsFile, 'utf8')), [
          'template',
          'release',
          './charts/web',
          '--namespace',
          'shop',
          '--values',
          'a.yaml',
          '--values',
          'b.yaml',
          '--set',
          'x=1',
          '--set',
          'y=2',
        ]);
        const report = JSON.parse(r.stdout) as {
          summary: { objects: number };
          results: {
            source: { file: string; line: number; origin?: string };
            verdict: string;
            policy?: string;
            object?: { kind: string; namespace?: string };
          }[];
        };
        assert.equal(report.summary.objects, 2);
        const deployment = report.results.filter((x) => x.object?.kind === 'Deployment');
        assert.ok(deployment.length > 0);
        for (const x of deployment) {
          assert.equal(x.source.file, 'helm:./charts/web');
          assert.equal(x.source.line, 3);
          assert.equal(x.source.origin, 'web/templates/deployment.yaml');
          assert.equal(x.object?.namespace, 'shop');
        }
        assert.ok(
          deployment.some((x) => x.verdict === 'fail' && x.policy === 'image-tag'),
          'nginx:latest is rejected by image-tag',
        );
        assert.equal(
          report.results.find((x) => x.object?.kind === 'Service')?.source.origin,
          'web/templates/service.yaml',
        );
      } finally {
        rmSync(bin, { recursive: true, force: true });
      }
    });

    it('--helm without helm on PATH: a clear error naming helm, exit 2', async () => {
      const r = await runCli(['check', '--helm', './chart', '--values', 'v.yaml', '--set', 'a=b'], {
        env: { PATH: dirs.emptyPath },
      });
      assert.equal(r.code, 2);
      assert.equal(r.stdout, '');
      assert.match(r.stderr, /^error: --helm needs helm \(helm template\), and there is no helm on PATH/);
    });

    it('-k with $KUBECTL pointing nowhere: names kubectl, exit 2', async () => {
      const r = await runCli(['check', '-k', HELLO], { env: { KUBECTL: path.join(dirs.emptyPath, 'kubectl') } });
      assert.equal(r.code, 2);
      assert.match(r.stderr, /-k needs kubectl/);
    });

    it('needs some input, and --values/--set only with --helm', async () => {
      const none = await runCli(['check']);
      assert.equal(none.code, 2);
      assert.match(none.stderr, /give manifests with -f FILE\|DIR\|URL\|-, -k DIR or --helm CHART/);
      const stray = await runCli(['check', '-k', HELLO, '--set', 'a=b']);
      assert.equal(stray.code, 2);
      assert.match(stray.stderr, /--values and --set apply to a chart given with --helm/);
    });
  });
});

class Sink extends Writable {
  text = '';
  isTTY = true;
  columns = 80;
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
  cursorTo(): boolean {
    return true;
  }
  clearLine(): boolean {
    return true;
  }
  moveCursor(): boolean {
    return true;
  }
}

describe('progress spinner', () => {
  it('shows only on a terminal stderr, not in CI, not with --quiet, not on a dumb terminal', () => {
    assert.equal(shouldShowProgress({ isTTY: true, env: {} }), true);
    assert.equal(shouldShowProgress({ isTTY: false, env: {} }), false);
    assert.equal(shouldShowProgress({ isTTY: true, env: { CI: 'true' } }), false);
    assert.equal(shouldShowProgress({ isTTY: true, env: { CI: '1' } }), false);
    assert.equal(shouldShowProgress({ isTTY: true, env: { CI: 'false' } }), true);
    assert.equal(shouldShowProgress({ isTTY: true, env: {}, quiet: true }), false);
    assert.equal(shouldShowProgress({ isTTY: true, env: { TERM: 'dumb' } }), false);
  });

  it('says objects evaluated of total', () => {
    assert.equal(progressText(3, 10), 'evaluating: 3/10 objects');
    assert.equal(progressText(1, 1), 'evaluating: 1/1 object');
  });

  it('stays silent for a run shorter than its delay, and when disabled', async () => {
    const sink = new Sink();
    const quick = createProgress({ enabled: true, stream: sink as unknown as NodeJS.WriteStream, delayMs: 100 });
    quick.update(1, 2);
    quick.stop();
    const off = createProgress({ enabled: false, stream: sink as unknown as NodeJS.WriteStream, delayMs: 0 });
    off.update(1, 2);
    await new Promise((r) => setTimeout(r, 200));
    off.stop();
    assert.equal(sink.text, '');
  });

  it('after its delay shows the counts on its stream, and stops', async () => {
    const sink = new Sink();
    const p = createProgress({ enabled: true, stream: sink as unknown as NodeJS.WriteStream, delayMs: 10 });
    p.update(2, 5);
    // Waits for the first frame instead of a fixed 150 ms, which a loaded machine overran (the spinner library
    // is loaded on first use).
    for (let i = 0; i < 200 && !/evaluating: 2\/5 objects/.test(sink.text); i++)
      await new Promise((r) => setTimeout(r, 50));
    p.stop();
    p.stop();
    assert.match(sink.text, /evaluating: 2\/5 objects/);
  });

  it('leaves non-TTY output clean: nothing on stderr, only results on stdout', async () => {
    const r = await runCli(['check', '-f', 'manifests/examples', '-o', 'json'], { env: { CI: '' } });
    assert.equal(r.stderr, '');
    JSON.parse(r.stdout);
    assert.doesNotMatch(r.stdout, /\x1b|evaluating:/);
  });
});
