import type { InputDocuments, TextLookup } from './input-texts';
import type { InputLimits } from './limits';
import { entriesFromChunks, isKustomization } from './objects';
import { DocumentCursor } from './document-cursor';
import type { KubeObject, ManifestEntry, SourceLocation } from './types';

/** Reads objects again from their inputs; `intact` says whether what it read is the text that was checked. */
export interface Rereader {
  (source: SourceLocation): KubeObject | undefined;
  /**
   * Whether every file read since the last call was, to its end, the one that was checked (a large file read in
   * pieces can only tell at its end; a text held or read whole is checked before anything is taken from it).
   */
  intact(): boolean;
}

interface OpenFile {
  name: string;
  documents: InputDocuments | undefined;
  cursor: DocumentCursor | undefined;
}

/**
 * Reads an object again from the text of its input (`texts`: each input's documents by name), so that a caller
 * need not keep every parsed object. Objects asked in input order (as a run re-evaluates them) cut each file's
 * documents once, and only the document asked for is parsed (one at a time, with its List items): a 50,000-object
 * file read in pieces is never held whole.
 */
export function rereader(texts: TextLookup, limits: InputLimits): Rereader {
  let file: OpenFile | undefined;
  let parsed: { file: string; docIndex: number; entries: ManifestEntry[] } | undefined;
  let intact = true;
  const close = (): void => {
    if (file?.cursor?.started && file.documents && !file.documents.intact()) intact = false;
    file = undefined;
  };
  const reread = (source: SourceLocation): KubeObject | undefined => {
    if (isKustomization(source.file)) return undefined;
    if (parsed?.file !== source.file || parsed.docIndex !== source.docIndex) {
      if (file?.name !== source.file) {
        close();
        const documents = texts.documents(source.file);
        file = {
          name: source.file,
          documents,
          cursor: documents ? new DocumentCursor(() => documents.chunks()) : undefined,
        };
      }
      const chunk = file.cursor?.document(source.docIndex);
      if (!chunk) return undefined;
      const entries = entriesFromChunks(source.file, [chunk], limits);
      parsed = { file: source.file, docIndex: source.docIndex, entries };
    }
    const found = parsed.entries.find((e) => e.kind === 'object' && e.source.itemIndex === source.itemIndex);
    return found?.kind === 'object' ? found.object : undefined;
  };
  return Object.assign(reread, {
    intact: (): boolean => {
      close();
      parsed = undefined;
      const was = intact;
      intact = true;
      return was;
    },
  });
}
