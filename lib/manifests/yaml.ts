import * as jsyaml from 'js-yaml';
import type { InputLimits } from './limits';

/**
 * The schema kubectl effectively uses: sigs.k8s.io/yaml decodes with go-yaml v2, i.e. YAML 1.1 booleans
 * (`yes`, `on`), YAML 1.1 integers (`0644` is octal 420, common in `defaultMode`) and merge keys, but leaves
 * timestamps as strings because the target is JSON.
 */
export const KUBERNETES_SCHEMA = new jsyaml.Schema([
  jsyaml.strTag,
  jsyaml.seqTag,
  jsyaml.mapTag,
  jsyaml.nullYaml11Tag,
  jsyaml.boolYaml11Tag,
  jsyaml.intYaml11Tag,
  jsyaml.floatYaml11Tag,
  jsyaml.mergeTag,
]);

export type YamlEvent = jsyaml.Event;

export interface ParsedDocument {
  value: unknown;
  events: YamlEvent[];
  /** With `lastKeyWins`: where a mapping key repeats an earlier one of the same mapping (offsets into the text). */
  duplicates?: { key: string; offset: number }[];
}

/** A parse failure with its position inside the parsed text (1-based line and column). */
export class YamlSyntaxError extends Error {
  override name = 'YamlSyntaxError';
  constructor(
    readonly reason: string,
    readonly line: number,
    readonly column: number,
  ) {
    super(reason);
  }
}

/**
 * Parses one YAML document (already split out of its stream). Throws YamlSyntaxError. A repeated mapping key is
 * an error, unless `lastKeyWins` (kubectl's sigs.k8s.io/yaml keeps the last value silently): then the later
 * value is used and the repeats are listed in `duplicates`.
 */
export function parseDocument(text: string, limits: InputLimits, lastKeyWins = false): ParsedDocument {
  let events: YamlEvent[];
  let docs: unknown[];
  let repeated = false;
  try {
    events = jsyaml.parseEvents(text, { maxDepth: limits.maxDepth });
    const construct = (json: boolean): unknown[] =>
      jsyaml.constructFromEvents(events, {
        source: text,
        schema: KUBERNETES_SCHEMA,
        maxAliases: limits.maxAliases,
        json,
      });
    try {
      docs = construct(false);
    } catch (err) {
      // Repeats are rare: only then is the document built again keeping the last value, and the repeats found.
      if (!lastKeyWins || !(err instanceof jsyaml.YAMLException) || !/duplicated mapping key/.test(err.reason))
        throw err;
      docs = construct(true);
      repeated = true;
    }
  } catch (err) {
    throw toSyntaxError(err);
  }
  if (docs.length > 1) {
    // Our splitter already cut on `---` lines, so a second document here came from an inline marker.
    throw new YamlSyntaxError('more than one document without a `---` line between them', 1, 1);
  }
  const out: ParsedDocument = { value: docs.length === 0 ? null : docs[0], events };
  if (repeated) {
    const duplicates = duplicateKeys(text, events);
    if (duplicates.length > 0) out.duplicates = duplicates;
  }
  return out;
}

/** Keys repeated within one mapping, in text order (the events alternate key and value inside a mapping). */
function duplicateKeys(text: string, events: YamlEvent[]): { key: string; offset: number }[] {
  const E = jsyaml.EVENT_ID;
  const out: { key: string; offset: number }[] = [];
  // One frame per open collection: for a mapping, the keys seen and whether the next node is a key.
  const stack: { keys?: Set<string>; expectKey: boolean }[] = [];
  for (const ev of events) {
    if (ev.type === E.DOCUMENT) continue;
    const top = stack[stack.length - 1];
    if (ev.type === E.POP) {
      stack.pop();
      continue;
    }
    const isKey = top?.keys !== undefined && top.expectKey;
    if (top?.keys) top.expectKey = !top.expectKey;
    if (isKey && ev.type === E.SCALAR) {
      const key = jsyaml.getScalarValue(text, ev);
      if (top.keys!.has(key)) out.push({ key, offset: ev.valueStart });
      else top.keys!.add(key);
    }
    if (ev.type === E.MAPPING) stack.push({ keys: new Set(), expectKey: true });
    else if (ev.type === E.SEQUENCE) stack.push({ expectKey: false });
  }
  return out;
}

