/**
 * kwctl's and policy-server's verification config (`apiVersion: v1`, `allOf`, `anyOf`), read as Kubewarden's
 * policy-fetcher reads it (`src/verify/config.rs`): unknown fields are errors, `anyOf.minimumMatches` defaults
 * to 1, a `urlPrefix` subject gets a trailing `/` (so `https://github.com/kubewarden` cannot match
 * `https://github.com/kubewarden-malicious/`), and a config with neither list is refused.
 */
import { readFileSync } from 'node:fs';
import { isMap, isScalar, isSeq, LineCounter, parseDocument, stringify, type Node } from 'yaml';
import { PolicyVerificationError } from './errors';

export type Annotations = Record<string, string>;
export type Subject = { equal: string } | { urlPrefix: string };

export type SignatureConstraint =
  | { kind: 'pubKey'; owner?: string; key: string; annotations?: Annotations }
  | { kind: 'genericIssuer'; issuer: string; subject: Subject; annotations?: Annotations }
  | { kind: 'githubAction'; owner: string; repo?: string; annotations?: Annotations };

export interface VerificationConfig {
  allOf?: SignatureConstraint[];
  anyOf?: { minimumMatches: number; signatures: SignatureConstraint[] };
}

/** The issuer of GitHub Actions' OIDC tokens, which a `githubAction` constraint requires. */
export const GITHUB_ACTIONS_ISSUER = 'https://token.actions.githubusercontent.com';

/** kwctl's default config (`kwctl scaffold verification-config`): policies signed by Kubewarden's GitHub workflows. */
export const DEFAULT_VERIFICATION_CONFIG: VerificationConfig = {
  allOf: [{ kind: 'githubAction', owner: 'kubewarden' }],
};

class ConfigProblem extends Error {
  constructor(
    readonly node: Node | null | undefined,
    message: string,
  ) {
    super(message);
  }
}

/** Reads a verification config file; errors name the file and line. */
export function readVerificationConfig(file: string): VerificationConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new PolicyVerificationError(
      `${file}: cannot read the verification config: ${e.code === 'ENOENT' ? 'no such file' : e.message}`,
      'config',
    );
  }
  return parseVerificationConfig(text, file);
}

export function parseVerificationConfig(text: string, file: string): VerificationConfig {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true });
  const at = (node: Node | null | undefined): string => {
    const offset = node?.range?.[0];
    return offset === undefined ? file : `${file}:${lines.linePos(offset).line}`;
  };
  if (doc.errors.length > 0) {
    const e = doc.errors[0];
    throw new PolicyVerificationError(
      `${file}:${e.linePos?.[0].line ?? 1}: not a valid verification config: ${e.message.split('\n')[0]}`,
      'config',
    );
  }
  try {
    return configFrom(doc.contents);
  } catch (err) {
    if (err instanceof ConfigProblem)
      throw new PolicyVerificationError(
        `${at(err.node ?? doc.contents)}: not a valid verification config: ${err.message}`,
        'config',
      );
    throw err;
  }
}

function configFrom(root: Node | null): VerificationConfig {
  const m = mapping(root, 'the document');
  const version = m.get('apiVersion');
  if (version === undefined) throw new ConfigProblem(root, 'missing field `apiVersion` (use `apiVersion: v1`)');
  if (!isScalar(version.node) || version.node.value !== 'v1') {
    throw new ConfigProblem(
      version.node,
      `not a supported configuration version: ${JSON.stringify(isScalar(version.node) ? version.node.value : null)} (supported: v1)`,
    );
  }
  allowOnly(m, ['apiVersion', 'allOf', 'anyOf']);
  const config: VerificationConfig = {};
  const allOf = m.get('allOf');
  if (allOf && !isNull(allOf.node)) config.allOf = signatures(allOf.node, 'allOf');
  const anyOf = m.get('anyOf');
  if (anyOf && !isNull(anyOf.node)) {
    const a = mapping(anyOf.node, 'anyOf');
    allowOnly(a, ['minimumMatches', 'signatures']);
    const min = a.get('minimumMatches');
    let minimumMatches = 1;
    if (min) {
      const v = isScalar(min.node) ? min.node.value : undefined;
      if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 255)
        throw new ConfigProblem(min.node, 'anyOf.minimumMatches: expected an integer from 0 to 255');
      minimumMatches = v;
    }
    const sigs = a.get('signatures');
    if (!sigs) throw new ConfigProblem(anyOf.node, 'anyOf: missing field `signatures`');
    config.anyOf = { minimumMatches, signatures: signatures(sigs.node, 'anyOf.signatures') };
  }
  if (!config.allOf && !config.anyOf)
    throw new ConfigProblem(root, 'config is missing signatures in both allOf and anyOf lists');
  return config;
}

