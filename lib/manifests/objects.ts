import type { InputLimits } from './limits';
import type { KubeObject, ManifestEntry, SourceLocation } from './types';
import * as jsyaml from 'js-yaml';
import { expandedSize, listItemOffsets, parseDocument, YamlSyntaxError } from './yaml';
import { isItemChunk, type ItemChunk } from './list-items';
import { lineCounter, splitDocuments, type DocumentChunk } from './split';

const ALIAS = jsyaml.EVENT_ID.ALIAS;

/** Kinds that configure kustomize itself; they are never sent to the API server. */
const KUSTOMIZE_GROUP = 'kustomize.config.k8s.io/';
const KUSTOMIZATION_FILE = /(^|[\\/])(kustomization|Kustomization)\.ya?ml$/;

/** Turns the text of one input into entries, one per document or List item, in order. */
export function entriesFromText(file: string, text: string, limits: InputLimits): ManifestEntry[] {
  if (isKustomization(file)) return [kustomizationSkip(file)];
  return entriesFromChunks(file, splitDocuments(text), limits);
}

/** The entries of some of an input's documents (`documentChunks`) or List items (`splitList`), in order. */
export function entriesFromChunks(
  file: string,
  chunks: readonly DocumentChunk[],
  limits: InputLimits,
): ManifestEntry[] {
  const out: ManifestEntry[] = [];
  for (const chunk of chunks)
    if (isItemChunk(chunk)) out.push(entryFromItem(file, chunk, limits));
    else out.push(...entriesFromChunk(file, chunk, limits));
  return out;
}

/** One List item parsed alone: the entry the whole List's parse gives for it. */
function entryFromItem(file: string, item: ItemChunk, limits: InputLimits): ManifestEntry {
  const line = item.firstLine + firstContentLine(item.text) - 1;
  const source: SourceLocation = { file, line, docIndex: item.docIndex, itemIndex: item.itemIndex };
  let parsed;
  try {
    parsed = parseDocument(item.text, limits, true);
  } catch (err) {
    const e = err as YamlSyntaxError;
    const at: SourceLocation =
      e.line === 0 ? source : { ...source, line: item.firstLine + e.line - 1, column: e.column + item.indent };
    return { kind: 'error', source: at, message: `YAML syntax error: ${e.reason}${templateHint(item.text)}` };
  }
  const tooLarge = expansionProblem(parsed.value, limits, false);
  if (tooLarge) return { kind: 'error', source, message: `${item.listKind} item ${item.itemIndex}: ${tooLarge}` };
  const lineOf = lineCounter(item.text);
  const warnings = (parsed.duplicates ?? []).map((d) =>
    duplicateWarning(file, item.firstLine + lineOf(d.offset) - 1, d.key),
  );
  return listItemEntry(parsed.value, source, item.listKind, warnings);
}

/** A List item's entry (from the whole List's parse or its own), with the repeated keys found inside it. */
function listItemEntry(item: unknown, source: SourceLocation, listKind: string, warnings: string[]): ManifestEntry {
  const problem = objectProblem(item);
  if (problem)
    return {
      kind: 'error',
      source,
      message: `${listKind} item ${source.itemIndex}: not a Kubernetes object: ${problem}`,
    };
  const entry = classify(item as KubeObject, source);
  if (entry.kind === 'object' && warnings.length > 0) entry.warnings = warnings;
  return entry;
}

/**
 * Why a document (or List item) is past the expansion limits, or undefined: what its aliases expand to is what
 * JSON serialisation would produce.
 */
function expansionProblem(value: unknown, limits: InputLimits, throughAliases: boolean): string | undefined {
  const size = expandedSize(value, { nodes: limits.maxExpandedNodes, bytes: limits.maxExpandedBytes });
  if (size === undefined) return 'refers to itself through a YAML alias (cycle)';
  if (size.nodes > limits.maxExpandedNodes)
    return `expands to more than ${limits.maxExpandedNodes} nodes through YAML aliases (alias bomb?)`;
  if (size.bytes > limits.maxExpandedBytes)
    return `expands to more than ${limits.maxExpandedBytes} bytes${throughAliases ? ' through YAML aliases (byte bomb?)' : ''}`;
  return undefined;
}

function duplicateWarning(file: string, line: number, key: string): string {
  return `${file}:${line}: key "${key}" repeats an earlier one of its mapping; its last value is used, as kubectl does`;
}

/** A kustomization file configures kustomize: it is never sent to the API server. */
export const isKustomization = (file: string): boolean => KUSTOMIZATION_FILE.test(file);

export function kustomizationSkip(file: string): ManifestEntry {
  return {
    kind: 'skip',
    source: { file, line: 1, docIndex: 0 },
    reason: 'kustomize configuration, not an API object (render the folder with -k)',
  };
}

