/** The `io.kubewarden.metadata` custom section: its model, defaults and validation (docs/host-interface.md §3). */

export const METADATA_SECTION = 'io.kubewarden.metadata';

export type ExecutionMode = 'kubewarden-wapc' | 'opa' | 'gatekeeper' | 'wasi';
export const EXECUTION_MODES: readonly ExecutionMode[] = ['kubewarden-wapc', 'opa', 'gatekeeper', 'wasi'];

export interface PolicyRule {
  apiGroups: string[];
  apiVersions: string[];
  resources: string[];
  operations: string[];
  scope?: string;
}

export interface ContextAwareResource {
  apiVersion: string;
  kind: string;
}

export interface PolicyMetadata {
  protocolVersion?: 'v1' | 'Unknown';
  rules: PolicyRule[];
  annotations: Record<string, string>;
  mutating: boolean;
  backgroundAudit: boolean;
  executionMode: ExecutionMode;
  policyType: 'kubernetes' | 'raw';
  contextAwareResources: ContextAwareResource[];
  minimumKubewardenVersion?: string;
}

export const ANNOTATION = {
  title: 'io.kubewarden.policy.title',
  description: 'io.kubewarden.policy.description',
  severity: 'io.kubewarden.policy.severity',
  category: 'io.kubewarden.policy.category',
  version: 'io.kubewarden.policy.version',
  usage: 'io.kubewarden.policy.usage',
  source: 'io.kubewarden.policy.source',
} as const;

const OPERATIONS = new Set(['CREATE', 'UPDATE', 'DELETE', 'CONNECT', '*']);

export class MetadataError extends Error {
  override name = 'MetadataError';
}

/** Reads and validates metadata JSON/YAML already decoded into a value. `where` prefixes error messages. */
export function parseMetadata(value: unknown, where = 'metadata'): PolicyMetadata {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new MetadataError(`${where}: expected a mapping`);
  }
  const v = value as Record<string, unknown>;
  const fail = (field: string, msg: string): never => {
    throw new MetadataError(`${where}: ${field}: ${msg}`);
  };
  if (v.rules === undefined) fail('rules', 'required');
  if (!Array.isArray(v.rules)) fail('rules', 'must be a list');
  const rules = (v.rules as unknown[]).map((r, i) => parseRule(r, `rules[${i}]`, fail));
  if (v.mutating === undefined) fail('mutating', 'required');
  if (typeof v.mutating !== 'boolean') fail('mutating', 'must be true or false');
  const executionMode = (v.executionMode ?? 'kubewarden-wapc') as ExecutionMode;
  if (!EXECUTION_MODES.includes(executionMode)) {
    fail('executionMode', `must be one of ${EXECUTION_MODES.join(', ')}, got ${JSON.stringify(v.executionMode)}`);
  }
  const policyType = (v.policyType ?? 'kubernetes') as string;
  if (policyType !== 'kubernetes' && policyType !== 'raw')
    fail('policyType', `must be kubernetes or raw, got ${JSON.stringify(policyType)}`);
  if (v.backgroundAudit !== undefined && typeof v.backgroundAudit !== 'boolean')
    fail('backgroundAudit', 'must be true or false');
  const protocolVersion = v.protocolVersion as PolicyMetadata['protocolVersion'];
  if (protocolVersion !== undefined && protocolVersion !== 'v1' && protocolVersion !== 'Unknown') {
    fail('protocolVersion', `must be "v1" or "Unknown", got ${JSON.stringify(protocolVersion)}`);
  }
  const annotations: Record<string, string> = {};
  if (v.annotations !== undefined && v.annotations !== null) {
    if (typeof v.annotations !== 'object' || Array.isArray(v.annotations)) fail('annotations', 'must be a mapping');
    for (const [k, val] of Object.entries(v.annotations as Record<string, unknown>)) {
      if (typeof val !== 'string') fail(`annotations.${k}`, 'must be a string');
      annotations[k] = val as string;
    }
  }
  const car = v.contextAwareResources ?? [];
  if (!Array.isArray(car)) fail('contextAwareResources', 'must be a list');
  const contextAwareResources = (car as unknown[]).map((r, i) => {
    const o = r as Record<string, unknown>;
    if (!o || typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') {
      fail(`contextAwareResources[${i}]`, 'needs apiVersion and kind strings');
    }
    return { apiVersion: o.apiVersion as string, kind: o.kind as string };
  });
  const md: PolicyMetadata = {
    rules,
    annotations,
    mutating: v.mutating as boolean,
    backgroundAudit: (v.backgroundAudit as boolean | undefined) ?? true,
    executionMode,
    policyType: policyType as PolicyMetadata['policyType'],
    contextAwareResources,
  };
  if (protocolVersion !== undefined) md.protocolVersion = protocolVersion;
  if (typeof v.minimumKubewardenVersion === 'string') md.minimumKubewardenVersion = v.minimumKubewardenVersion;
  return md;
}

