import * as jsyaml from 'js-yaml';
import type { YamlEvent } from '../../manifests/yaml';

/** A path into a parsed document: mapping keys and sequence indices. */
export type FieldPath = readonly (string | number)[];

interface LineNode {
  line: number;
  children?: Map<string | number, LineNode>;
}

/**
 * Where each field of a YAML document is, so that a problem found in the parsed value can be reported with the
 * line of the offending field. Built from js-yaml's event stream (which carries source offsets).
 */
export class LineIndex {
  private constructor(
    private readonly root: LineNode | undefined,
    private readonly firstLine: number,
  ) {}

  /** `text` is the document as parsed, `firstLine` the line of its first line in the file. */
  static build(text: string, events: YamlEvent[], firstLine: number): LineIndex {
    const lineStarts: number[] = [0];
    for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) lineStarts.push(i + 1);
    const lineOf = (offset: number): number => {
      let lo = 0;
      let hi = lineStarts.length - 1;
      while (lo < hi) {
        const mid = (lo + hi + 1) >> 1;
        if (lineStarts[mid] <= offset) lo = mid;
        else hi = mid - 1;
      }
      return lo + 1;
    };
    const E = jsyaml.EVENT_ID;
    let i = 0;
    while (i < events.length && events[i].type === E.DOCUMENT) i++;
    const node = (): LineNode | undefined => {
      const ev = events[i++];
      if (!ev) return undefined;
      switch (ev.type) {
        case E.SCALAR:
          return { line: lineOf(ev.anchorStart >= 0 ? Math.min(ev.anchorStart, ev.valueStart) : ev.valueStart) };
        case E.ALIAS:
          return { line: lineOf(ev.anchorStart) };
        case E.SEQUENCE: {
          const n: LineNode = { line: lineOf(ev.start), children: new Map() };
          let idx = 0;
          while (i < events.length && events[i].type !== E.POP) {
            const child = node();
            if (child) n.children!.set(idx++, child);
          }
          i++; // POP
          return n;
        }
        case E.MAPPING: {
          const n: LineNode = { line: lineOf(ev.start), children: new Map() };
          while (i < events.length && events[i].type !== E.POP) {
            const keyEv = events[i];
            const key = keyEv.type === E.SCALAR ? jsyaml.getScalarValue(text, keyEv) : undefined;
            const keyLine = keyEv.type === E.SCALAR ? lineOf(keyEv.valueStart) : undefined;
            node(); // the key
            const value = node();
            if (key !== undefined && key !== '<<' && value) {
              // A problem with a field points at its key: the value may start on the next line.
              n.children!.set(key, { ...value, line: keyLine ?? value.line });
            }
          }
          i++; // POP
          return n;
        }
        default:
          return undefined;
      }
    };
    return new LineIndex(node(), firstLine);
  }

  /** The line (in the file) of the deepest node of `path` found, else the document's first line. */
  line(path: FieldPath): number {
    let n = this.root;
    let line = n?.line ?? 1;
    for (const p of path) {
      const c = n?.children?.get(p);
      if (!c) break;
      n = c;
      line = c.line;
    }
    return this.firstLine + line - 1;
  }

  /** The index of a sub-tree (a List item), keeping file lines. */
  sub(path: FieldPath): LineIndex {
    let n = this.root;
    for (const p of path) n = n?.children?.get(p);
    return new LineIndex(n, this.firstLine);
  }
}

/** `spec.rules[0].operations` from a path. */
export function formatPath(path: FieldPath): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(p)) out += out === '' ? p : `.${p}`;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out;
}
