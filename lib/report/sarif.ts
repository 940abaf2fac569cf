import { createHash } from 'node:crypto';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { VERSION } from '../base/version';
import { isLocalFile, objectName, position, resultMessage } from './common';
import type { Reporter } from './reporter';
import type { PolicySummary, Result } from '../evaluation/result';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
const INFORMATION_URI = 'https://github.com/kubectl-wasmpolicy/kubectl-wasmpolicy';

/** Kubewarden `io.kubewarden.policy.severity` → SARIF level and GitHub code scanning's `security-severity`. */
const SEVERITY: Record<string, { level: 'error' | 'warning' | 'note'; score: string }> = {
  critical: { level: 'error', score: '9.0' },
  high: { level: 'error', score: '7.0' },
  medium: { level: 'warning', score: '5.0' },
  low: { level: 'note', score: '3.0' },
  info: { level: 'note', score: '0.0' },
};

type Json = Record<string, unknown>;

/**
 * SARIF 2.1.0: one run, one rule per policy (title, description, severity, help URL from its metadata), one
 * result per rejection (error), warning (warning) and mutation (note, with the patch in properties), located at
 * the field when known. Evaluation and input errors are tool execution notifications (the run then reports
 * executionSuccessful: false).
 */
export const sarifReporter: Reporter = {
  name: 'sarif',
  render(report) {
    const ruleIndex = new Map<string, number>();
    const rules = report.policies.map((p, i) => {
      ruleIndex.set(p.id, i);
      return rule(p);
    });
    const results: Json[] = [];
    const notifications: Json[] = [];
    for (const r of report.results) {
      const level = levelOf(r);
      if (r.verdict === 'error') {
        const n: Json = { level: 'error', message: { text: resultMessage(r) }, locations: locations(r) };
        if (r.policy !== undefined && ruleIndex.has(r.policy))
          n.associatedRule = { id: r.policy, index: ruleIndex.get(r.policy) };
        notifications.push(n);
        continue;
      }
      if (!level || r.policy === undefined || !ruleIndex.has(r.policy)) continue;
      const out: Json = {
        ruleId: r.policy,
        ruleIndex: ruleIndex.get(r.policy),
        level,
        message: {
          text: [resultMessage(r), ...(r.causes ?? []), ...(r.verdict !== 'warn' ? (r.warnings ?? []) : [])].join('\n'),
        },
        locations: locations(r),
        partialFingerprints: { 'wasmpolicyFinding/v1': fingerprint(r) },
      };
      const props: Json = { verdict: r.verdict };
      if (r.object) props.object = r.object;
      if (r.location) props.fieldPath = r.location.path;
      if (r.code !== undefined) props.code = r.code;
      if (r.patch) props.patch = r.patch;
      if (r.warnings) props.warnings = r.warnings;
      out.properties = props;
      results.push(out);
    }
    const run: Json = {
      tool: {
        driver: { name: 'kubectl-wasmpolicy', semanticVersion: VERSION, informationUri: INFORMATION_URI, rules },
      },
      columnKind: 'utf16CodeUnits',
      results,
      invocations: [{ executionSuccessful: report.summary.error === 0, toolExecutionNotifications: notifications }],
      properties: { summary: report.summary },
    };
    return JSON.stringify({ $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] }, null, 2) + '\n';
  },
};

function rule(p: PolicySummary): Json {
  const sev = p.severity ? SEVERITY[p.severity.toLowerCase()] : undefined;
  const r: Json = {
    id: p.id,
    name: p.id,
    shortDescription: { text: p.title ?? p.id },
    fullDescription: { text: p.description ?? p.title ?? p.id },
    defaultConfiguration: { level: sev?.level ?? 'error' },
  };
  if (p.url && isAbsoluteUrl(p.url)) r.helpUri = p.url;
  const props: Json = { module: p.module, mode: p.mode, mutating: p.mutating, sha256: p.sha256 };
  if (p.severity) props.severity = p.severity;
  if (sev) props['security-severity'] = sev.score;
  if (p.category) props.tags = [p.category];
  if (p.version) props.version = p.version;
  r.properties = props;
  return r;
}

function levelOf(r: Result): 'error' | 'warning' | 'note' | undefined {
  if (r.verdict === 'fail') return 'error';
  if (r.verdict === 'warn') return 'warning';
  if (r.verdict === 'pass' && r.patch) return 'note';
  return undefined;
}

function locations(r: Result): Json[] {
  const loc: Json = {};
  const uri = artifactUri(r.source.file);
  if (uri) {
    const physical: Json = { artifactLocation: uri };
    const pos = position(r);
    if (pos.line > 0)
      physical.region = pos.column ? { startLine: pos.line, startColumn: pos.column } : { startLine: pos.line };
    loc.physicalLocation = physical;
  }
  if (r.object) {
    const o = r.object;
    loc.logicalLocations = [
      {
        name: o.name ?? '',
        fullyQualifiedName: `${o.apiVersion}/${o.kind}/${o.namespace ? o.namespace + '/' : ''}${o.name ?? ''}`,
        kind: 'object',
      },
    ];
  }
  return Object.keys(loc).length > 0 ? [loc] : [];
}

/** Relative paths stay relative to the working directory (%SRCROOT%), absolute ones become file: URIs, URLs stay. */
function artifactUri(file: string): Json | undefined {
  if (file === '-') return undefined;
  if (!isLocalFile(file)) return isAbsoluteUrl(file) ? { uri: file } : undefined;
  if (path.isAbsolute(file)) return { uri: pathToFileURL(file).href };
  return { uri: file.split(/[\\/]/).map(encodeURIComponent).join('/'), uriBaseId: '%SRCROOT%' };
}

function isAbsoluteUrl(s: string): boolean {
  try {
    new URL(s);
    return true;
  } catch {
    return false;
  }
}

/** Stable across runs and line moves: policy, file, object identity and field. */
function fingerprint(r: Result): string {
  const parts = [
    r.policy ?? '',
    r.source.file,
    objectName(r),
    r.object?.apiVersion ?? '',
    r.location?.path ?? '',
    String(r.source.itemIndex ?? ''),
  ];
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 32);
}
