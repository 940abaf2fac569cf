// The real pre-commit tool, offline: a local hook running the built CLI blocks a bad manifest, lets a good one in.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CLI, ROOT } from '../support/cli';

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv): { code: number; out: string } {
  const r = spawnSync(cmd, args, { cwd, env, encoding: 'utf8' });
  return { code: r.status ?? -1, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

const hasPreCommit = spawnSync('pre-commit', ['--version']).status === 0;

const GOOD = `apiVersion: v1
kind: Pod
metadata:
  name: good
spec:
  securityContext:
    runAsNonRoot: true
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: app
      image: ghcr.io/example/app:1.0.0
      securityContext:
        allowPrivilegeEscalation: false
        capabilities:
          drop: [ALL]
      resources:
        limits: {cpu: 100m, memory: 64Mi}
`;
const BAD = GOOD.replace('name: good', 'name: bad').replace('allowPrivilegeEscalation: false', 'privileged: true');

describe('pre-commit hook', function () {
  this.timeout(300000);

  it('.pre-commit-hooks.yaml is a valid hook manifest', function () {
    if (!hasPreCommit) this.skip();
    const r = run('pre-commit', ['validate-manifest', path.join(ROOT, '.pre-commit-hooks.yaml')], ROOT, process.env);
    assert.equal(r.code, 0, r.out);
  });

  it('blocks a commit with a rejected manifest and lets a good one through', async function () {
    if (!hasPreCommit) this.skip();
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'wasmpolicy-precommit-'));
    try {
      const repo = path.join(dir, 'repo');
      await fs.mkdir(path.join(repo, 'k8s'), { recursive: true });
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        HOME: dir,
        PRE_COMMIT_HOME: path.join(dir, 'cache'),
        GIT_CONFIG_NOSYSTEM: '1',
        GIT_AUTHOR_NAME: 't',
        GIT_AUTHOR_EMAIL: 't@example.com',
        GIT_COMMITTER_NAME: 't',
        GIT_COMMITTER_EMAIL: 't@example.com',
        NO_COLOR: '1',
      };
      const git = (...args: string[]) => run('git', args, repo, env);
      assert.equal(git('init', '-q').code, 0);
      // The hook as a user would declare it, pointing at the built CLI: `repo: local`, so nothing is fetched.
      const entry = `${JSON.stringify(process.execPath)} ${JSON.stringify(CLI)} check`;
      await fs.writeFile(
        path.join(repo, '.pre-commit-config.yaml'),
        [
          'repos:',
          '  - repo: local',
          '    hooks:',
          '      - id: wasmpolicy-check',
          '        name: kubectl-wasmpolicy check',
          `        entry: '${entry.replace(/'/g, "''")}'`,
          "        args: ['--']",
          '        language: system',
          '        files: \\.(ya?ml|json)$',
          '        exclude: ^\\.pre-commit-config\\.yaml$',
          '',
        ].join('\n'),
      );
      const install = run('pre-commit', ['install'], repo, env);
      assert.equal(install.code, 0, install.out);
      assert.equal(git('add', '.pre-commit-config.yaml').code, 0);
      const setup = git('commit', '-q', '-m', 'config');
      assert.equal(setup.code, 0, setup.out);

      await fs.writeFile(path.join(repo, 'k8s', 'bad.yaml'), BAD);
      // A file named like a flag (issue 16): after `--` it is one more manifest, not `--policies` taking the rest.
      await fs.writeFile(path.join(repo, '--policies=x.yaml'), BAD.replace('name: bad', 'name: flag-like'));
      git('add', 'k8s/bad.yaml', '--', '--policies=x.yaml');
      const blocked = git('commit', '-m', 'bad');
      assert.notEqual(blocked.code, 0, blocked.out);
      assert.match(blocked.out, /kubectl-wasmpolicy check\.+Failed/);
      assert.match(blocked.out, /k8s\/bad\.yaml:\d+: rejected: Pod default\/bad by pss-privileged/);
      assert.match(blocked.out, /--policies=x\.yaml:\d+: rejected: Pod default\/flag-like by pss-privileged/);
      git('rm', '-q', '--cached', '--', '--policies=x.yaml');
      await fs.rm(path.join(repo, '--policies=x.yaml'));
      assert.equal(git('rev-list', '--count', 'HEAD').out.trim(), '1', 'nothing committed');

      git('rm', '-q', '--cached', 'k8s/bad.yaml');
      await fs.rm(path.join(repo, 'k8s', 'bad.yaml'));
      await fs.writeFile(path.join(repo, 'k8s', 'good.yaml'), GOOD);
      git('add', 'k8s/good.yaml');
      const passed = git('commit', '-m', 'good');
      assert.equal(passed.code, 0, passed.out);
      assert.match(passed.out, /kubectl-wasmpolicy check\.+Passed/);
      assert.equal(git('rev-list', '--count', 'HEAD').out.trim(), '2');
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});
