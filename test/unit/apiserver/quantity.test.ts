import { strict as assert } from 'node:assert';
import { canonicalQuantity, QuantityError, roundUpToMilli } from '../../../lib/apiserver/quantity';

// The table of docs/admission-path.md (resource.Quantity: k8s.io/apimachinery pkg/api/resource/quantity.go;
// resource-list rounding: SetDefaults_ResourceList in pkg/apis/core/v1/defaults.go).
const TABLE: [input: string, plain: string, resourceList: string][] = [
  ['1', '1', '1'],
  ['0.5', '500m', '500m'],
  ['1.0', '1', '1'],
  ['1000m', '1', '1'],
  ['1500m', '1500m', '1500m'],
  ['2000m', '2', '2'],
  ['0.1', '100m', '100m'],
  ['0.001', '1m', '1m'],
  ['0.0001', '100u', '1m'],
  ['0.1m', '100u', '1m'],
  ['1.5m', '1500u', '2m'],
  ['2.5', '2500m', '2500m'],
  ['1000', '1k', '1k'],
  ['1200', '1200', '1200'],
  ['1000M', '1G', '1G'],
  ['1e3', '1e3', '1e3'],
  ['1.5e3', '1500', '1500'],
  ['12e6', '12e6', '12e6'],
  ['1E3', '1E3', '1E3'],
  ['1Ki', '1Ki', '1Ki'],
  ['1024', '1024', '1024'],
  ['1024Ki', '1Mi', '1Mi'],
  ['1024Mi', '1Gi', '1Gi'],
  ['1.5Gi', '1536Mi', '1536Mi'],
  ['0.5Gi', '512Mi', '512Mi'],
  ['1.0Gi', '1Gi', '1Gi'],
  ['1.5Ki', '1536', '1536'],
  ['1.1Gi', '1181116006400m', '1181116006400m'],
  ['500Mi', '500Mi', '500Mi'],
  ['128Mi', '128Mi', '128Mi'],
  ['8Gi', '8Gi', '8Gi'],
  ['0', '0', '0'],
  ['0m', '0', '0'],
  ['0Gi', '0', '0'],
  ['128974848', '128974848', '128974848'],
];

describe('apiserver: quantities (spec table)', () => {
  for (const [input, plain, list] of TABLE) {
    it(`${JSON.stringify(input)} → ${plain} / in a resource list ${list}`, () => {
      assert.equal(canonicalQuantity(input), plain);
      assert.equal(roundUpToMilli(input), list);
    });
  }

  it('a JSON number is read from its literal, as the API server reads the raw bytes', () => {
    assert.equal(canonicalQuantity(String(0.5)), '500m');
    assert.equal(canonicalQuantity(String(1000)), '1k');
    assert.equal(canonicalQuantity(' 2 '), '2');
  });

  it('rejects text that is not a quantity', () => {
    assert.throws(() => canonicalQuantity('abc'), QuantityError);
    assert.throws(() => canonicalQuantity('1Xi'), QuantityError);
    assert.throws(() => canonicalQuantity(''), QuantityError);
  });
});
