import type { TextLookup } from './input-texts';
import type { InputLimits } from './limits';
import { entriesFromText } from './objects';
import type { KubeObject, ManifestEntry, SourceLocation } from './types';

/**
 * Reads an object again from the text of its input (`texts`: each input's text by name, as `onText` gave it),
 * so that a caller need not keep every parsed object. Parses each file at most once in a row.
 */
export function rereader(texts: TextLookup, limits: InputLimits): (source: SourceLocation) => KubeObject | undefined {
  let last: { file: string; entries: ManifestEntry[] } | undefined;
  return (source) => {
    const text = texts.get(source.file);
    if (text === undefined) return undefined;
    if (last?.file !== source.file) last = { file: source.file, entries: entriesFromText(source.file, text, limits) };
    const found = last.entries.find(
      (e) => e.kind === 'object' && e.source.docIndex === source.docIndex && e.source.itemIndex === source.itemIndex,
    );
    return found?.kind === 'object' ? found.object : undefined;
  };
}
