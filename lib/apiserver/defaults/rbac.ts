/** rbac.authorization.k8s.io/v1 defaults: kubernetes pkg/apis/rbac/v1/defaults.go. */
import type { JsonObject } from '../context';
import { children, ensureChild, isUnset, setDefault } from './json';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** SetDefaults_RoleBinding / SetDefaults_ClusterRoleBinding and SetDefaults_Subject. */
export function defaultRoleBinding(obj: JsonObject): void {
  setDefault(ensureChild(obj, 'roleRef'), 'apiGroup', RBAC_GROUP);
  for (const subject of children(obj, 'subjects')) {
    if (!isUnset(subject.apiGroup)) continue;
    if (subject.kind === 'User' || subject.kind === 'Group') subject.apiGroup = RBAC_GROUP;
    // ServiceAccount subjects keep the empty group, which omitempty leaves out.
  }
}
