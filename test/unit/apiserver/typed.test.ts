import { strict as assert } from 'node:assert';
import type { JsonObject } from '../../../lib/apiserver/context';
import { schemaTable } from '../../../lib/apiserver/schema-table';
import { decodeTyped } from '../../../lib/apiserver/typed';

// What the API server's typed decode and encode (sigs.k8s.io/json strict decoding, encoding/json of the
// k8s.io/api types) make of manifests as people write them.
const t135 = schemaTable('1.35');
const decode = (obj: JsonObject, version: '1.33' | '1.34' | '1.35' = '1.35') => {
  const table = schemaTable(version);
  return decodeTyped(obj, table.kind(String(obj.apiVersion), String(obj.kind))!, table);
};
const deployment = (container: JsonObject, spec: JsonObject = {}): JsonObject => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'web' },
  spec: {
    selector: { matchLabels: { app: 'web' } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: { containers: [{ name: 'web', image: 'nginx', ...container }] },
    },
    ...spec,
  },
});

describe('apiserver: typed decode and encode', () => {
  it('writes quantities canonically: cpu 0.5 (a YAML number) becomes "500m", 1.5Gi becomes "1536Mi"', () => {
    const out = decode(deployment({ resources: { limits: { cpu: 0.5, memory: '1.5Gi' } } }));
    const c = ((out.value!.spec as JsonObject).template as JsonObject).spec as JsonObject;
    assert.deepEqual((c.containers as JsonObject[])[0].resources, { limits: { cpu: '500m', memory: '1536Mi' } });
  });

  it('always writes non-pointer structs: resources {}, status {}, strategy {}, template metadata {}', () => {
    const out = decode(deployment({}, { template: { spec: { containers: [{ name: 'web', image: 'nginx' }] } } }));
    const v = out.value!;
    assert.deepEqual(v.status, {});
    const spec = v.spec as JsonObject;
    assert.deepEqual(spec.strategy, {});
    assert.deepEqual((spec.template as JsonObject).metadata, {});
    assert.deepEqual((((spec.template as JsonObject).spec as JsonObject).containers as JsonObject[])[0].resources, {});
  });

  it('writes the zero counters of status structs (StatefulSet: replicas and availableReplicas)', () => {
    const out = decode({
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: { name: 's' },
      spec: { selector: {}, template: { spec: { containers: [] } } },
    });
    assert.deepEqual(out.value!.status, { replicas: 0, availableReplicas: 0 });
  });

  it('drops zero values omitempty drops (hostNetwork: false), keeps explicit zeros of pointer fields (automountServiceAccountToken: false)', () => {
    const out = decode({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'p', labels: {} },
      spec: {
        hostNetwork: false,
        automountServiceAccountToken: false,
        containers: [{ name: 'c', image: 'i', args: [] }],
      },
    });
    const spec = out.value!.spec as JsonObject;
    assert.equal('hostNetwork' in spec, false);
    assert.equal(spec.automountServiceAccountToken, false);
    assert.equal('args' in (spec.containers as JsonObject[])[0], false);
    assert.equal('labels' in (out.value!.metadata as JsonObject), false);
  });

  it('omits a zero creationTimestamp from 1.34 on, writes null before', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: { containers: [] } };
    assert.equal('creationTimestamp' in (decode(pod).value!.metadata as JsonObject), false);
    assert.equal((decode(pod, '1.33').value!.metadata as JsonObject).creationTimestamp, null);
  });

  it('keeps int-or-string as given and times in UTC whole seconds', () => {
    const out = decode(deployment({}, { strategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' } } }));
    assert.deepEqual((out.value!.spec as JsonObject).strategy, {
      rollingUpdate: { maxSurge: 1, maxUnavailable: '25%' },
    });
    const ev = decode({
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'e', creationTimestamp: '2024-06-01T14:00:00.5+02:00' },
      involvedObject: {},
    });
    assert.equal((ev.value!.metadata as JsonObject).creationTimestamp, '2024-06-01T12:00:00Z');
  });

  it('writes bytes in canonical base64 and rejects what is not base64', () => {
    const ok = decode({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'aGVs\nbG8=' } });
    assert.deepEqual(ok.value!.data, { a: 'aGVsbG8=' });
    const bad = decode({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, data: { a: 'not base64!' } });
    assert.match(bad.error!.message, /illegal base64 data at input byte 3/);
    assert.deepEqual(bad.error!.path, ['data', 'a']);
  });

  it('reports unknown fields with their paths and drops them', () => {
    const out = decode(deployment({ imagePullPolcy: 'Always' }));
    assert.deepEqual(out.unknown, [['spec', 'template', 'spec', 'containers', 0, 'imagePullPolcy']]);
    const c = (
      (((out.value!.spec as JsonObject).template as JsonObject).spec as JsonObject).containers as JsonObject[]
    )[0];
    assert.equal('imagePullPolcy' in c, false);
  });

  it('fails on wrong types with encoding/json wording', () => {
    assert.equal(
      decode(deployment({}, { replicas: 3.5 })).error!.message,
      'json: cannot unmarshal number 3.5 into Go struct field DeploymentSpec.spec.replicas of type int32',
    );
    const labels = decode({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'c', labels: { on: true } } });
    assert.equal(
      labels.error!.message,
      'json: cannot unmarshal bool into Go struct field ObjectMeta.metadata.labels of type string',
    );
    assert.deepEqual(labels.error!.path, ['metadata', 'labels', 'on']);
  });

  it('keeps the kinds of every supported version apart (a 1.35 field is unknown to 1.33)', () => {
    assert.ok(t135.kind('resource.k8s.io/v1', 'ResourceClaim'));
    assert.equal(schemaTable('1.33').kind('resource.k8s.io/v1', 'ResourceClaim'), undefined);
  });
});
