import type { Logger } from '../../base/log';
import { DEFAULT_LIMITS, type InputLimits } from '../../manifests/limits';
import { expandInputs, readSource, sourceName } from '../../manifests/read';
import { splitDocuments } from '../../manifests/split';
import { parseDocument, YamlSyntaxError } from '../../manifests/yaml';
import { PolicyLoadError } from '../../wasm/compile';
import { DEFAULT_KUBEWARDEN_NAMESPACE, isGroup, type PolicyEntry } from '../spec';
import { POLICIES_API_VERSION, POLICY_KINDS, readPolicyResource, type CrdOptions, type PolicyKind } from './crd';
import { FieldReader, formatProblem, type ConfigProblem, type IgnoredField } from './fields';
import { LineIndex } from './lines';
import { readPoliciesYml } from './policies-yml';

export { MODULE_ANNOTATION, memberModuleAnnotation } from './common';
export { uniqueName } from './crd';

/** The configuration could not be used; the message lists every problem, one per line, with file:line and field. */
export class PolicyConfigError extends PolicyLoadError {
  override name = 'PolicyConfigError';
  constructor(readonly problems: ConfigProblem[]) {
    super(`invalid policy configuration:\n${problems.map((p) => `  ${formatProblem(p)}`).join('\n')}`, 'config');
  }
}

export interface PolicyConfigOptions extends Partial<CrdOptions> {
  log: Logger;
  limits?: InputLimits;
  stdin?: NodeJS.ReadableStream;
}

export { DEFAULT_KUBEWARDEN_NAMESPACE } from '../spec';

/**
 * Reads `--policies` inputs (files, directories: their .yaml/.yml/.json files, `-`: stdin) holding any mix of
 * policy-server `policies.yml` documents and policies.kubewarden.io/v1 policy resources (multi-document, `List`s
 * too, as `kubectl get -o yaml` writes them). Every problem is collected and reported at once with file, line
 * and field (PolicyConfigError). Fields that cannot apply on a client are logged once.
 */
export async function readPolicyConfig(args: string[], opts: PolicyConfigOptions): Promise<PolicyEntry[]> {
  const limits = opts.limits ?? DEFAULT_LIMITS;
  const read = startRead(opts);
  const { problems } = read;
  const entries: PolicyEntry[] = [];
  const { sources, errors } = await expandInputs(args, false);
  for (const e of errors)
    problems.push({ file: e.name, line: 0, subject: '--policies', field: '', message: e.message });
  for (const s of sources) {
    const file = sourceName(s);
    let text: string;
    try {
      text = await readSource(s, limits, opts.stdin);
    } catch (err) {
      problems.push({ file, line: 0, subject: '--policies', field: '', message: (err as Error).message });
      continue;
    }
    entries.push(...readText(file, text, limits, read));
  }
  return finish(entries, read, opts.log, `--policies ${args.join(' ')}`);
}

/**
 * Reads policy resources that did not come from a file (`--from-cluster` serialises what it listed as YAML under
 * a name such as `cluster kind-dev`), with the same validation and messages as `--policies`.
 */
export function readPolicyConfigText(file: string, text: string, opts: PolicyConfigOptions): PolicyEntry[] {
  const read = startRead(opts);
  return finish(readText(file, text, opts.limits ?? DEFAULT_LIMITS, read), read, opts.log, file);
}

/** One reading of configuration: the options every resource is read with, and what it found wrong or ignored. */
interface ConfigRead {
  crdOpts: CrdOptions;
  problems: ConfigProblem[];
  warnings: string[];
  ignored: IgnoredField[];
}

function startRead(opts: PolicyConfigOptions): ConfigRead {
  return {
    crdOpts: {
      kubewardenNamespace: opts.kubewardenNamespace ?? DEFAULT_KUBEWARDEN_NAMESPACE,
      defaultNamespace: opts.defaultNamespace ?? 'default',
    },
    problems: [],
    warnings: [],
    ignored: [],
  };
}

/** Duplicate ids are problems too; every problem is thrown at once, warnings and ignored fields are logged. */
function finish(
  entries: PolicyEntry[],
  { problems, warnings, ignored }: ConfigRead,
  log: Logger,
  what: string,
): PolicyEntry[] {
  const seen = new Map<string, string>();
  for (const e of entries) {
    const before = seen.get(e.id);
    if (before) {
      const [file, line] = splitOrigin(e.origin);
      problems.push({
        file,
        line,
        subject: isGroup(e) ? 'policy group' : 'policy',
        field: '',
        message: `duplicate policy id ${JSON.stringify(e.id)}, also defined at ${before}`,
      });
    } else seen.set(e.id, e.origin);
  }
  if (problems.length > 0) throw new PolicyConfigError(problems);
  for (const w of warnings) log.warn(w);
  reportIgnored(ignored, log);
  if (entries.length === 0) log.warn(`${what}: no policy found`);
  // policy-server runs what a configuration describes, with its load-time checks.
  for (const e of entries) e.policyServerChecks = true;
  return entries;
}

