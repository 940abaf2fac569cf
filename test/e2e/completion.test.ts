import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runCli } from '../support/cli';

const has = (program: string): boolean => spawnSync('sh', ['-c', `command -v ${program}`]).status === 0;

describe('completion', () => {
  let bashScript: string;
  let zshScript: string;
  let file: string;
  before(async () => {
    const b = await runCli(['completion', 'bash']);
    assert.equal(b.code, 0, b.stderr);
    bashScript = b.stdout;
    const z = await runCli(['completion', 'zsh']);
    assert.equal(z.code, 0, z.stderr);
    zshScript = z.stdout;
    file = path.join(mkdtempSync(path.join(tmpdir(), 'wasmpolicy-completion-')), 'kubectl_complete-wasmpolicy');
    writeFileSync(file, bashScript);
    chmodSync(file, 0o755);
  });

  it('prints a bash script that bash -n accepts', () => {
    assert.match(bashScript, /^#!\/usr\/bin\/env bash\n/);
    assert.match(bashScript, /complete -F _kubectl_wasmpolicy kubectl-wasmpolicy/);
    const r = spawnSync('bash', ['-n', file], { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('prints a zsh script (zsh -n when zsh is installed)', function () {
    assert.match(zshScript, /^#compdef kubectl-wasmpolicy\n/);
    assert.match(zshScript, /compdef _kubectl_wasmpolicy kubectl-wasmpolicy/);
    if (!has('zsh')) this.skip();
    const r = spawnSync('zsh', ['-n'], { input: zshScript, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
  });

  it('rejects other shells', async () => {
    const r = await runCli(['completion', 'fish']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /Invalid values|Choices/);
  });

  // As kubectl_complete-wasmpolicy, the script answers in cobra's __complete format.
  const complete = (...words: string[]): string[] => {
    const r = spawnSync(file, words, { encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr);
    return r.stdout.trimEnd().split('\n');
  };

  it('completes commands, flags, choices and files as kubectl_complete-wasmpolicy', () => {
    assert.deepEqual(complete('c'), ['check', 'completion', ':4']);
    assert.deepEqual(complete(''), [
      'check',
      'audit',
      'test',
      'run',
      'scaffold',
      'bench',
      'inspect',
      'annotate',
      'pull',
      'push',
      'verify',
      'policies',
      'rm',
      'digest',
      'save',
      'load',
      'completion',
      'version',
      ':4',
    ]);
    assert.deepEqual(complete('check', '--ku'), [
      '--kustomize',
      '--kubeconfig',
      '--kubewarden-namespace',
      '--kubernetes-version',
      ':4',
    ]);
    assert.deepEqual(complete('audit', '--report-kind', ''), ['policyreport', 'openreports', ':4']);
    assert.deepEqual(complete('check', '--he'), ['--helm', '--help', ':4']);
    assert.deepEqual(complete('check', '--operation', ''), ['CREATE', 'UPDATE', 'DELETE', ':4']);
    assert.deepEqual(complete('check', '-o', 'json', '--pull', 'm'), ['missing', ':4']);
    assert.deepEqual(complete('check', '-k', ''), [':0']);
    assert.deepEqual(complete('-v', 'check', '-f', 'x.yaml', ''), [':0']);
    assert.deepEqual(complete('completion', ''), ['bash', 'zsh', ':4']);
    assert.deepEqual(complete('scaffold', ''), ['admission-request', 'manifest', 'test', 'verification-config', ':4']);
    assert.deepEqual(complete('scaffold', 'manifest', '--type', 'Cluster'), [
      'ClusterAdmissionPolicy',
      'ClusterAdmissionPolicyGroup',
      ':4',
    ]);
    assert.deepEqual(complete('run', '--request'), ['--request-path', ':4']);
    assert.deepEqual(complete('test', '-o', ''), ['text', 'json', 'junit', ':4']);
    assert.deepEqual(complete('bench', '--iter'), ['--iterations', ':4']);
    assert.deepEqual(complete('--q'), ['--quiet', ':4']);
  });

  it('completes kubectl-wasmpolicy in bash', () => {
    const run = (line: string): string => {
      const words = line.split(' ');
      const script = `source ${JSON.stringify(file)}\nCOMP_WORDS=(${words.map((w) => JSON.stringify(w)).join(' ')}); COMP_CWORD=${words.length - 1}\n_kubectl_wasmpolicy\necho "\${COMPREPLY[*]}"`;
      const r = spawnSync('bash', ['-c', script], { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    };
    assert.equal(run('kubectl-wasmpolicy ch'), 'check');
    assert.equal(run('kubectl wasmpolicy check --oper'), '--operation');
    assert.equal(run('kubectl-wasmpolicy completion z'), 'zsh');
  });
});
