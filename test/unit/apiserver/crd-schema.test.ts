import { strict as assert } from 'node:assert';
import type { JsonObject } from '../../../lib/apiserver/context';
import { findCrdVersion } from '../../../lib/apiserver/crd-schema';
import { apiServerStage, type StageOptions } from '../../../lib/apiserver/stage';

// Custom resources of a CRD in the input: pruning and defaults of its structural schema
// (apiextensions-apiserver customresource_handler.go) and its status subresource (customresource/strategy.go).
const CRD = {
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: 'widgets.example.com' },
  spec: {
    group: 'example.com',
    names: { kind: 'Widget', plural: 'widgets' },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        subresources: { status: {} },
        schema: {
          openAPIV3Schema: {
            type: 'object',
            properties: {
              spec: {
                type: 'object',
                properties: {
                  size: { type: 'integer', default: 3 },
                  labels: { type: 'object', additionalProperties: { type: 'string' } },
                  free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
                },
              },
              status: { type: 'object', properties: { ready: { type: 'boolean' } } },
            },
          },
        },
      },
    ],
  },
};
const TARGET = { group: 'example.com', version: 'v1', kind: 'Widget', resource: 'widgets', namespaced: true };
const OPTS: StageOptions = {
  kubernetesVersion: '1.35',
  validate: 'strict',
  applyMode: 'client',
  defaultNamespace: 'default',
  operation: 'CREATE',
  now: new Date(0),
};
const crd = findCrdVersion([CRD], 'example.com', 'v1', 'Widget')!;
const widget = (spec: JsonObject): JsonObject => ({
  apiVersion: 'example.com/v1',
  kind: 'Widget',
  metadata: { name: 'w' },
  spec,
  status: { ready: true },
});

describe('apiserver: custom resources and their CRD schema', () => {
  it('finds the version and its status subresource', () => {
    assert.equal(crd.statusSubresource, true);
    assert.equal(findCrdVersion([CRD], 'example.com', 'v2', 'Widget'), undefined);
  });

  it('applies schema defaults and keeps what additionalProperties and x-kubernetes-preserve-unknown-fields allow', () => {
    const out = apiServerStage(widget({ labels: { a: 'b' }, free: { anything: [1] } }), TARGET, { ...OPTS, crd });
    assert.ok(out.ok);
    assert.deepEqual(out.mutating.spec, { labels: { a: 'b' }, free: { anything: [1] }, size: 3 });
  });

  it('reports unknown fields as the API server does under strict, prunes them otherwise', () => {
    const strict = apiServerStage(widget({ colour: 'red' }), TARGET, { ...OPTS, crd });
    assert.ok(!strict.ok);
    assert.equal(
      strict.message,
      'Widget in version "v1" cannot be handled as a Widget: strict decoding error: unknown field "spec.colour"',
    );
    const ignore = apiServerStage(widget({ colour: 'red' }), TARGET, { ...OPTS, crd, validate: 'ignore' });
    assert.ok(ignore.ok);
    assert.deepEqual(ignore.mutating.spec, { size: 3 });
  });

  it('drops status (a subresource) and sets generation 1 for validating policies only', () => {
    const out = apiServerStage(widget({}), TARGET, { ...OPTS, crd });
    assert.ok(out.ok);
    assert.deepEqual(out.mutating.status, { ready: true });
    const v = out.validating(out.mutating);
    assert.ok(v.ok);
    assert.equal(v.object.status, undefined);
    assert.equal((v.object.metadata as JsonObject).generation, 1);
  });
});
