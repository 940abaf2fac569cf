import type { InputDocuments, TextLookup } from '../manifests/input-texts';
import { FileLocator, parseDottedPath, parseJsonPointer, type PathSegment } from '../manifests/locate';
import type { KubeObject, ManifestEntry } from '../manifests/types';
import type { EvaluationUnit } from '../evaluation/units';
import { sourceKey } from './common';
import type { FieldLocation, PolicyResourceInfo, PolicySummary, Report, Result } from '../evaluation/result';

/**
 * What reporters need beyond the evaluation itself: field locations, the objects as read (for diffs) and the
 * policies' metadata. Applied by `check` after evaluating; everything here is optional information.
 */

/** The path of the field a result is about: the first path a mutation patches, or the `(spec.x[0])` its message names. */
export function findingPath(r: Result): PathSegment[] | undefined {
  if (r.fieldPath) return r.fieldPath;
  if (!r.object || r.verdict === 'skip' || (r.verdict === 'pass' && !r.patch)) return undefined;
  if (r.patch && r.patch.length > 0) {
    try {
      return parseJsonPointer(r.patch[0].path);
    } catch {
      return undefined;
    }
  }
  for (const text of [r.message, ...(r.causes ?? []), ...(r.warnings ?? [])]) {
    if (!text) continue;
    for (const m of text.matchAll(/\(([A-Za-z][\w.$[\]-]*)\)/g)) {
      const path = parseDottedPath(m[1]);
      if (path && path.length >= 2) return path;
    }
  }
  return undefined;
}

/** Sets `location` on results whose field can be found; `texts` holds each input's documents by its name. */
export function attachLocations(results: readonly Result[], texts: TextLookup): void {
  // Results come in input order, so one file's are together: only its locator is kept (all of them held the
  // whole input parsed again at once).
  let current: FileLocations | undefined;
  for (const r of results) {
    const path = findingPath(r);
    if (!path) continue;
    if (current?.file !== r.source.file) {
      current?.attach();
      current = new FileLocations(r.source.file, texts.documents(r.source.file));
    }
    current.locate(r, path);
  }
  current?.attach();
}

/**
 * The locations found in one file, set on their results once the file's text is known to be the one checked (a
 * large file read again in pieces tells only at its end): never positions in another text.
 */
class FileLocations {
  private readonly locator?: FileLocator;
  private readonly found: [Result, FieldLocation][] = [];

  constructor(
    readonly file: string,
    private readonly documents: InputDocuments | undefined,
  ) {
    if (documents) this.locator = new FileLocator(() => documents.chunks());
  }

  locate(r: Result, path: PathSegment[]): void {
    const pos = this.locator?.locate(r.source, path);
    if (pos && pos.path !== '') this.found.push([r, { line: pos.line, column: pos.column, path: pos.path }]);
  }

  attach(): void {
    // Asked even when nothing was found: a file read again in pieces is closed by it.
    if (!this.documents?.intact()) return;
    for (const [r, location] of this.found) r.location = location;
  }
}

/**
 * The object a result was evaluated on (by file, document and List item). Looked up when a reporter asks, for
 * the few results it shows an object for: a weak map over every result (750,000 at 50,000 objects) cost
 * seconds of garbage collection.
 */
export function originalsFor(entries: readonly ManifestEntry[]): (r: Result) => KubeObject | undefined {
  // Built when a reporter first asks (most formats never do): 50,000 keys at the end of the run otherwise.
  let objects: Map<string, KubeObject> | undefined;
  return (r) => {
    if (!r.object) return undefined;
    if (!objects) {
      objects = new Map();
      for (const e of entries) if (e.kind === 'object') objects.set(sourceKey(e.source), e.object);
    }
    return objects.get(sourceKey(r.source));
  };
}

const ANNOTATION = 'io.kubewarden.policy.';

/**
 * The unit's summary with what its metadata annotations say about it (description, severity, url, ...). The
 * severity and category annotations of the policy resource win over the module's, as audit-scanner reads them from
 * the resource (report/report.go getCategoryAndMessage, computePolicyResultSeverity).
 */
export function withMetadata(summary: PolicySummary, unit: EvaluationUnit): PolicySummary {
  const out: PolicySummary = { ...summary };
  if (unit.kind === 'single') {
    const a: Record<string, string | undefined> = unit.policy.metadata?.annotations ?? {};
    for (const f of ['description', 'severity', 'url', 'category', 'version'] as const) {
      const v = a[ANNOTATION + f];
      if (typeof v === 'string' && v !== '') out[f] = v;
    }
  }
  const resource = unit.spec.resource;
  if (resource?.severity !== undefined) out.severity = resource.severity;
  if (resource?.category !== undefined) out.category = resource.category;
  return out;
}

/** The policy resources behind the units, for the PolicyReport properties (lib/report/policyreport.ts). */
export function policyResources(
  units: readonly EvaluationUnit[],
): (policyId: string) => PolicyResourceInfo | undefined {
  const byId = new Map<string, PolicyResourceInfo>();
  for (const u of units) {
    const r = u.spec.resource;
    if (!r) continue;
    // audit-scanner's IsContextAware: the resource grants access to cluster resources.
    const granted =
      u.kind === 'single'
        ? (u.spec.contextAwareResources ?? [])
        : u.spec.members.flatMap((m) => m.contextAwareResources ?? []);
    const info: PolicyResourceInfo = { name: r.name, contextAware: granted.length > 0 };
    if (r.namespace !== undefined) info.namespace = r.namespace;
    if (r.uid !== undefined) info.uid = r.uid;
    if (r.resourceVersion !== undefined) info.resourceVersion = r.resourceVersion;
    byId.set(u.id, info);
  }
  return (id) => byId.get(id);
}

/** Everything `check` adds to a report for its reporters. */
export function enrichReport(
  report: Report,
  entries: readonly ManifestEntry[],
  texts: TextLookup,
  units: readonly EvaluationUnit[],
): Report {
  attachLocations(report.results, texts);
  report.original = originalsFor(entries);
  report.policies = report.policies.map((p, i) => (units[i] ? withMetadata(p, units[i]) : p));
  report.policyResource = policyResources(units);
  return report;
}
