// lib/index.ts, the library's public API (docs/architecture.md): a program can run `check` through it alone, and
// the errors a user can act on are UserErrors, also those thrown by the separately bundled cluster client.
import { strict as assert } from 'node:assert';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import * as api from '../../lib/index';
import { ROOT, runCli } from '../support/cli';

describe('lib/index.ts (public API)', () => {
  it('runs check on manifests with the bundled policies, as the CLI does', async () => {
    const report = await api.runCheck({
      files: [path.join(ROOT, 'manifests/examples/web.yaml')],
      recursive: false,
      policies: api.bundledPolicySet(),
      request: { operation: 'CREATE', userInfo: api.DEFAULT_USER },
      workers: 1,
      log: api.silentLogger,
    });
    assert.ok(report.summary.objects > 0, 'the example has objects');
    // The same verdicts and summary as `kubectl wasmpolicy check -o json` on the same file.
    const cli = await runCli(['check', '-f', 'manifests/examples/web.yaml', '-o', 'json']);
    const doc = JSON.parse(cli.stdout) as { summary: unknown; results: { verdict: string; policy: unknown }[] };
    const ours = JSON.parse(JSON.stringify(api.reportDocument(report))) as typeof doc;
    assert.deepEqual(ours.summary, doc.summary);
    assert.deepEqual(
      ours.results.map((r) => [r.verdict, r.policy]),
      doc.results.map((r) => [r.verdict, r.policy]),
    );
    assert.equal(api.exitCode(report.summary, false), cli.code);
  });

  it('tells user errors from defects, across bundles', () => {
    assert.equal(api.isUserError(new api.PolicyFetchError('x: not found', 'not-found')), true);
    assert.equal(api.isUserError(new api.PolicyLoadError('x: not a module')), true);
    assert.equal(api.isUserError(new Error('a defect')), false);
    assert.equal(api.isUserError(undefined), false);
    // dist/cluster.cjs carries its own copy of UserError: instanceof cannot see it, isUserError must.
    const cluster = createRequire(import.meta.url)(
      path.join(ROOT, 'dist/cluster.cjs'),
    ) as typeof import('../../lib/cluster/index');
    const err = new cluster.ClusterError('https://h: connection refused', 'connection');
    assert.equal(err instanceof api.UserError, false);
    assert.equal(api.isUserError(err), true);
    assert.equal(err.kind, 'connection');
  });
});
