// The host capabilities on the main-thread side (lib/capabilities): request decoding, the allow-list, the
// manifests source (selectors, scope, RBAC for can_i), net (the system resolver), crypto (certificates made by
// openssl) and oci (a real docker-registry). No guest involved: test/e2e/host-capabilities.test.ts runs guests.

import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import * as jsyaml from 'js-yaml';
import { EXPIRED, NOT_TRUSTED, NOT_YET_VALID } from '../../../lib/capabilities/crypto';
import { ClusterSource, type ApiResource, type Cluster } from '../../../lib/capabilities/cluster-source';
import { ManifestsSource } from '../../../lib/capabilities/manifests-source';
import { OciCapability } from '../../../lib/capabilities/oci';
import { serveHostCall, sourcesBackend, type CallingPolicy } from '../../../lib/capabilities/service';
import type { KubeObject } from '../../../lib/manifests/types';
import { storeContext } from '../../../lib/store/fetch';
import { pushPolicy } from '../../../lib/store/push';
import { parseRegistryRef } from '../../../lib/store/ref';
import { fetchOpts, testHome, type TestHome } from '../../servers/registry/env';
import { registryAvailable, startRegistry, type TestRegistry } from '../../servers/registry/registry';
import { fixture, ROOT } from '../../support/cli';

const enc = new TextEncoder();
const dec = new TextDecoder();

const objects = (
  jsyaml.loadAll(readFileSync(fixture('guests', 'manifests', 'context.yaml'), 'utf8')) as KubeObject[]
).filter(Boolean);
// These tests exercise the backends: every capability is granted (grants are tested in test/unit/capabilities/grants.test.ts).
const GRANTED: CallingPolicy = {
  id: 'p',
  allowedHostCapabilities: ['*'],
  contextAwareResources: [
    { apiVersion: 'v1', kind: 'Namespace' },
    { apiVersion: 'v1', kind: 'Service' },
    { apiVersion: 'v1', kind: 'Pod' },
  ],
};

function backendWith(opts: { oci?: OciCapability } = {}) {
  return sourcesBackend({ kubernetes: new ManifestsSource(objects), oci: opts.oci ?? new OciCapability() });
}

/** One host call: the parsed JSON reply, or `{error}` with the host error text. */
async function call(
  namespace: string,
  operation: string,
  payload: unknown,
  o: { policy?: CallingPolicy; binding?: string; oci?: OciCapability } = {},
): Promise<unknown> {
  const body = typeof payload === 'string' && payload.startsWith('raw:') ? payload.slice(4) : JSON.stringify(payload);
  try {
    const bytes = await serveHostCall(
      backendWith(o),
      o.policy ?? GRANTED,
      o.binding ?? 'kubewarden',
      namespace,
      operation,
      enc.encode(body),
    );
    return JSON.parse(dec.decode(bytes)) as unknown;
  } catch (err) {
    return { error: (err as Error).message };
  }
}

const names = (list: unknown) =>
  (list as { items: KubeObject[] }).items.map((o) => `${o.metadata?.namespace ?? ''}/${o.metadata?.name}`);

