import { BUNDLED_SCHEME, bundledPolicyNames } from '../store/bundled';
import type { PolicySpec } from './spec';

/** The default policy set: every bundled policy, protect mode, default settings. */
export function bundledPolicySet(): PolicySpec[] {
  return bundledPolicyNames().map((name) => ({
    id: name,
    module: `${BUNDLED_SCHEME}${name}`,
    settings: {},
    mode: 'protect',
    origin: 'bundled set',
  }));
}
