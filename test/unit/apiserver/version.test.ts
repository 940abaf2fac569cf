import { strict as assert } from 'node:assert';
import { versionForServer } from '../../../lib/apiserver/version';

// --from-cluster: the server's /version picks the schemas and defaults, clamped to the supported range.
describe('apiserver: the Kubernetes version of a cluster', () => {
  it('uses a supported version as is, including managed clusters\' "34+" minors', () => {
    assert.deepEqual(versionForServer('1', '33'), { version: '1.33' });
    assert.deepEqual(versionForServer('1', '34+'), { version: '1.34' });
  });

  it('clamps to the nearest supported version, with a note for the warning', () => {
    const old = versionForServer('1', '29');
    assert.equal(old.version, '1.33');
    assert.match(old.note!, /Kubernetes 1\.29; the nearest supported version is 1\.33/);
    assert.equal(versionForServer('1', '37').version, '1.35');
    assert.equal(versionForServer('2', '0').version, '1.35');
  });
});