describe('host capabilities: routing, allow-list and the manifests source', () => {
  it("unknown triples get policy-evaluator's texts; malformed Sigstore requests name what is wrong", async () => {
    assert.deepEqual(await call('oci', 'v1/manifest_digest', 'x', { binding: 'nope' }), {
      error: 'unknown binding: nope',
    });
    assert.deepEqual(await call('storage', 'x', {}), { error: 'unknown namespace: storage' });
    assert.deepEqual(await call('net', 'v2/dns_lookup_host', 'x'), { error: 'unknown operation: v2/dns_lookup_host' });
    assert.deepEqual(await call('pods', 'x', {}, { binding: 'kubernetes' }), { error: 'unknown namespace: pods' });
    // Verification itself is tested against a registry in test/e2e/verification.test.ts.
    assert.deepEqual(await call('oci', 'v2/verify', { type: 'SigstoreNotaryVerify', image: 'x' }), {
      error:
        'oci v2/verify: unknown variant "SigstoreNotaryVerify", expected one of `SigstorePubKeyVerify`, `SigstoreKeylessVerify`, `SigstoreKeylessPrefixVerify`, `SigstoreGithubActionsVerify`, `SigstoreCertificateVerify`',
    });
    assert.deepEqual(await call('oci', 'v1/verify', { SigstoreGithubActionsVerify: { image: 'x', owner: 'o' } }), {
      error: 'oci v1/verify: unknown variant, expected one of `SigstorePubKeyVerify`, `SigstoreKeylessVerify`',
    });
    assert.deepEqual(
      await call('oci', 'v2/verify', { type: 'SigstoreKeylessVerify', image: 'x', keyless: [], annotations: null }),
      {
        error: 'oci v2/verify: SigstoreKeylessVerify: `keyless` must not be empty',
      },
    );
  });

  it('malformed requests are host errors naming what is wrong', async () => {
    assert.deepEqual(await call('kubernetes', 'get_resource', { kind: 'Namespace', name: 'shop' }), {
      error: 'kubernetes get_resource: missing field `api_version` (a string)',
    });
    assert.match(
      ((await call('kubernetes', 'list_resources_all', 'raw:{nope')) as { error: string }).error,
      /^kubernetes list_resources_all: the request is not valid JSON: /,
    );
    assert.deepEqual(await call('net', 'v1/dns_lookup_host', { host: 'x' }), {
      error: 'net v1/dns_lookup_host: the request must be a JSON string (a host name)',
    });
  });

  it('list and get need the exact (apiVersion, kind) in contextAwareResources; can_i and the legacy bindings do not', async () => {
    const none: CallingPolicy = { id: 'p', allowedHostCapabilities: ['*'], contextAwareResources: [] };
    const refusal =
      'Policy has not been granted access to Kubernetes v1/Namespace resources. The violation has been reported.';
    assert.deepEqual(
      await call(
        'kubernetes',
        'get_resource',
        { api_version: 'v1', kind: 'Namespace', name: 'shop', disable_cache: false },
        { policy: none },
      ),
      { error: refusal },
    );
    assert.deepEqual(
      await call('kubernetes', 'list_resources_all', { api_version: 'v1', kind: 'Namespace' }, { policy: none }),
      { error: refusal },
    );
    const nearMiss: CallingPolicy = {
      id: 'p',
      allowedHostCapabilities: ['*'],
      contextAwareResources: [
        { apiVersion: 'core/v1', kind: 'Namespace' },
        { apiVersion: 'v1', kind: 'namespace' },
      ],
    };
    assert.deepEqual(
      await call('kubernetes', 'list_resources_all', { api_version: 'v1', kind: 'Namespace' }, { policy: nearMiss }),
      { error: refusal },
    );
    const legacy = await call('namespaces', 'anything', 'raw:ignored', { binding: 'kubernetes', policy: none });
    assert.deepEqual(names(legacy), ['/shop', '/bare', '/empty']);
    assert.equal((legacy as { kind: string }).kind, 'NamespaceList');
    const can = await call(
      'kubernetes',
      'can_i',
      {
        subject_access_review: {
          user: 'alice',
          resource_attributes: { namespace: 'shop', verb: 'get', resource: 'pods' },
        },
        disable_cache: false,
      },
      { policy: none },
    );
    assert.equal((can as { allowed: boolean }).allowed, true);
  });

  it('lists in the List shape with label and field selectors; by namespace refuses cluster-wide kinds', async () => {
    const all = await call('kubernetes', 'list_resources_all', { api_version: 'v1', kind: 'Service' });
    assert.deepEqual(all, {
      apiVersion: 'v1',
      kind: 'ServiceList',
      metadata: {},
      items: objects.filter((o) => o.kind === 'Service'),
    });
    assert.deepEqual(
      names(
        await call('kubernetes', 'list_resources_all', {
          api_version: 'v1',
          kind: 'Service',
          label_selector: 'app in (api,db)',
        }),
      ),
      ['bare/api'],
    );
    assert.deepEqual(
      names(
        await call('kubernetes', 'list_resources_all', {
          api_version: 'v1',
          kind: 'Service',
          label_selector: 'app!=api',
        }),
      ),
      ['shop/web'],
    );
    assert.deepEqual(
      names(
        await call('kubernetes', 'list_resources_all', {
          api_version: 'v1',
          kind: 'Pod',
          field_selector: 'metadata.namespace!=shop,metadata.name=lost',
        }),
      ),
      ['ghost/lost'],
    );
    assert.deepEqual(
      names(
        await call('kubernetes', 'list_resources_all', {
          api_version: 'v1',
          kind: 'Namespace',
          label_selector: '!team',
        }),
      ),
      ['/bare'],
    );
    assert.deepEqual(
      names(
        await call('kubernetes', 'list_resources_by_namespace', { api_version: 'v1', kind: 'Pod', namespace: 'empty' }),
      ),
      ['empty/lonely'],
    );
    assert.deepEqual(
      await call('kubernetes', 'list_resources_by_namespace', {
        api_version: 'v1',
        kind: 'Namespace',
        namespace: 'shop',
      }),
      {
        error: 'cannot list v1/Namespace in namespace shop: it is a cluster-wide resource (use list_resources_all)',
      },
    );
    assert.deepEqual(
      await call('kubernetes', 'list_resources_all', {
        api_version: 'v1',
        kind: 'Service',
        label_selector: 'app in (a',
      }),
      {
        error: 'invalid label selector "app in (a": cannot parse "app in (a"',
      },
    );
  });

  it("get_resource: found, not found with Rust's {:?} of the namespace, namespaced kind without a namespace", async () => {
    assert.equal(
      (
        (await call('kubernetes', 'get_resource', {
          api_version: 'v1',
          kind: 'Service',
          name: 'web',
          namespace: 'shop',
          disable_cache: true,
        })) as KubeObject
      ).metadata?.name,
      'web',
    );
    assert.deepEqual(
      await call('kubernetes', 'get_resource', {
        api_version: 'v1',
        kind: 'Service',
        name: 'web',
        namespace: 'bare',
        disable_cache: false,
      }),
      {
        error: `Cannot find v1/Service named 'web' inside of namespace 'Some("bare")'`,
      },
    );
    assert.deepEqual(
      await call('kubernetes', 'get_resource', {
        api_version: 'v1',
        kind: 'Namespace',
        name: 'ghost',
        disable_cache: false,
      }),
      {
        error: "Cannot find v1/Namespace named 'ghost' inside of namespace 'None'",
      },
    );
    assert.deepEqual(
      await call('kubernetes', 'get_resource', {
        api_version: 'v1',
        kind: 'Service',
        name: 'web',
        disable_cache: false,
      }),
      { error: 'v1/Service is namespaced: get_resource needs a namespace' },
    );
  });

  it('can_i from the RBAC objects of the input: bindings, ServiceAccounts, subresources, system:masters; both attribute spellings', async () => {
    const ask = (user: string, attrs: Record<string, string>, groups: string[] = [], key = 'resource_attributes') =>
      call('kubernetes', 'can_i', { subject_access_review: { user, groups, [key]: attrs }, disable_cache: false });
    assert.deepEqual(await ask('alice', { namespace: 'shop', verb: 'list', resource: 'pods' }), {
      allowed: true,
      reason:
        'RBAC: allowed by RoleBinding "alice-reads-pods" of Role "pod-reader" in namespace "shop" to User "alice"',
    });
    assert.deepEqual(
      await ask('alice', { namespace: 'shop', verb: 'list', resource: 'pods' }, [], 'resourceAttributes'),
      await ask('alice', { namespace: 'shop', verb: 'list', resource: 'pods' }),
    );
    assert.deepEqual(await ask('alice', { namespace: 'bare', verb: 'list', resource: 'pods' }), {
      allowed: false,
      reason: 'no RBAC rule in the input allows user "alice" to list pods in namespace "bare"',
    });
    assert.deepEqual(await ask('alice', { namespace: 'shop', verb: 'delete', resource: 'pods' }), {
      allowed: false,
      reason: 'no RBAC rule in the input allows user "alice" to delete pods in namespace "shop"',
    });
    const ci = await ask('system:serviceaccount:tools:ci', {
      namespace: 'shop',
      verb: 'patch',
      group: 'apps',
      resource: 'deployments',
      subresource: 'scale',
    });
    assert.deepEqual(ci, {
      allowed: true,
      reason: 'RBAC: allowed by ClusterRoleBinding "ci-deploys" of ClusterRole "deployer" to ServiceAccount "ci"',
    });
    assert.equal(
      (
        (await ask('system:serviceaccount:other:ci', { verb: 'get', group: 'apps', resource: 'deployments' })) as {
          allowed: boolean;
        }
      ).allowed,
      false,
    );
    assert.deepEqual(await ask('root', { verb: 'delete', resource: 'nodes' }, ['system:masters']), {
      allowed: true,
      reason: 'allowed: the user is in the group system:masters, which may do anything',
    });
    assert.deepEqual(await call('kubernetes', 'can_i', { subject_access_review: { user: 'a' } }), {
      error: 'kubernetes can_i: subject_access_review: missing field `resource_attributes` (an object)',
    });
  });

  it('the cluster adapter resolves through discovery and caches get and can_i for 5 s unless disable_cache', async () => {
    let now = 0;
    const calls: string[] = [];
    const ns: ApiResource = {
      group: '',
      version: 'v1',
      resource: 'namespaces',
      kind: 'Namespace',
      namespaced: false,
      verbs: ['get', 'list'],
    };
    const cluster: Cluster = {
      resolve: async (av, kind) => (av === 'v1' && kind === 'Namespace' ? ns : undefined),
      async *list(res, opts) {
        calls.push(`list ${res.resource} ${JSON.stringify(opts)}`);
        yield* objects.filter((o) => o.kind === 'Namespace');
      },
      get: async (res, name) => {
        calls.push(`get ${res.resource} ${name}`);
        return objects.find((o) => o.kind === 'Namespace' && o.metadata?.name === name);
      },
      subjectAccessReview: async (spec) => {
        calls.push(`sar ${spec.user}`);
        return { allowed: spec.user === 'admin' };
      },
    };
    const src = new ClusterSource(cluster, () => now);
    assert.equal(
      (await src.get({ apiVersion: 'v1', kind: 'Namespace', name: 'shop', disableCache: false }))?.metadata?.name,
      'shop',
    );
    await src.get({ apiVersion: 'v1', kind: 'Namespace', name: 'shop', disableCache: false });
    await src.get({ apiVersion: 'v1', kind: 'Namespace', name: 'shop', disableCache: true });
    now = 5001;
    await src.get({ apiVersion: 'v1', kind: 'Namespace', name: 'shop', disableCache: false });
    const review = { user: 'admin', groups: [], resourceAttributes: { verb: 'get', resource: 'pods' } };
    assert.deepEqual(await src.canI(review, false), { allowed: true });
    await src.canI(review, false);
    assert.equal((await src.listAll({ apiVersion: 'v1', kind: 'Namespace', labelSelector: 'team' })).length, 3);
    await assert.rejects(
      src.listAll({ apiVersion: 'v9', kind: 'Nope' }),
      /Cannot find the Kubernetes resource v9\/Nope: the cluster does not serve it/,
    );
    await assert.rejects(
      src.listByNamespace({ apiVersion: 'v1', kind: 'Namespace', namespace: 'x' }),
      /cluster-wide resource/,
    );
    assert.deepEqual(calls, [
      'get namespaces shop',
      'get namespaces shop',
      'get namespaces shop',
      'sar admin',
      'list namespaces {"labelSelector":"team"}',
    ]);
  });
});