interface Entry {
  key: Node;
  node: Node | null;
}

function mapping(node: Node | null | undefined, what: string): Map<string, Entry> {
  if (!isMap(node)) throw new ConfigProblem(node, `${what}: expected a mapping`);
  const out = new Map<string, Entry>();
  for (const pair of node.items) {
    const key = pair.key as Node;
    if (!isScalar(key) || typeof key.value !== 'string') throw new ConfigProblem(key, `${what}: keys must be strings`);
    out.set(key.value, { key, node: (pair.value as Node | null) ?? null });
  }
  return out;
}

function allowOnly(m: Map<string, Entry>, allowed: string[]): void {
  for (const [k, e] of m) {
    if (!allowed.includes(k))
      throw new ConfigProblem(
        e.key,
        `unknown field \`${k}\`, expected one of ${allowed.map((a) => `\`${a}\``).join(', ')}`,
      );
  }
}

function isNull(node: Node | null): boolean {
  return node === null || (isScalar(node) && node.value === null);
}

function str(m: Map<string, Entry>, field: string, where: string, parent: Node | null, required: true): string;
function str(
  m: Map<string, Entry>,
  field: string,
  where: string,
  parent: Node | null,
  required: false,
): string | undefined;
function str(
  m: Map<string, Entry>,
  field: string,
  where: string,
  parent: Node | null,
  required: boolean,
): string | undefined {
  const e = m.get(field);
  if (!e || isNull(e.node)) {
    if (required) throw new ConfigProblem(parent, `${where}: missing field \`${field}\``);
    return undefined;
  }
  if (!isScalar(e.node) || typeof e.node.value !== 'string')
    throw new ConfigProblem(e.node, `${where}.${field}: expected a string`);
  return e.node.value;
}

function annotationsOf(m: Map<string, Entry>, where: string): Annotations | undefined {
  const e = m.get('annotations');
  if (!e || isNull(e.node)) return undefined;
  const a = mapping(e.node, `${where}.annotations`);
  const out: Annotations = {};
  for (const [k, v] of a) {
    if (!isScalar(v.node) || typeof v.node.value !== 'string')
      throw new ConfigProblem(v.node, `${where}.annotations.${k}: expected a string value`);
    out[k] = v.node.value;
  }
  return out;
}

function signatures(node: Node | null, where: string): SignatureConstraint[] {
  if (!isSeq(node)) throw new ConfigProblem(node, `${where}: expected a list of signatures`);
  return node.items.map((item, i) => signature(item as Node, `${where}[${i}]`));
}

