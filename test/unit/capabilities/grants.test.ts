import { strict as assert } from 'node:assert';
import {
  DEFAULT_ALLOWED_HOST_CAPABILITIES,
  HOST_CAPABILITY_IDS,
  isGranted,
  parseAllowedHostCapabilities,
} from '../../../lib/capabilities/grants';
import { HostCallError } from '../../../lib/capabilities/errors';
import { serveHostCall } from '../../../lib/capabilities/service';

const enc = new TextEncoder();

describe('host capability grants (--allowed-host-capabilities, kwctl >= 1.35)', () => {
  it('patterns: *, an exact identifier, or prefix/* for everything under it', () => {
    assert.ok(isGranted('oci/v1/manifest_digest', ['*']));
    assert.ok(isGranted('oci/v1/manifest_digest', ['oci/*']));
    assert.ok(isGranted('oci/v2/verify', ['oci/v2/*']));
    assert.ok(!isGranted('oci/v1/verify', ['oci/v2/*']));
    assert.ok(isGranted('net/v1/dns_lookup_host', ['net/v1/dns_lookup_host']));
    assert.ok(!isGranted('net/v1/dns_lookup_host', ['net/v1/dns']));
    assert.ok(!isGranted('ocifoo/x', ['oci/*']));
  });

  it('the default grants kubernetes only: registries and DNS leave the machine and need the flag', () => {
    const granted = HOST_CAPABILITY_IDS.filter((id) => isGranted(id, DEFAULT_ALLOWED_HOST_CAPABILITIES));
    assert.deepEqual(
      granted,
      HOST_CAPABILITY_IDS.filter((id) => id.startsWith('kubernetes/')),
    );
  });

  it('the flag takes repeated and comma-separated values and refuses a pattern matching nothing', () => {
    assert.deepEqual(parseAllowedHostCapabilities(['oci/*,net/v1/dns_lookup_host', 'kubernetes/get_resource']), [
      'oci/*',
      'net/v1/dns_lookup_host',
      'kubernetes/get_resource',
    ]);
    assert.throws(() => parseAllowedHostCapabilities(['oci/v3/*']), /"oci\/v3\/\*" matches no host capability/);
  });

  it('a refused call never reaches the backend; crypto is local and needs no grant', async () => {
    let asked = 0;
    const backend = async (): Promise<Uint8Array> => {
      asked++;
      return enc.encode('{}');
    };
    const policy = { id: 'p', contextAwareResources: [], allowedHostCapabilities: DEFAULT_ALLOWED_HOST_CAPABILITIES };
    await assert.rejects(
      serveHostCall(backend, policy, 'kubewarden', 'oci', 'v1/manifest_digest', enc.encode('"busybox"')),
      (err: Error) => {
        assert.ok(err instanceof HostCallError);
        assert.equal(
          err.message,
          'Policy has not been granted the host capability oci/v1/manifest_digest. Grant it with --allowed-host-capabilities oci/v1/manifest_digest (or oci/*)',
        );
        return true;
      },
    );
    assert.equal(asked, 0);
    await serveHostCall(
      backend,
      policy,
      'kubewarden',
      'crypto',
      'v1/is_certificate_trusted',
      enc.encode(JSON.stringify({ cert: { encoding: 'Pem', data: [1] } })),
    );
    assert.equal(asked, 1);
  });
});
