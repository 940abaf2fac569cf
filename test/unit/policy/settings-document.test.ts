import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { isUserError } from '../../../lib/base/user-error';
import {
  SettingsError,
  settingsDocumentProblem,
  settingsFromFile,
  settingsFromJson,
} from '../../../lib/policy/settings-document';

/** Settings from the command line: read, parsed and bounded once, in lib/policy/settings-document.ts. */
describe('settings documents (lib/policy/settings-document)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-settings-'));
  const file = (name: string, text: string): string => {
    const f = path.join(dir, name);
    writeFileSync(f, text);
    return f;
  };
  const fails = async (p: Promise<unknown>, message: string, kind: string): Promise<void> => {
    await assert.rejects(p, (e: unknown) => {
      assert.ok(e instanceof SettingsError && isUserError(e));
      assert.equal(e.message, message);
      assert.equal(e.kind, kind);
      return true;
    });
  };

  it('reads a YAML or JSON mapping; a null document is no settings', async () => {
    assert.deepEqual(await settingsFromFile(file('a.yaml', 'a: 1\nb: [x]\n'), '--settings a.yaml'), { a: 1, b: ['x'] });
    assert.deepEqual(await settingsFromFile(file('e.yaml', '~\n'), '--settings e.yaml'), {});
    assert.deepEqual(settingsFromJson('{"a":true}', '--settings-json'), { a: true });
  });

  it('a document that refers to itself through an alias is refused, not walked for ever', async () => {
    await fails(
      settingsFromFile(file('cycle.yaml', 'a: &a\n  b: *a\n'), '--settings cycle.yaml'),
      '--settings cycle.yaml: refers to itself through a YAML alias (cycle)',
      'limits',
    );
  });

  it('an alias bomb stops at the settings limit of values, once', async () => {
    const lines = ['a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1]'];
    for (let i = 1; i < 9; i++) {
      const [n, p] = [String.fromCharCode(97 + i), String.fromCharCode(96 + i)];
      lines.push(`${n}: &${n} [${Array(9).fill(`*${p}`).join(', ')}]`);
    }
    await fails(
      settingsFromFile(file('bomb.yaml', lines.join('\n') + '\n'), '--settings bomb.yaml'),
      '--settings bomb.yaml: it has more than 1000000 values once its aliases are expanded',
      'limits',
    );
  });

  it('shared (non-cyclic) aliases are fine, and a sibling seen before is not a cycle', () => {
    const shared = { x: 1 };
    assert.equal(settingsDocumentProblem({ a: shared, b: shared, c: [shared, [shared]] }), undefined);
    const loop: Record<string, unknown> = {};
    loop.self = [{ back: loop }];
    assert.equal(settingsDocumentProblem(loop), 'refers to itself through a YAML alias (cycle)');
  });

  it('names the flag, file and line of what is wrong', async () => {
    await fails(
      settingsFromFile(file('bad.yaml', 'x: [1\n'), '--settings bad.yaml'),
      '--settings bad.yaml:2: deficient indentation',
      'syntax',
    );
    await fails(
      settingsFromFile(file('list.yaml', '[1, 2]\n'), '--settings list.yaml'),
      '--settings list.yaml must be an object (a mapping of setting names to values)',
      'not-an-object',
    );
    await fails(
      settingsFromFile(path.join(dir, 'missing.yaml'), '--settings missing.yaml'),
      '--settings missing.yaml: cannot read: no such file',
      'unreadable',
    );
    assert.throws(
      () => settingsFromJson('{"a":', '--settings-json'),
      /^SettingsError: --settings-json is not valid JSON: /,
    );
  });
});