function splitOrigin(origin: string): [string, number] {
  const m = /^(.*):(\d+) \(/.exec(origin);
  return m ? [m[1], Number(m[2])] : [origin, 0];
}

/** Each ignored field once per run: a warning if it is set to a value that matters in a cluster, else at -v. */
function reportIgnored(ignored: IgnoredField[], log: Logger): void {
  const byField = new Map<string, IgnoredField[]>();
  for (const i of ignored) {
    // Group by the field's own name: spec.policyServer, <id>.hostCapabilities, spec.policies.m.contextAwareResources...
    const key = /[^.\]["]+$/.exec(i.field)?.[0] ?? i.field;
    byField.set(key, [...(byField.get(key) ?? []), i]);
  }
  for (const [field, list] of byField) {
    const significant = list.filter((i) => i.significant);
    const text = `${field} is ignored: ${list[0].reason} (${list.length === 1 ? list[0].where : `${list.length} policies, first at ${list[0].where}`})`;
    if (significant.length > 0) log.warn(text);
    else log.info(text);
  }
}

function readText(
  file: string,
  text: string,
  limits: InputLimits,
  { crdOpts, problems, warnings, ignored }: ConfigRead,
): PolicyEntry[] {
  const out: PolicyEntry[] = [];
  for (const chunk of splitDocuments(text)) {
    let parsed;
    try {
      parsed = parseDocument(chunk.text, limits);
    } catch (err) {
      const e = err as YamlSyntaxError;
      problems.push({
        file,
        line: e.line > 0 ? chunk.firstLine + e.line - 1 : chunk.firstLine,
        subject: 'YAML',
        field: '',
        message: `syntax error: ${e.reason ?? e.message}`,
      });
      continue;
    }
    const { value, events } = parsed;
    if (value === null || value === undefined) continue;
    const lines = LineIndex.build(chunk.text, events, chunk.firstLine);
    const reader = (subject: string, idx: LineIndex = lines) =>
      new FieldReader(file, idx, subject, problems, warnings, ignored);
    if (typeof value !== 'object' || Array.isArray(value)) {
      reader('document').fail([], 'expected a policies.yml mapping or a policies.kubewarden.io/v1 resource');
      continue;
    }
    const doc = value as Record<string, unknown>;
    if (typeof doc.apiVersion === 'string' && typeof doc.kind === 'string') {
      if (doc.kind === 'List' || (doc.kind.endsWith('List') && Array.isArray(doc.items))) {
        const items = Array.isArray(doc.items) ? doc.items : [];
        items.forEach((item, i) => {
          const entry = readResource(reader(`${doc.kind} item ${i}`, lines.sub(['items', i])), item, crdOpts);
          if (entry) out.push(entry);
        });
        continue;
      }
      const entry = readResource(reader(`${doc.kind}`), doc, crdOpts);
      if (entry) out.push(entry);
      continue;
    }
    if ('apiVersion' in doc || 'kind' in doc) {
      reader('document').fail([], 'a Kubernetes resource needs both apiVersion and kind');
      continue;
    }
    out.push(...readPoliciesYml(reader('policies.yml'), doc));
  }
  return out;
}

function readResource(r: FieldReader, item: unknown, crdOpts: CrdOptions): PolicyEntry | undefined {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) {
    r.fail([], 'not a Kubernetes object');
    return undefined;
  }
  const obj = item as Record<string, unknown>;
  const kind = obj.kind as string;
  const name = (obj.metadata as { name?: unknown } | undefined)?.name;
  const subject = `${kind}${typeof name === 'string' ? ` ${name}` : ''}`;
  const rr = r.with(subject, []);
  if (
    obj.kind === 'PolicyServer' &&
    typeof obj.apiVersion === 'string' &&
    obj.apiVersion.startsWith('policies.kubewarden.io/')
  ) {
    rr.ignore(['PolicyServer'], 'a PolicyServer only says where policies run', false);
    return undefined;
  }
  if (!POLICY_KINDS.includes(kind as PolicyKind)) {
    rr.fail(
      ['kind'],
      `not a Kubewarden policy: expected one of ${POLICY_KINDS.join(', ')} (${POLICIES_API_VERSION}), or a policies.yml mapping`,
    );
    return undefined;
  }
  if (obj.apiVersion !== POLICIES_API_VERSION) {
    rr.fail(['apiVersion'], `must be ${POLICIES_API_VERSION}, got ${JSON.stringify(obj.apiVersion)}`);
    return undefined;
  }
  return readPolicyResource(rr, obj, kind as PolicyKind, crdOpts);
}
