import assert from 'node:assert/strict';
import { gateEnabled } from '../../../../lib/apiserver/defaults/feature-gates';

// pkg/features/kube_features.go defaultVersionedKubernetesFeatureGates.
describe('apiserver defaults: feature gates per version [pkg/features/kube_features.go]', () => {
  const table: Array<[string, boolean, boolean, boolean]> = [
    ['ImageVolume', false, false, true],
    ['PodLevelResources', false, true, true],
    ['MaxUnavailableStatefulSet', false, false, true],
    ['EnvFiles', false, false, true],
    ['HPAConfigurableTolerance', false, false, true],
    ['DynamicResourceAllocation', false, true, true],
    ['VolumeAttributesClass', false, true, true],
    ['ContainerStopSignals', false, false, false],
  ];
  for (const [gate, v133, v134, v135] of table) {
    it(`${gate}: 1.33 ${v133}, 1.34 ${v134}, 1.35 ${v135}`, () => {
      assert.equal(gateEnabled({ kubernetesVersion: '1.33', featureGates: {} }, gate), v133);
      assert.equal(gateEnabled({ kubernetesVersion: '1.34', featureGates: {} }, gate), v134);
      assert.equal(gateEnabled({ kubernetesVersion: '1.35', featureGates: {} }, gate), v135);
    });
  }
  it('an explicit setting wins over the version default', () => {
    assert.equal(gateEnabled({ kubernetesVersion: '1.33', featureGates: { ImageVolume: true } }, 'ImageVolume'), true);
  });
  it('an unknown gate is a programming error', () => {
    assert.throws(() => gateEnabled({ kubernetesVersion: '1.35', featureGates: {} }, 'NoSuchGate'), /NoSuchGate/);
  });
});