function entriesFromChunk(file: string, chunk: DocumentChunk, limits: InputLimits): ManifestEntry[] {
  const docLine = chunk.firstLine + firstContentLine(chunk.text) - 1;
  const at = (line: number, column?: number): SourceLocation => ({
    file,
    line,
    ...(column !== undefined ? { column } : {}),
    docIndex: chunk.docIndex,
  });
  let parsed;
  try {
    parsed = parseDocument(chunk.text, limits, true);
  } catch (err) {
    const e = err as YamlSyntaxError;
    const message = `YAML syntax error: ${e.reason}${templateHint(chunk.text)}`;
    if (e.line === 0) {
      const template = chunk.text.split('\n').findIndex((l) => l.includes('{{'));
      return [{ kind: 'error', source: at(template >= 0 ? chunk.firstLine + template : docLine), message }];
    }
    return [{ kind: 'error', source: at(chunk.firstLine + e.line - 1, e.column), message }];
  }
  const { value, events } = parsed;
  if (value === null || value === undefined) return [];
  const lineOf = lineCounter(chunk.text);
  // kubectl (sigs.k8s.io/yaml) keeps a repeated key's last value without a word; the cluster receives that value.
  const duplicates = (parsed.duplicates ?? []).map((d) => ({
    offset: d.offset,
    warning: duplicateWarning(file, chunk.firstLine + lineOf(d.offset) - 1, d.key),
  }));
  const tooLarge = expansionProblem(
    value,
    limits,
    events.some((e) => e.type === ALIAS),
  );
  if (tooLarge) return [{ kind: 'error', source: at(docLine), message: `document ${tooLarge}` }];
  const problem = objectProblem(value);
  if (problem) {
    return [
      { kind: 'error', source: at(docLine), message: `not a Kubernetes object: ${problem}${templateHint(chunk.text)}` },
    ];
  }
  const obj = value as KubeObject;
  if (isList(obj)) {
    const items = (obj as { items?: unknown }).items;
    if (items === null || items === undefined) return [];
    if (!Array.isArray(items)) {
      return [
        { kind: 'error', source: at(docLine), message: `${obj.kind}: items must be a list, got ${describe(items)}` },
      ];
    }
    const offsets = listItemOffsets(chunk.text, events);
    const lineAt = lineOf;
    // A repeated key is told with the item it is in (one outside the items, with the first).
    const itemOf = (offset: number): number => {
      let k = 0;
      while (k + 1 < offsets.length && offsets[k + 1] <= offset) k++;
      return k;
    };
    return items.map((item, idx): ManifestEntry => {
      const line = offsets[idx] !== undefined ? chunk.firstLine + lineAt(offsets[idx]) - 1 : docLine;
      const source: SourceLocation = { file, line, docIndex: chunk.docIndex, itemIndex: idx };
      const warnings = duplicates.filter((d) => itemOf(d.offset) === idx).map((d) => d.warning);
      return listItemEntry(item, source, obj.kind, warnings);
    });
  }
  const entry = classify(obj, at(docLine));
  if (entry.kind === 'object' && duplicates.length > 0) entry.warnings = duplicates.map((d) => d.warning);
  return [entry];
}

function classify(obj: KubeObject, source: SourceLocation): ManifestEntry {
  if (obj.apiVersion.startsWith(KUSTOMIZE_GROUP)) {
    return {
      kind: 'skip',
      source,
      reason: `${obj.kind} is kustomize configuration, not an API object (render the folder with -k)`,
      apiVersion: obj.apiVersion,
      objectKind: obj.kind,
    };
  }
  const meta = obj.metadata;
  if (!meta?.name && !meta?.generateName) {
    return { kind: 'error', source, message: `${obj.kind}: metadata.name is required` };
  }
  return { kind: 'object', object: obj, source };
}

function isList(obj: KubeObject): boolean {
  return obj.kind === 'List' || (obj.kind.endsWith('List') && 'items' in obj);
}

/** Why a value is not an object the API server would accept, or undefined if it is one. */
export function objectProblem(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object') return `expected a mapping, got ${describe(value)}`;
  if (Array.isArray(value)) return 'expected a mapping, got a list';
  const v = value as Record<string, unknown>;
  const missing = ['apiVersion', 'kind'].filter((k) => v[k] === undefined || v[k] === null || v[k] === '');
  if (missing.length > 0) return `${missing.join(' and ')} not set`;
  if (typeof v.apiVersion !== 'string') return `apiVersion must be a string, got ${describe(v.apiVersion)}`;
  if (typeof v.kind !== 'string') return `kind must be a string, got ${describe(v.kind)}`;
  if (!/^([a-z0-9.-]+\/)?[a-z0-9]+$/.test(v.apiVersion))
    return `apiVersion "${v.apiVersion}" is not of the form [group/]version`;
  if (
    v.metadata !== undefined &&
    v.metadata !== null &&
    (typeof v.metadata !== 'object' || Array.isArray(v.metadata))
  ) {
    return `metadata must be a mapping, got ${describe(v.metadata)}`;
  }
  return undefined;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? v.slice(0, 40) + '…' : v)}`;
  return `${typeof v} ${String(v)}`;
}

function templateHint(text: string): string {
  return text.includes('{{')
    ? ' (the document contains {{ }} template syntax: render it first, e.g. with helm template)'
    : '';
}

function firstContentLine(text: string): number {
  // Line by line up to the first content: splitting the whole document cost a copy of it.
  for (let start = 0, line = 1; start < text.length; line++) {
    const end = text.indexOf('\n', start);
    const t = text.slice(start, end < 0 ? text.length : end).trim();
    if (t !== '' && !t.startsWith('#')) return line;
    if (end < 0) break;
    start = end + 1;
  }
  return 1;
}
