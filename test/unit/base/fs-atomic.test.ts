import { strict as assert } from 'node:assert';
import {
  lstatSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { writeFileAtomic } from '../../../lib/base/fs-atomic';
import { runCli } from '../../support/cli';

/** `--write` and `-o FMT=FILE` (issue 16, item 13): temporary files that cannot be planted, links kept. */
describe('atomic writes (lib/base/fs-atomic)', function () {
  this.timeout(60_000);
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-atomic-'));
  });

  it('symbolic links planted at the temporary names of the old scheme (pid and time) are not followed', async () => {
    const outside = path.join(mkdtempSync(path.join(tmpdir(), 'wasmpolicy-outside-')), 'victim');
    writeFileSync(outside, 'precious\n');
    const target = path.join(dir, 'report.sarif');
    // `.NAME.PID.MILLISECONDS.tmp` for the next few seconds: what an attacker with write access to the directory plants.
    const now = Date.now();
    for (let t = now - 50; t < now + 3000; t++)
      symlinkSync(outside, path.join(dir, `.report.sarif.${process.pid}.${t}.tmp`));
    await writeFileAtomic(target, 'report\n');
    assert.equal(readFileSync(outside, 'utf8'), 'precious\n');
    assert.ok(lstatSync(target).isFile());
    assert.equal(readFileSync(target, 'utf8'), 'report\n');
  });

  it('leaves no temporary file behind and keeps the mode asked for exactly', async () => {
    const target = path.join(dir, 'm.yaml');
    await writeFileAtomic(target, ['a', 'b\n'], 0o640);
    assert.equal(readFileSync(target, 'utf8'), 'ab\n');
    assert.equal(statSync(target).mode & 0o777, 0o640);
    assert.deepEqual(readdirSync(dir), ['m.yaml']);
  });

  it('a symbolic link stays a link: its target is replaced; a link to nothing is refused', async () => {
    const real = path.join(dir, 'real.yaml');
    writeFileSync(real, 'old\n');
    symlinkSync('real.yaml', path.join(dir, 'link.yaml'));
    await writeFileAtomic(path.join(dir, 'link.yaml'), 'new\n');
    assert.equal(readlinkSync(path.join(dir, 'link.yaml')), 'real.yaml');
    assert.equal(readFileSync(real, 'utf8'), 'new\n');
    symlinkSync('missing.yaml', path.join(dir, 'dangling.yaml'));
    await assert.rejects(
      writeFileAtomic(path.join(dir, 'dangling.yaml'), 'x'),
      /dangling\.yaml is a symbolic link to missing\.yaml, which does not exist: not written/,
    );
    assert.deepEqual(readdirSync(dir).sort(), ['dangling.yaml', 'link.yaml', 'real.yaml']);
  });

  it('check --write on a symlinked manifest keeps the link and writes its target; -o FILE to a dangling link is a clear error', async () => {
    const real = path.join(dir, 'pod.yaml');
    writeFileSync(
      real,
      'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\nspec:\n  containers:\n  - name: a\n    image: nginx:1.27\n',
    );
    symlinkSync('pod.yaml', path.join(dir, 'link.yaml'));
    const r = await runCli([
      'check',
      '-f',
      path.join(dir, 'link.yaml'),
      '-p',
      'builtin://pss-capabilities-restricted',
      '--write',
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(readlinkSync(path.join(dir, 'link.yaml')), 'pod.yaml');
    assert.match(readFileSync(real, 'utf8'), /drop:\n\s+- ALL/);
    symlinkSync('nowhere/x.sarif', path.join(dir, 'out.sarif'));
    const o = await runCli([
      'check',
      '-f',
      real,
      '-p',
      'builtin://pss-capabilities-restricted',
      '-o',
      `sarif=${path.join(dir, 'out.sarif')}`,
    ]);
    assert.equal(o.code, 2);
    assert.match(
      o.stderr,
      /^error: -o sarif=.*out\.sarif: cannot write: .*out\.sarif is a symbolic link to nowhere\/x\.sarif, which does not exist: not written\n$/,
    );
  });
});
