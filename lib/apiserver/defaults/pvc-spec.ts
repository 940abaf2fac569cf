/**
 * SetDefaults_PersistentVolumeClaimSpec (kubernetes pkg/apis/core/v1/defaults.go) and the resource rounding
 * the generated code applies to it; shared by PVCs, StatefulSet volumeClaimTemplates and ephemeral volumes.
 */
import type { JsonObject } from '../context';
import { setDefault } from './json';
import { roundResourceRequirements } from './resource-lists';

export function defaultPersistentVolumeClaimSpec(spec: JsonObject): void {
  setDefault(spec, 'volumeMode', 'Filesystem');
  roundResourceRequirements(spec);
}