describe('host capabilities: net and crypto', function () {
  this.timeout(30_000);
  let dir: string;
  const pem = (f: string) => Array.from(readFileSync(path.join(dir, f)));
  const cert = (f: string) => ({ encoding: 'Pem', data: pem(f) });
  const openssl = (args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  const EC = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];

  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wasmpolicy-crypto-'));
    const ca = (name: string) =>
      openssl([
        'req',
        '-x509',
        ...EC,
        '-keyout',
        `${name}.key`,
        '-out',
        `${name}.pem`,
        '-days',
        '30',
        '-subj',
        `/CN=${name}`,
        '-addext',
        'basicConstraints=critical,CA:TRUE',
        '-addext',
        'keyUsage=critical,keyCertSign,cRLSign',
      ]);
    ca('root');
    ca('other-root');
    writeFileSync(
      path.join(dir, 'ca.ext'),
      'basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n',
    );
    writeFileSync(path.join(dir, 'leaf.ext'), 'basicConstraints=CA:FALSE\nsubjectAltName=DNS:leaf.test\n');
    openssl(['req', '-new', ...EC, '-keyout', 'inter.key', '-out', 'inter.csr', '-subj', '/CN=intermediate']);
    openssl([
      'x509',
      '-req',
      '-in',
      'inter.csr',
      '-CA',
      'root.pem',
      '-CAkey',
      'root.key',
      '-set_serial',
      '2',
      '-out',
      'inter.pem',
      '-days',
      '20',
      '-extfile',
      'ca.ext',
    ]);
    openssl(['req', '-new', ...EC, '-keyout', 'leaf.key', '-out', 'leaf.csr', '-subj', '/CN=leaf.test']);
    openssl([
      'x509',
      '-req',
      '-in',
      'leaf.csr',
      '-CA',
      'inter.pem',
      '-CAkey',
      'inter.key',
      '-set_serial',
      '3',
      '-out',
      'leaf.pem',
      '-days',
      '10',
      '-extfile',
      'leaf.ext',
    ]);
    openssl(['x509', '-in', 'leaf.pem', '-outform', 'DER', '-out', 'leaf.der']);
    // A certificate valid only from 2099: `openssl ca` can set the start date.
    writeFileSync(path.join(dir, 'index.txt'), '');
    writeFileSync(
      path.join(dir, 'ca.cnf'),
      '[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\n[p]\ncommonName=supplied\n',
    );
    writeFileSync(path.join(dir, 'serial'), '10\n');
    openssl([
      'ca',
      '-batch',
      '-config',
      'ca.cnf',
      '-cert',
      'inter.pem',
      '-keyfile',
      'inter.key',
      '-in',
      'leaf.csr',
      '-out',
      'future.pem',
      '-startdate',
      '20990101000000Z',
      '-enddate',
      '20991231000000Z',
      '-notext',
      '-extfile',
      'leaf.ext',
    ]);
  });

  after(() => rmSync(dir, { recursive: true, force: true }));

  const trusted = (req: unknown) => call('crypto', 'v1/is_certificate_trusted', req);

  it('a chain whose last entry is the root: trusted (PEM and DER); another root: not trusted', async () => {
    assert.deepEqual(
      await trusted({ cert: cert('leaf.pem'), cert_chain: [cert('inter.pem'), cert('root.pem')], not_after: null }),
      { trusted: true, reason: '' },
    );
    assert.deepEqual(
      await trusted({
        cert: { encoding: 'Der', data: pem('leaf.der') },
        cert_chain: [cert('inter.pem'), cert('root.pem')],
        not_after: '',
      }),
      { trusted: true, reason: '' },
    );
    assert.deepEqual(
      await trusted({
        cert: cert('leaf.pem'),
        cert_chain: [cert('inter.pem'), cert('other-root.pem')],
        not_after: null,
      }),
      { trusted: false, reason: NOT_TRUSTED },
    );
    assert.deepEqual(
      await trusted({ cert: cert('leaf.pem'), cert_chain: [cert('root.pem')], not_after: null }),
      { trusted: false, reason: NOT_TRUSTED },
      'the intermediate is missing',
    );
    assert.deepEqual(
      await trusted({ cert: cert('leaf.pem'), cert_chain: null, not_after: null }),
      { trusted: false, reason: NOT_TRUSTED },
      'not under the Mozilla roots',
    );
  });

  it('expired at not_after, not yet valid now; bad input is a host error', async () => {
    const chain = [cert('inter.pem'), cert('root.pem')];
    const later = new Date(Date.now() + 60 * 86400_000).toISOString();
    assert.deepEqual(await trusted({ cert: cert('leaf.pem'), cert_chain: chain, not_after: later }), {
      trusted: false,
      reason: EXPIRED,
    });
    assert.deepEqual(await trusted({ cert: cert('future.pem'), cert_chain: chain, not_after: null }), {
      trusted: false,
      reason: NOT_YET_VALID,
    });
    assert.deepEqual(await trusted({ cert: cert('leaf.pem'), cert_chain: chain, not_after: 'tomorrow' }), {
      error: 'Timestamp not_after is not in RFC3339 format',
    });
    assert.match(
      ((await trusted({ cert: { encoding: 'Pem', data: [1, 2, 3] }, cert_chain: null })) as { error: string }).error,
      /^cert is not a valid PEM certificate: /,
    );
    assert.deepEqual(await trusted({ cert: { encoding: 'Pem', data: 'abc' } }), {
      error: 'crypto v1/is_certificate_trusted: cert.data must be a list of bytes (numbers 0-255)',
    });
  });

  it('dns_lookup_host answers every address of localhost; an unknown host is a host error', async () => {
    const r = (await call('net', 'v1/dns_lookup_host', 'localhost')) as { ips: string[] };
    assert.ok(r.ips.length >= 1 && r.ips.every((ip) => ip === '::1' || ip.startsWith('127.')), JSON.stringify(r));
    assert.deepEqual(await call('net', 'v1/dns_lookup_host', 'no-such-host.invalid'), {
      error: 'cannot resolve no-such-host.invalid: ENOTFOUND',
    });
  });
});

