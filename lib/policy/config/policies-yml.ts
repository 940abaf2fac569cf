import type { PolicyEntry, PolicyGroupMember, PolicyGroupSpec, PolicySpec } from '../spec';
import { normaliseModule, readContextAwareResources, readSettings } from './common';
import { checkExpression } from './crd';
import type { FieldReader } from './fields';

/** Fields of a single policy in policies.yml (PS src/config.rs). */
const SINGLE_FIELDS = [
  'module',
  'policyMode',
  'allowedToMutate',
  'settings',
  'contextAwareResources',
  'message',
  'timeoutEvalSeconds',
  'namespacedName',
  'hostCapabilities',
];
const GROUP_FIELDS = ['policyMode', 'expression', 'message', 'policies', 'namespacedName'];
const MEMBER_FIELDS = ['module', 'settings', 'contextAwareResources', 'timeoutEvalSeconds'];

/**
 * Reads a policy-server `policies.yml` document: a mapping of policy ids to single policies or groups (a group
 * is told apart by its `policies` key). No webhook configuration comes with it, so each policy sees every
 * request its module's metadata rules allow, like a `-p` policy.
 */
export function readPoliciesYml(r: FieldReader, doc: Record<string, unknown>): PolicyEntry[] {
  const out: PolicyEntry[] = [];
  for (const [id, value] of Object.entries(doc)) {
    const at = [id];
    const er = r.with('policies.yml', []);
    if (id.includes('/')) er.fail(at, 'a policy id may not contain "/" (it becomes the URL path /validate/<id>)');
    const m = er.mapping(value, at, true);
    if (!m) continue;
    const origin = `${r.file}:${r.line(at)} (policies.yml ${id})`;
    const mode = er.oneOf(m.policyMode, [id, 'policyMode'], ['protect', 'monitor'] as const, 'protect');
    if (m.namespacedName !== undefined)
      er.ignore(
        [id, 'namespacedName'],
        'it only names the resource the Kubewarden controller generated the entry from',
        false,
      );
    if ('policies' in m) {
      er.unknownFields(m, at, GROUP_FIELDS, 'warning', ' (policy-server ignores it)');
      const expression = er.string(m.expression, [id, 'expression'], true);
      const message = er.string(m.message, [id, 'message'], true);
      const membersMap = er.mapping(m.policies, [id, 'policies'], true);
      const members: PolicyGroupMember[] = [];
      for (const [name, mv] of Object.entries(membersMap ?? {})) {
        const mat = [id, 'policies', name];
        const mm = er.mapping(mv, mat, true);
        if (!mm) continue;
        // policy-server: deny_unknown_fields on group members.
        er.unknownFields(mm, mat, MEMBER_FIELDS, 'error');
        const module = er.string(mm.module, [...mat, 'module'], true);
        const settings = readSettings(er, mm.settings, [...mat, 'settings']);
        const timeoutEvalSeconds = er.int(mm.timeoutEvalSeconds, [...mat, 'timeoutEvalSeconds'], 1, 3600);
        const car = readContextAwareResources(er, mm.contextAwareResources, [...mat, 'contextAwareResources']);
        if (module === undefined) continue;
        const member: PolicyGroupMember = { name, module: normaliseModule(er, module, [...mat, 'module']), settings };
        if (timeoutEvalSeconds !== undefined) member.timeoutEvalSeconds = timeoutEvalSeconds;
        // policy-server grants a policy from its configuration only what the configuration lists.
        member.contextAwareResources = car ?? [];
        members.push(member);
      }
      if (membersMap && Object.keys(membersMap).length === 0)
        er.fail([id, 'policies'], 'a group needs at least one member');
      if (expression !== undefined && membersMap)
        checkExpression(er, expression, Object.keys(membersMap), [id, 'expression']);
      if (expression === undefined || message === undefined || !membersMap) continue;
      const group: PolicyGroupSpec = { kind: 'group', id, mode, expression, message, members, origin };
      out.push(group);
      continue;
    }
    er.unknownFields(m, at, SINGLE_FIELDS, 'warning', ' (policy-server ignores it)');
    const module = er.string(m.module, [id, 'module'], true);
    const settings = readSettings(er, m.settings, [id, 'settings']);
    const allowedToMutate = er.bool(m.allowedToMutate, [id, 'allowedToMutate']) ?? false;
    const message = er.string(m.message, [id, 'message']);
    const timeoutEvalSeconds = er.int(m.timeoutEvalSeconds, [id, 'timeoutEvalSeconds'], 1, 3600);
    const car = readContextAwareResources(er, m.contextAwareResources, [id, 'contextAwareResources']);
    if (m.hostCapabilities !== undefined)
      er.ignore(
        [id, 'hostCapabilities'],
        'the per-policy host capability list is not enforced (policy-server does not enforce it either)',
        true,
      );
    if (module === undefined) continue;
    const spec: PolicySpec = {
      id,
      module: normaliseModule(er, module, [id, 'module']),
      settings,
      mode,
      allowedToMutate,
      origin,
    };
    if (message) spec.message = message;
    if (timeoutEvalSeconds !== undefined) spec.timeoutEvalSeconds = timeoutEvalSeconds;
    spec.contextAwareResources = car ?? [];
    out.push(spec);
  }
  return out;
}