function toSyntaxError(err: unknown): YamlSyntaxError {
  if (err instanceof jsyaml.YAMLException) {
    const mark = err.mark as { line?: number; column?: number; position?: number } | undefined;
    // Errors raised while constructing values (not parsing) point at offset 0: line 0 says "unknown".
    return mark?.line === undefined || mark.position === 0
      ? new YamlSyntaxError(err.reason, 0, 0)
      : new YamlSyntaxError(err.reason, mark.line + 1, (mark.column ?? 0) + 1);
  }
  if (err instanceof RangeError) {
    return new YamlSyntaxError('document nests too deeply to be read', 0, 0);
  }
  return new YamlSyntaxError(err instanceof Error ? err.message : String(err), 0, 0);
}

/** What a document expands to once its aliases are resolved: nodes, and bytes of its JSON serialisation. */
export interface ExpandedSize {
  nodes: number;
  /** Bytes of string content, keys and punctuation, as JSON would write them (escapes not counted). */
  bytes: number;
}

/**
 * Measures what a value expands to when serialised, following shared references (YAML aliases) every time they
 * are used, without materialising anything. Returns undefined for a cycle. Stops counting once either limit is
 * passed. This is what stops a "billion laughs" document (many nodes) and a byte bomb (one large string aliased
 * thousands of times: few nodes, gigabytes of JSON) before JSON.stringify would run out of memory.
 */
export function expandedSize(value: unknown, limits: { nodes: number; bytes: number }): ExpandedSize | undefined {
  const memo = new Map<object, ExpandedSize>();
  const inProgress = new Set<object>();
  let cycle = false;
  const visit = (v: unknown): ExpandedSize => {
    if (v === null || typeof v !== 'object') return { nodes: 1, bytes: scalarBytes(v) };
    const known = memo.get(v);
    if (known !== undefined) return known;
    if (inProgress.has(v)) {
      cycle = true;
      return { nodes: 0, bytes: 0 };
    }
    inProgress.add(v);
    const total = { nodes: 1, bytes: 2 };
    const entries: [string | undefined, unknown][] = Array.isArray(v)
      ? v.map((x) => [undefined, x])
      : Object.entries(v as Record<string, unknown>);
    for (const [key, child] of entries) {
      const n = visit(child);
      if (cycle) return total;
      total.nodes += n.nodes;
      total.bytes += n.bytes + 1 + (key === undefined ? 0 : key.length + 3);
      if (total.nodes > limits.nodes || total.bytes > limits.bytes) break;
    }
    inProgress.delete(v);
    memo.set(v, total);
    return total;
  };
  const size = visit(value);
  return cycle ? undefined : size;
}

function scalarBytes(v: unknown): number {
  if (typeof v === 'string') return v.length + 2;
  return v === undefined ? 4 : String(v).length;
}

/** Offsets (into the parsed text) where each item of the top-level mapping's `items` sequence starts. */
export function listItemOffsets(text: string, events: YamlEvent[]): number[] {
  const E = jsyaml.EVENT_ID;
  let i = 0;
  while (i < events.length && events[i].type === E.DOCUMENT) i++;
  if (i >= events.length || events[i].type !== E.MAPPING) return [];
  i++;
  // Walk key/value pairs of the top mapping at depth 1.
  while (i < events.length && events[i].type !== E.POP) {
    const key = events[i];
    const isItems = key.type === E.SCALAR && jsyaml.getScalarValue(text, key) === 'items';
    i = skipNode(events, i);
    if (i >= events.length) return [];
    if (isItems && events[i].type === E.SEQUENCE) {
      const offsets: number[] = [];
      let j = i + 1;
      while (j < events.length && events[j].type !== E.POP) {
        offsets.push(nodeStart(events[j]));
        j = skipNode(events, j);
      }
      return offsets;
    }
    i = skipNode(events, i);
  }
  return [];
}

function nodeStart(ev: YamlEvent): number {
  switch (ev.type) {
    case jsyaml.EVENT_ID.SCALAR:
      return ev.anchorStart >= 0 ? Math.min(ev.anchorStart, ev.valueStart) : ev.valueStart;
    case jsyaml.EVENT_ID.SEQUENCE:
    case jsyaml.EVENT_ID.MAPPING:
      return ev.start;
    case jsyaml.EVENT_ID.ALIAS:
      return ev.anchorStart;
    default:
      return 0;
  }
}

/** Index of the event after the node that starts at `i`. */
function skipNode(events: YamlEvent[], i: number): number {
  const t = events[i].type;
  if (t !== jsyaml.EVENT_ID.SEQUENCE && t !== jsyaml.EVENT_ID.MAPPING) return i + 1;
  let depth = 0;
  for (; i < events.length; i++) {
    const ty = events[i].type;
    if (ty === jsyaml.EVENT_ID.SEQUENCE || ty === jsyaml.EVENT_ID.MAPPING) depth++;
    else if (ty === jsyaml.EVENT_ID.POP && --depth === 0) return i + 1;
  }
  return i;
}