describe('host capabilities: oci against a real registry', function () {
  this.timeout(60_000);
  let reg: TestRegistry;
  let home: TestHome;
  let oci: OciCapability;
  let pushedDigest: string;
  let repo: string;

  before(async function () {
    if (!registryAvailable())
      throw new Error('these tests need the Debian docker-registry package: apt-get install -y docker-registry');
    reg = await startRegistry();
    home = testHome();
    home.writeSources({ insecure_sources: [reg.host] });
    repo = `${reg.host}/tests/policy`;
    const wasm = readFileSync(path.join(ROOT, 'dist/plugins/pss-privileged.wasm'));
    pushedDigest = (await pushPolicy(wasm, `registry://${repo}:v1`, fetchOpts(home))).manifestDigest;
    oci = new OciCapability(fetchOpts(home));
  });

  after(async () => {
    await reg?.stop();
    if (home) rmSync(home.dir, { recursive: true, force: true });
  });

  it('manifest_digest, oci_manifest and oci_manifest_config of an image manifest', async () => {
    assert.deepEqual(await call('oci', 'v1/manifest_digest', `${repo}:v1`, { oci }), { digest: pushedDigest });
    const manifest = (await call('oci', 'v1/oci_manifest', `${repo}:v1`, { oci })) as {
      mediaType: string;
      layers: { mediaType: string }[];
    };
    assert.equal(manifest.mediaType, 'application/vnd.oci.image.manifest.v1+json');
    assert.equal(manifest.layers[0].mediaType, 'application/vnd.wasm.content.layer.v1+wasm');
    assert.deepEqual(await call('oci', 'v1/oci_manifest_config', `${repo}@${pushedDigest}`, { oci }), {
      manifest,
      digest: pushedDigest,
      config: {},
    });
  });

  it("oci_manifest returns an image index as it is; its config is a host error; an unknown tag is the registry's error", async () => {
    const client = await storeContext(fetchOpts(home)).client();
    const index = {
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        {
          mediaType: 'application/vnd.oci.image.manifest.v1+json',
          digest: pushedDigest,
          size: 1,
          platform: { architecture: 'wasm', os: 'wasip1' },
        },
      ],
    };
    const size = (await client.manifestDocument(parseRegistryRef(`${repo}@${pushedDigest}`))).body.length;
    index.manifests[0].size = size;
    await client.pushManifest(parseRegistryRef(`${repo}:multi`), enc.encode(JSON.stringify(index)), index.mediaType);
    assert.deepEqual(await call('oci', 'v1/oci_manifest', `${repo}:multi`, { oci }), index);
    assert.deepEqual(await call('oci', 'v1/oci_manifest_config', `${repo}:multi`, { oci }), {
      error: `${repo}:multi is an image index, not an image manifest: it has no config`,
    });
    assert.match(
      ((await call('oci', 'v1/manifest_digest', `${repo}:missing`, { oci })) as { error: string }).error,
      new RegExp(`^registry://${repo.replace(/\./g, '\\.')}:missing: `),
    );
  });

  it('--pull never: no registry is contacted, the policy gets a host error saying why', async () => {
    const offline = new OciCapability({ ...fetchOpts(home), pull: 'never' });
    assert.deepEqual(await call('oci', 'v1/manifest_digest', `${repo}:v1`, { oci: offline }), {
      error: `${repo}:v1: --pull never: the oci capability does not contact registries (replay a session recorded online with --replay-host-capabilities-interactions)`,
    });
  });

  it('image references are normalised like Docker, and answers are cached for a minute', async () => {
    assert.deepEqual(parseRegistryRef('busybox'), {
      registry: 'docker.io',
      repository: 'library/busybox',
      tag: 'latest',
      implicitTag: true,
    });
    let now = 0;
    const cached = new OciCapability(fetchOpts(home), () => now);
    const first = (await cached.answer('v1/manifest_digest', `${repo}:v1`)) as { digest: string };
    const client = await storeContext(fetchOpts(home)).client();
    await client.pushManifest(
      parseRegistryRef(`${repo}:v1`),
      enc.encode(
        JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests: [] }),
      ),
      'application/vnd.oci.image.index.v1+json',
    );
    assert.deepEqual(await cached.answer('v1/manifest_digest', `${repo}:v1`), first, 'within 60 s: the cached answer');
    now = 60_001;
    assert.notEqual(
      ((await cached.answer('v1/manifest_digest', `${repo}:v1`)) as { digest: string }).digest,
      first.digest,
      'after 60 s: asked again',
    );
  });
});