function signature(node: Node, where: string): SignatureConstraint {
  const m = mapping(node, where);
  const kind = str(m, 'kind', where, node, true);
  switch (kind) {
    case 'pubKey': {
      allowOnly(m, ['kind', 'owner', 'key', 'annotations']);
      const c: SignatureConstraint = { kind, key: str(m, 'key', where, node, true) };
      const owner = str(m, 'owner', where, node, false);
      if (owner !== undefined) c.owner = owner;
      return withAnnotations(c, m, where);
    }
    case 'genericIssuer': {
      allowOnly(m, ['kind', 'issuer', 'subject', 'annotations']);
      const issuer = str(m, 'issuer', where, node, true);
      const s = m.get('subject');
      if (!s || isNull(s.node)) throw new ConfigProblem(node, `${where}: missing field \`subject\``);
      const sm = mapping(s.node, `${where}.subject`);
      allowOnly(sm, ['equal', 'urlPrefix']);
      if (sm.size !== 1)
        throw new ConfigProblem(s.node, `${where}.subject: expected exactly one of \`equal\`, \`urlPrefix\``);
      const equal = str(sm, 'equal', `${where}.subject`, s.node, false);
      const subject: Subject =
        equal !== undefined
          ? { equal }
          : { urlPrefix: urlPrefix(str(sm, 'urlPrefix', `${where}.subject`, s.node, true), sm.get('urlPrefix')!.node) };
      return withAnnotations({ kind, issuer, subject }, m, where);
    }
    case 'githubAction': {
      allowOnly(m, ['kind', 'owner', 'repo', 'annotations']);
      const c: SignatureConstraint = { kind, owner: str(m, 'owner', where, node, true) };
      const repo = str(m, 'repo', where, node, false);
      if (repo !== undefined) c.repo = repo;
      return withAnnotations(c, m, where);
    }
    default:
      throw new ConfigProblem(
        m.get('kind')!.node,
        `${where}.kind: unknown variant \`${kind}\`, expected one of \`pubKey\`, \`genericIssuer\`, \`githubAction\``,
      );
  }
}

function withAnnotations<T extends SignatureConstraint>(c: T, m: Map<string, Entry>, where: string): T {
  const a = annotationsOf(m, where);
  return a ? { ...c, annotations: a } : c;
}

/** A URL prefix with a `/` after its path, as policy-fetcher sanitises it. */
export function urlPrefix(value: string, node?: Node | null): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw new ConfigProblem(node, `subject.urlPrefix: ${JSON.stringify(value)} is not a URL`);
  }
  if (!u.pathname.endsWith('/')) u.pathname = `${u.pathname}/`;
  return u.toString();
}

/** The constraints of kwctl's verification flags, all required (kwctl's `build_verification_options_from_flags`). */
export interface VerificationFlags {
  keys: { file: string; pem: string }[];
  annotations?: Annotations;
  certEmail?: string;
  certOidcIssuer?: string;
  githubOwner?: string;
  githubRepo?: string;
}

export function configFromFlags(f: VerificationFlags): VerificationConfig | undefined {
  const any = f.keys.length > 0 || f.annotations || f.certEmail || f.certOidcIssuer || f.githubOwner || f.githubRepo;
  if (!any) return undefined;
  if (f.keys.length === 0 && !f.certEmail && !f.certOidcIssuer && !f.githubOwner && f.annotations) {
    throw new PolicyVerificationError(
      'intending to verify annotations, but no verification keys, OIDC issuer or GitHub owner were passed',
      'config',
    );
  }
  if (f.githubRepo && !f.githubOwner)
    throw new PolicyVerificationError(
      'intending to verify a GitHub Actions signature, but the repository owner (--github-owner) is missing',
      'config',
    );
  if (Boolean(f.certEmail) !== Boolean(f.certOidcIssuer)) {
    throw new PolicyVerificationError(
      'intending to verify an OIDC identity: pass --cert-email and --cert-oidc-issuer together',
      'config',
    );
  }
  const allOf: SignatureConstraint[] = [];
  const a = f.annotations ? { annotations: f.annotations } : {};
  if (f.certEmail && f.certOidcIssuer)
    allOf.push({ kind: 'genericIssuer', issuer: f.certOidcIssuer, subject: { equal: f.certEmail }, ...a });
  if (f.githubOwner)
    allOf.push({ kind: 'githubAction', owner: f.githubOwner, ...(f.githubRepo ? { repo: f.githubRepo } : {}), ...a });
  for (const k of f.keys) allOf.push({ kind: 'pubKey', key: k.pem, ...a });
  return { allOf };
}

/** A constraint as the config writes it, for messages that list the unsatisfied ones (as kwctl lists them). */
export function describeConstraint(c: SignatureConstraint): string {
  return stringify([c], { lineWidth: 0 }).trimEnd();
}

/** The config as YAML (`scaffold verification-config`). */
export function formatVerificationConfig(c: VerificationConfig): string {
  return stringify({ apiVersion: 'v1', ...c }, { lineWidth: 0 });
}