function parseRule(r: unknown, field: string, fail: (f: string, m: string) => never): PolicyRule {
  if (r === null || typeof r !== 'object' || Array.isArray(r)) fail(field, 'must be a mapping');
  const o = r as Record<string, unknown>;
  const list = (key: string): string[] => {
    const val = o[key];
    if (!Array.isArray(val) || val.length === 0) fail(`${field}.${key}`, 'must be a non-empty list');
    const arr = val as unknown[];
    if (!arr.every((x) => typeof x === 'string')) fail(`${field}.${key}`, 'must be a list of strings');
    if (arr.includes('*') && arr.length > 1) fail(`${field}.${key}`, '"*" must be the only element');
    return arr as string[];
  };
  const rule: PolicyRule = {
    apiGroups: list('apiGroups'),
    apiVersions: list('apiVersions'),
    resources: list('resources'),
    operations: list('operations'),
  };
  for (const op of rule.operations)
    if (!OPERATIONS.has(op)) fail(`${field}.operations`, `unknown operation ${JSON.stringify(op)}`);
  if (o.scope !== undefined) {
    if (o.scope !== '*' && o.scope !== 'Cluster' && o.scope !== 'Namespaced')
      fail(`${field}.scope`, 'must be *, Cluster or Namespaced');
    rule.scope = o.scope as string;
  }
  return rule;
}

/** Checks that go beyond shape: what policy-server refuses at load time. Returns the reasons. */
export function loadProblems(md: PolicyMetadata): string[] {
  const problems: string[] = [];
  if (md.executionMode === 'kubewarden-wapc' && md.protocolVersion !== 'v1') {
    problems.push(
      `a kubewarden-wapc policy must declare protocolVersion "v1" (it has ${md.protocolVersion === undefined ? 'none' : `"${md.protocolVersion}"`})`,
    );
  }
  return problems;
}

/**
 * The metadata a module without a section gets: kwctl's defaults, except the rules, which match every
 * resource and operation, since a module that declares no rules is run on whatever it is given (kwctl run).
 */
export function defaultMetadata(mode: ExecutionMode = 'kubewarden-wapc'): PolicyMetadata {
  return {
    rules: [{ apiGroups: ['*'], apiVersions: ['*'], resources: ['*'], operations: ['*'] }],
    annotations: {},
    mutating: false,
    backgroundAudit: true,
    executionMode: mode,
    policyType: 'kubernetes',
    contextAwareResources: [],
  };
}

/** Reads the first `io.kubewarden.metadata` section of a compiled module, if any. */
export function readMetadata(module: WebAssembly.Module): PolicyMetadata | undefined {
  const sections = WebAssembly.Module.customSections(module, METADATA_SECTION);
  if (sections.length === 0) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(sections[0]).toString('utf8'));
  } catch (err) {
    throw new MetadataError(`${METADATA_SECTION} section is not valid JSON: ${(err as Error).message}`);
  }
  return parseMetadata(json, METADATA_SECTION);
}

/** Serialises metadata in the camelCase JSON layout Kubewarden stores. */
export function metadataToJson(md: PolicyMetadata): string {
  return JSON.stringify(md);
}
