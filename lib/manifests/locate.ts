import * as jsyaml from 'js-yaml';
import { documentChunks, type DocumentChunk } from './split';
import { DocumentCursor } from './document-cursor';
import type { SourceLocation } from './types';
import { pointerTokens, toPointer, type PathSegment } from '../base/json-pointer';

/**
 * Field locations: where a field of an object is written in its input, from the js-yaml event offsets of the
 * object's document. Works the same on YAML and JSON input (JSON is YAML flow syntax), on CRLF files (the
 * splitter normalises line ends, so offsets count one character per line end), across comments, and through
 * anchors, aliases and merge keys (a field reached through `*alias` or `<<: *base` is located where its text is).
 */

export type { PathSegment } from '../base/json-pointer';

export interface FieldPosition {
  /** 1-based line in the whole file. */
  line: number;
  /** 1-based column, in UTF-16 code units (as SARIF's default `columnKind`). */
  column: number;
  /** The path that was found, as a JSON pointer relative to the object: the whole path or its longest existing prefix. */
  path: string;
  /** false when only a prefix of the path exists (e.g. the parent of a field a mutation adds). */
  exact: boolean;
}

/** `/spec/containers/0` → ['spec', 'containers', 0]. Indices are numbers only where they look like one (RFC 6901 `~0`/`~1` decoded). */
export function parseJsonPointer(pointer: string): PathSegment[] {
  const tokens = pointerTokens(pointer);
  if (!tokens) throw new Error(`not a JSON pointer: ${pointer}`);
  return tokens.map((s) => (/^(0|[1-9][0-9]*)$/.test(s) ? Number(s) : s));
}

export function toJsonPointer(path: readonly PathSegment[]): string {
  return toPointer(path);
}

/** `spec.template.spec.containers[0]` (the paths the bundled policies name in their messages) → segments. */
export function parseDottedPath(path: string): PathSegment[] | undefined {
  if (!/^[A-Za-z_$][\w$-]*(?:\.[A-Za-z_$][\w$-]*|\[\d+\])*$/.test(path)) return undefined;
  const out: PathSegment[] = [];
  for (const m of path.matchAll(/([A-Za-z_$][\w$-]*)|\[(\d+)\]/g)) out.push(m[1] !== undefined ? m[1] : Number(m[2]));
  return out;
}

// A small tree of the document built from its events, with the offsets needed to point at fields.
type Node =
  | { t: 'map'; start: number; anchor?: string; entries: { key: string | undefined; keyStart: number; value: Node }[] }
  | { t: 'seq'; start: number; anchor?: string; items: Node[] }
  | { t: 'scalar'; start: number; anchor?: string }
  | { t: 'alias'; start: number; name: string };

const E = jsyaml.EVENT_ID;

function anchorOf(text: string, ev: { anchorStart: number; anchorEnd: number }): string | undefined {
  return ev.anchorStart >= 0 ? text.slice(ev.anchorStart, ev.anchorEnd) : undefined;
}

function scalarStart(ev: jsyaml.Event & { type: typeof E.SCALAR }): number {
  // Quoted scalars' values start after the quote; the field starts at the quote.
  return ev.style === jsyaml.SCALAR_STYLE.SINGLE_QUOTED || ev.style === jsyaml.SCALAR_STYLE.DOUBLE_QUOTED
    ? ev.valueStart - 1
    : ev.valueStart;
}

/** Builds the tree of the first document in `events`; `anchors` receives every anchored node. */
function buildTree(text: string, events: jsyaml.Event[], anchors: Map<string, Node>): Node | undefined {
  let i = 0;
  while (i < events.length && events[i].type === E.DOCUMENT) i++;
  const node = (): Node => {
    const ev = events[i++];
    switch (ev.type) {
      case E.SCALAR: {
        const n: Node = { t: 'scalar', start: scalarStart(ev) };
        const a = anchorOf(text, ev);
        if (a !== undefined) anchors.set((n.anchor = a), n);
        return n;
      }
      case E.ALIAS:
        return { t: 'alias', start: ev.anchorStart - 1, name: text.slice(ev.anchorStart, ev.anchorEnd) };
      case E.SEQUENCE: {
        const n: Node & { t: 'seq' } = { t: 'seq', start: ev.start, items: [] };
        const a = anchorOf(text, ev);
        if (a !== undefined) anchors.set((n.anchor = a), n);
        while (i < events.length && events[i].type !== E.POP) n.items.push(node());
        i++;
        return n;
      }
      case E.MAPPING: {
        const n: Node & { t: 'map' } = { t: 'map', start: ev.start, entries: [] };
        const a = anchorOf(text, ev);
        if (a !== undefined) anchors.set((n.anchor = a), n);
        while (i < events.length && events[i].type !== E.POP) {
          const kev = events[i];
          const key = kev.type === E.SCALAR ? jsyaml.getScalarValue(text, kev) : undefined;
          const keyNode = node();
          n.entries.push({ key, keyStart: keyNode.start, value: node() });
        }
        i++;
        return n;
      }
      default:
        throw new Error('unexpected YAML event');
    }
  };
  if (i >= events.length || events[i].type === E.POP) return undefined;
  return node();
}

