import assert from 'node:assert/strict';
import { addQuantities, compareQuantities, isPositiveQuantity } from '../../../../lib/apiserver/defaults/quantity-math';

// k8s.io/apimachinery pkg/api/resource/quantity.go Quantity.Add, Quantity.Cmp.
describe('apiserver defaults: quantity arithmetic [apimachinery resource/quantity.go Add, Cmp]', () => {
  const sums: Array<[string, string, string]> = [
    ['500m', '250m', '750m'],
    ['500m', '500m', '1'],
    ['1Gi', '512Mi', '1536Mi'],
    ['1Gi', '1Gi', '2Gi'],
    ['100M', '1G', '1100M'],
    ['1e3', '1e3', '2e3'],
    ['0.5', '0.25', '750m'],
  ];
  for (const [a, b, sum] of sums) it(`${a} + ${b} = ${sum}`, () => assert.equal(addQuantities(a, b), sum));
  it('compares across formats', () => {
    assert.equal(compareQuantities('1Gi', '1073741824'), 0);
    assert.equal(compareQuantities('1', '999m'), 1);
    assert.equal(compareQuantities('1k', '1Ki'), -1);
  });
  it('positive', () => {
    assert.equal(isPositiveQuantity('0'), false);
    assert.equal(isPositiveQuantity('1m'), true);
    assert.equal(isPositiveQuantity('-1'), false);
  });
});
