import type { InputLimits } from './limits';
import type { DocumentChunk } from './split';
import { parseDocument } from './yaml';

/** One item of a List document, cut out of its text so that it can be parsed alone. */
export interface ItemChunk extends DocumentChunk {
  /** The item's place in `items`. */
  itemIndex: number;
  /** The List's kind (`List`, `PodList`, ...), for messages. */
  listKind: string;
  /** Columns removed from the start of every line of `text` (the item's indentation and its `- `). */
  indent: number;
}

export const isItemChunk = (c: DocumentChunk): c is ItemChunk => 'itemIndex' in c;

/** An `items:` key at the top level of a document, as `kubectl get -o yaml` writes it. */
const ITEMS_KEY = /^items:[ \t]*(?:#.*)?$/;
/**
 * Anything that could be an anchor or an alias: an item referring to another one's anchor cannot be parsed alone,
 * so such a List is parsed whole (a false alarm, e.g. a cron schedule starting with a star, costs only that).
 */
const ANCHOR_OR_ALIAS = /(?:^|[\s[{,:-])[&*][^\s,[\]{}]/m;

/**
 * The items of a List document written in block style (`kubectl get -A -o yaml`), each as a text of its own, so
 * that a 50,000-item dump is parsed, checked and evaluated item by item with memory bounded by the items in
 * flight, as `kubectl apply` sends each item on its own. Undefined when the document is not such a List (flow
 * style, JSON, anchors, a top level that is not a List): it is then parsed whole.
 */
export function splitList(chunk: DocumentChunk, limits: InputLimits): Generator<ItemChunk> | undefined {
  if (ANCHOR_OR_ALIAS.test(chunk.text)) return undefined;
  // A chunk ends every line with `\n` (lib/manifests/split.ts).
  const lines = chunk.text.split('\n');
  lines.pop();
  const itemsLine = lines.findIndex((l) => ITEMS_KEY.test(l));
  if (itemsLine < 0) return undefined;
  // The sequence: item starts at one indentation, their content deeper; it ends at the first content line that
  // is neither (the next top-level key).
  const starts: number[] = [];
  let indent = -1;
  let end = itemsLine + 1;
  for (; end < lines.length; end++) {
    const line = lines[end];
    const content = line.trimStart();
    if (content === '' || content.startsWith('#')) continue;
    const column = line.length - content.length;
    if (indent < 0) {
      if (!isItemStart(content)) return undefined;
      indent = column;
    }
    if (column === indent && isItemStart(content)) starts.push(end);
    else if (column <= indent) break;
  }
  if (starts.length === 0) return undefined;
  // Trailing blank and comment lines belong to the document, not to the last item.
  while (end > starts[starts.length - 1] + 1 && isBlankOrComment(lines[end - 1])) end--;
  const header = [...lines.slice(0, itemsLine), 'items: []', ...lines.slice(end)].join('\n') + '\n';
  const listKind = listKindOf(header, limits);
  if (listKind === undefined) return undefined;
  return items(chunk, lines, starts, end, indent, listKind);
}

function* items(
  chunk: DocumentChunk,
  lines: string[],
  starts: number[],
  end: number,
  indent: number,
  listKind: string,
): Generator<ItemChunk> {
  const cut = indent + 2;
  for (let k = 0; k < starts.length; k++) {
    const last = k + 1 < starts.length ? starts[k + 1] : end;
    const out: string[] = [];
    for (let i = starts[k]; i < last; i++) {
      // The item's `- ` becomes indentation; lines with less (blank lines, comments) lose what they have.
      const body = i === starts[k] ? ' '.repeat(cut) + lines[i].slice(cut) : lines[i];
      const spaces = body.length - body.trimStart().length;
      out.push(body.slice(Math.min(cut, spaces)));
    }
    yield {
      text: out.join('\n') + '\n',
      firstLine: chunk.firstLine + starts[k],
      docIndex: chunk.docIndex,
      itemIndex: k,
      listKind,
      indent: cut,
    };
  }
}

/** The document without its items must be a List (kind `List` or `...List`): its kind, or undefined. */
function listKindOf(header: string, limits: InputLimits): string | undefined {
  let value: unknown;
  try {
    value = parseDocument(header, limits).value;
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const v = value as Record<string, unknown>;
  if (typeof v.kind !== 'string' || !v.kind.endsWith('List') || typeof v.apiVersion !== 'string') return undefined;
  return v.kind;
}

function isItemStart(content: string): boolean {
  return content === '-' || content.startsWith('- ');
}

function isBlankOrComment(line: string): boolean {
  const t = line.trim();
  return t === '' || t.startsWith('#');
}