/** A parsed document, ready for any number of look-ups. */
export class DocumentLocator {
  private readonly anchors = new Map<string, Node>();
  private readonly root: Node | undefined;
  private lineStarts: number[] | undefined;

  /** `text` is one document as the splitter cut it; `firstLine` the file line of its first line. */
  constructor(
    private readonly text: string,
    private readonly firstLine = 1,
  ) {
    this.root = buildTree(text, jsyaml.parseEvents(text, { maxDepth: 1000 }), this.anchors);
  }

  /** Position of the field at `path` (or of its longest existing prefix). Undefined when not even the first step exists. */
  locate(path: readonly PathSegment[]): FieldPosition | undefined {
    let node = this.resolve(this.root);
    if (!node) return undefined;
    let offset = node.start;
    let found = 0;
    for (const seg of path) {
      const step = this.child(node, seg);
      if (!step) break;
      offset = step.offset;
      node = this.resolve(step.node);
      found++;
      if (!node) break;
    }
    if (found === 0 && path.length > 0) return undefined;
    const { line, column } = this.position(offset);
    return { line, column, path: toJsonPointer(path.slice(0, found)), exact: found === path.length };
  }

  private resolve(n: Node | undefined, depth = 0): Node | undefined {
    while (n && n.t === 'alias' && depth++ < 100) n = this.anchors.get(n.name);
    return n;
  }

  /** The child at `seg`: a key's own position for mappings (merge keys followed), the item for sequences. */
  private child(n: Node, seg: PathSegment, depth = 0): { offset: number; node: Node } | undefined {
    if (n.t === 'seq') {
      const idx = typeof seg === 'number' ? seg : /^\d+$/.test(seg) ? Number(seg) : -1;
      const item = n.items[idx];
      return item ? { offset: item.start, node: item } : undefined;
    }
    if (n.t !== 'map') return undefined;
    const key = String(seg);
    // Later keys win (as when the value was constructed); explicit keys win over merged ones.
    for (let k = n.entries.length - 1; k >= 0; k--) {
      const e = n.entries[k];
      if (e.key === key && !(e.key === '<<')) return { offset: e.keyStart, node: e.value };
    }
    if (depth > 20) return undefined;
    for (const e of n.entries) {
      if (e.key !== '<<') continue;
      const v = this.resolve(e.value);
      const sources = v?.t === 'seq' ? v.items.map((x) => this.resolve(x)) : [v];
      for (const s of sources) {
        const hit = s ? this.child(s, seg, depth + 1) : undefined;
        if (hit) return hit;
      }
    }
    return undefined;
  }

  private position(offset: number): { line: number; column: number } {
    if (!this.lineStarts) {
      this.lineStarts = [0];
      for (let i = 0; i < this.text.length; i++) if (this.text.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
    }
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: this.firstLine + lo, column: offset - this.lineStarts[lo] + 1 };
  }
}

/**
 * Locates fields of the objects of one input file (its whole text), by document and List item. Asked in input
 * order (results come that way), it keeps one document parsed at a time: a 50,000-object file kept every
 * document with a finding parsed, and all of its documents cut out.
 */
export class FileLocator {
  private doc?: { docIndex: number; locator: DocumentLocator | undefined };
  private readonly documents: DocumentCursor;

  /** `input`: the file's text, or its documents from the first at each call (a large file read in pieces). */
  constructor(input: string | (() => Iterator<DocumentChunk>)) {
    this.documents = new DocumentCursor(typeof input === 'string' ? () => documentChunks(input) : input);
  }

  /** Position of `path` inside the object at `source` (a List item's path is prefixed with items/N). */
  locate(
    source: Pick<SourceLocation, 'docIndex' | 'itemIndex'>,
    path: readonly PathSegment[],
  ): FieldPosition | undefined {
    const doc = this.document(source.docIndex);
    if (!doc) return undefined;
    if (source.itemIndex === undefined) return doc.locate(path);
    const prefix = ['items', source.itemIndex];
    const pos = doc.locate([...prefix, ...path]);
    if (!pos || !pos.path.startsWith(toJsonPointer(prefix))) return undefined;
    const rest = pos.path.slice(toJsonPointer(prefix).length);
    // Only the item itself was found: nothing inside it.
    if (rest === '' && path.length > 0) return undefined;
    return { ...pos, path: rest };
  }

  private document(docIndex: number): DocumentLocator | undefined {
    if (this.doc?.docIndex !== docIndex) {
      const chunk = this.documents.document(docIndex);
      let locator: DocumentLocator | undefined;
      try {
        if (chunk) locator = new DocumentLocator(chunk.text, chunk.firstLine);
      } catch {
        locator = undefined;
      }
      this.doc = { docIndex, locator };
    }
    return this.doc.locator;
  }
}
