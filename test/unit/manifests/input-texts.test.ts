import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { InputTexts } from '../../../lib/manifests/input-texts';

describe('input texts (lib/manifests/input-texts.ts)', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'kwp-texts-'));
  const big = 'apiVersion: v1\nkind: ConfigMap\n' + '# padding\n'.repeat(200);

  it('keeps texts up to its budget and inputs that are not files; reads other files again when asked', () => {
    const file = path.join(dir, 'big.yaml');
    writeFileSync(file, big);
    const texts = new InputTexts(1 << 20, 100);
    texts.add('small.yaml', 'a: 1\n', path.join(dir, 'missing.yaml'));
    // Within the budget with the first file, past it with the second.
    texts.add('small2.yaml', 'b: 2\n'.repeat(40), path.join(dir, 'missing.yaml'));
    texts.add('-', big);
    texts.add(file, big, file);
    assert.equal(texts.get('small.yaml'), 'a: 1\n');
    assert.equal(texts.get('small2.yaml'), undefined);
    assert.equal(texts.get('-'), big);
    assert.equal(texts.get(file), big);
    assert.equal(texts.get('never-read.yaml'), undefined);
  });

  it('gives nothing for a large file that changed since it was read, or is gone', () => {
    const changed = path.join(dir, 'changed.yaml');
    const gone = path.join(dir, 'gone.yaml');
    writeFileSync(changed, big);
    const texts = new InputTexts(1 << 20, 100);
    texts.add(changed, big, changed);
    texts.add(gone, big, gone);
    writeFileSync(changed, big.replace('ConfigMap', 'Secret   '));
    assert.equal(texts.get(changed), undefined);
    assert.equal(texts.get(gone), undefined);
  });

  it('reads a large file again only when another one was asked for in between', () => {
    const a = path.join(dir, 'a.yaml');
    const b = path.join(dir, 'b.yaml');
    writeFileSync(a, big);
    writeFileSync(b, big + '# b\n');
    const texts = new InputTexts(1 << 20, 100);
    texts.add(a, big, a);
    texts.add(b, big + '# b\n', b);
    assert.equal(texts.get(a), big);
    // Changed after it was read again: the copy read is still the one asked for, until another file is.
    writeFileSync(a, big + '# later\n');
    assert.equal(texts.get(a), big);
    assert.equal(texts.get(b), big + '# b\n');
    assert.equal(texts.get(a), undefined);
  });
});
