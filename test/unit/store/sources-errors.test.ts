import { strict as assert } from 'node:assert';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { PolicyFetchError } from '../../../lib/store/errors';
import { readSources } from '../../../lib/store/sources';

/** sources.yaml problems name the file and the line, never quote its content (issue 16), and reads are bounded. */
describe('sources.yaml errors', () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-sources-'));

  it('a YAML error gives the line and the reason, not the lines around it', async () => {
    const file = path.join(dir, 'sources.yaml');
    writeFileSync(
      file,
      'source_authorities:\n  reg.lab:\n  - type: Data\n    data: "-----BEGIN PRIVATE KEY----- SECRET-MATERIAL-42\ninsecure_sources: [a\n',
    );
    await assert.rejects(readSources(file, true), (e: Error) => {
      assert.ok(e instanceof PolicyFetchError, String(e));
      assert.match(e.message, /^sources file .*sources\.yaml: not valid YAML: line \d+: /);
      assert.doesNotMatch(e.message, /SECRET-MATERIAL|BEGIN PRIVATE/);
      return true;
    });
  });

  it('a FIFO or a device named as sources file (or certificate) is refused, not read', async () => {
    await assert.rejects(
      readSources('/dev/zero', true),
      /sources file \/dev\/zero: cannot read: not a regular file \(a character device\)/,
    );
    const file = path.join(dir, 'with-cert.yaml');
    writeFileSync(file, 'source_authorities:\n  reg.lab:\n  - type: Path\n    path: /dev/zero\n');
    await assert.rejects(
      readSources(file, true),
      /cannot read certificate \/dev\/zero: not a regular file \(a character device\)/,
    );
  });
});
