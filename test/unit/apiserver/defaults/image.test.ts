import assert from 'node:assert/strict';
import { defaultPullPolicy } from '../../../../lib/apiserver/defaults/image';

// pkg/apis/core/v1/defaults.go SetDefaults_Container via pkg/util/parsers ParseImageName.
const table: Array<[string, 'Always' | 'IfNotPresent']> = [
  ['nginx', 'Always'],
  ['nginx:latest', 'Always'],
  ['nginx:1.27', 'IfNotPresent'],
  ['registry:5000/app', 'Always'],
  ['registry:5000/app:v1', 'IfNotPresent'],
  [`nginx@sha256:${'a'.repeat(64)}`, 'IfNotPresent'],
  [`nginx:latest@sha256:${'a'.repeat(64)}`, 'Always'],
  ['Nginx', 'IfNotPresent'],
  ['', 'IfNotPresent'],
  ['ghcr.io/Org/app', 'IfNotPresent'],
  ['localhost/app', 'Always'],
  [`nginx@sha256:${'a'.repeat(10)}`, 'IfNotPresent'],
];

describe('apiserver defaults: image pull policy [pkg/apis/core/v1/defaults.go SetDefaults_Container]', () => {
  for (const [image, policy] of table)
    it(`${JSON.stringify(image)} → ${policy}`, () => assert.equal(defaultPullPolicy(image), policy));
});
